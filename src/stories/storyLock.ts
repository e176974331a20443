import { Mutex } from 'redis-semaphore';
import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';

/**
 * Runs one story decision (read the clusterer's state, decide, commit) holding redis-semaphore's Mutex, so
 * decisions never interleave across processes. The stories queue's BullMQ global concurrency of 1 says the same,
 * but it lives in the queue's meta hash: a Redis restarted empty (or a cleaned queue) drops it while the workers
 * keep running, and then two processes take story jobs at once. The mutex is taken per decision, so it holds
 * from the first decision after such a loss. It is refreshed while held (a slow decision keeps it); a process
 * killed holding it holds it `ttlMs` at most. Waits at most `waitMs`, then throws (the job retries).
 */
export async function withStoryLock<T>(redis: RedisClient, keys: Keys, ttlMs: number, waitMs: number, fn: () => Promise<T>): Promise<T> {
  const mutex = new Mutex(redis as never, keys.storyLock, {
    lockTimeout: ttlMs,
    acquireTimeout: waitMs,
    retryInterval: 5,
    refreshInterval: Math.max(100, Math.floor(ttlMs / 3)),
    onLockLost: () => {},
  });
  try {
    await mutex.acquire();
  } catch (err) {
    throw new Error(`another process has held the story lock for over ${waitMs} ms; the job retries`, { cause: err });
  }
  try {
    return await fn();
  } finally {
    await mutex.release();
  }
}
