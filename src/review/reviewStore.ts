import type { RedisClient } from '../dedupe/seenStore.ts';
import { DraftSignal } from '../drafts/schema.ts';
import type { Keys } from '../queue/keys.ts';

/** Pending drafts in review order (highest score first, then newest), at most `limit`. */
export async function listReview(redis: RedisClient, keys: Keys, limit = 50, offset = 0): Promise<DraftSignal[]> {
  const ids = await redis.zrevrange(keys.review, offset, offset + limit - 1);
  return getDrafts(redis, keys, ids);
}

export async function countReview(redis: RedisClient, keys: Keys): Promise<number> {
  return redis.zcard(keys.review);
}

export async function getDrafts(redis: RedisClient, keys: Keys, ids: string[]): Promise<DraftSignal[]> {
  if (ids.length === 0) return [];
  const raw = await redis.mget(...ids.map((id) => keys.draft(id)));
  return raw.flatMap((json) => (json ? [DraftSignal.parse(JSON.parse(json))] : []));
}
