import { rawDigest, seenBucketKeys, seenBucketOf, SEEN_BUCKETS, URL_BUCKETS } from '../../src/dedupe/seenIndex.ts';
import { afterEach } from 'vitest';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys, type Keys } from '../../src/queue/keys.ts';
import type { RedisClient } from '../../src/redisClient.ts';
import { dropPrefix, REDIS_URL, testPrefix } from './redis.ts';

/**
 * Call at a test file's top level: returns a setup that gives each test real Redis under a fresh prefix,
 * dropped (and the connection closed) after the test.
 */
export function useSeenRedis(): () => { redis: RedisClient; keys: Keys } {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  return () => {
    const prefix = testPrefix();
    const redis = createRedis(REDIS_URL);
    cleanups.push(() => dropPrefix(prefix), () => redis.quit());
    return { redis, keys: createKeys(prefix) };
  };
}

/** Items in a source's seen set (every bucket). */
export async function countSeen(redis: RedisClient, keys: Keys, sourceId: string): Promise<number> {
  let n = 0;
  for (const key of seenBucketKeys(keys, sourceId)) n += await redis.hlen(key);
  return n;
}

/** The last sighting (minutes since SEEN_EPOCH) of an item digest in a source's seen set, or null. */
export async function seenAt(redis: RedisClient, keys: Keys, sourceId: string, itemHash: string): Promise<number | null> {
  const raw = rawDigest(itemHash);
  const v = await redis.hget(keys.seenBucket(sourceId, seenBucketOf(raw)), raw);
  return v === null ? null : Number(v);
}

/** Every key of the index: the source's buckets and the URL buckets. */
export function indexKeys(keys: Keys, sourceIds: string[]): string[] {
  return [...sourceIds.flatMap((id) => seenBucketKeys(keys, id)), ...Array.from({ length: URL_BUCKETS }, (_, b) => keys.urlIndex(b))];
}

export { SEEN_BUCKETS };
