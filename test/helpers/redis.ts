import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadSettings, type Settings } from '../../src/config/settings.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Each test gets its own hash-tagged prefix, so tests never see each other's keys or queues. */
export function testPrefix(): string {
  return `{sdt-${randomBytes(5).toString('hex')}}`;
}

export function testSettings(prefix: string, env: Record<string, string> = {}): Settings {
  return loadSettings({
    REDIS_URL,
    SIGNAL_DESK_PREFIX: prefix,
    SIGNAL_DESK_ALLOW_PRIVATE: '127.0.0.1',
    SIGNAL_DESK_BACKOFF_MS: '50',
    SIGNAL_DESK_ATTEMPTS: '2',
    SIGNAL_DESK_FETCH_TIMEOUT_MS: '3000',
    SIGNAL_DESK_LOG_LEVEL: 'silent',
    SIGNAL_DESK_SHUTDOWN_MS: '3000',
    // Every test publisher is 127.0.0.1: per-host politeness is off unless a test turns it on.
    SIGNAL_DESK_HOST_CONCURRENCY: '64',
    SIGNAL_DESK_HOST_DELAY_MS: '0',
    ...env,
  });
}

/** Deletes every key under a prefix. */
export async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
