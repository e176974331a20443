import { rawDigest, seenBucketKeys, seenBucketOf, SEEN_BUCKETS, URL_BUCKETS } from '../../src/dedupe/seenIndex.ts';
import type { Keys } from '../../src/queue/keys.ts';
import type { RedisClient } from '../../src/redisClient.ts';

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
