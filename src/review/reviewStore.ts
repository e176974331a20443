import type { RedisClient } from '../redisClient.ts';
import type { DraftSignal } from '../drafts/schema.ts';
import type { Keys } from '../queue/keys.ts';
import { getDrafts } from './draftStore.ts';

/** Pending drafts in review order (highest score first, then newest), at most `limit`. Unfiltered; the desk's `Desk.list` filters and pages. */
export async function listReview(redis: RedisClient, keys: Keys, limit = 50, offset = 0): Promise<DraftSignal[]> {
  const ids = await redis.zrevrange(keys.review, offset, offset + limit - 1);
  return getDrafts(redis, keys, ids);
}
