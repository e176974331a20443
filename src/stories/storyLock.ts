import { randomBytes } from 'node:crypto';
import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';
import type { RedisClient } from '../redisClient.ts';

/** Deletes the lock only while it still holds this process's token (an expired lock taken by another is left alone). */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
type ScriptClient = { sdReleaseStoryLock(numKeys: number, key: string, token: string): Promise<number> };

const POLL_MS = 5;

/**
 * Runs one story decision (read the clusterer's state, decide, commit) holding a Redis lock (SET NX PX with a
 * token of this call), so decisions never interleave across processes. The stories queue's BullMQ global
 * concurrency of 1 says the same, but it lives in the queue's meta hash: a Redis restarted empty (or a cleaned
 * queue) drops it while the workers keep running, and then two processes take story jobs at once. The lock is
 * taken per decision, so it comes back with the first decision after such a loss. A process killed holding it
 * holds it `ttlMs` at most. Waits at most `waitMs`, then throws (the job retries).
 */
export async function withStoryLock<T>(redis: RedisClient, keys: Keys, ttlMs: number, waitMs: number, fn: () => Promise<T>): Promise<T> {
  const token = randomBytes(12).toString('hex');
  const deadline = Date.now() + waitMs;
  while ((await redis.set(keys.storyLock, token, 'PX', ttlMs, 'NX')) !== 'OK') {
    if (Date.now() >= deadline) throw new Error(`another process has held the story lock for over ${waitMs} ms; the job retries`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  try {
    return await fn();
  } finally {
    await withScripts<ScriptClient>(redis, { sdReleaseStoryLock: RELEASE }).sdReleaseStoryLock(1, keys.storyLock, token);
  }
}
