// The Redis store for bench/stories.ts (the clusterer's benchmark): register it in its STORES as
//   redis: () => redisBenchStore(WINDOW_MS),
// then `STORE=redis npm run bench:stories` measures a story decision against Redis (REDIS_URL, default
// 127.0.0.1:6379) under a private prefix, dropped afterwards. A decision is four round trips on this store.
import { randomBytes } from 'node:crypto';
import { createRedis } from '../src/queue/connection.ts';
import { createKeys } from '../src/queue/keys.ts';
import { RedisStoryStore } from '../src/stories/redisStore.ts';
import type { StoryStore } from '../src/stories/types.ts';

export async function redisBenchStore(windowMs: number): Promise<{ store: StoryStore; close(): Promise<void> }> {
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `{bench-stories-${randomBytes(4).toString('hex')}}`;
  return {
    store: new RedisStoryStore(redis, createKeys(prefix), windowMs),
    async close() {
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (found.length) await redis.del(...found);
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}
