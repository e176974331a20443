import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';

/**
 * Stores a draft's article shingles (article/shingles.ts: base64 of 4-byte hashes, never text). No TTL: drafts
 * are never deleted or expired, so the shingles live exactly as long as the draft. Written by the enrich worker.
 */
export async function saveArticleShingles(redis: RedisClient, keys: Keys, draftId: string, encoded: string): Promise<void> {
  await redis.set(keys.shingles(draftId), encoded);
}

/** The stored shingles of a draft's article, or undefined when none (not enriched, refused, not HTML). One GET. */
export async function readArticleShingles(redis: RedisClient, keys: Keys, draftId: string): Promise<string | undefined> {
  return (await redis.get(keys.shingles(draftId))) ?? undefined;
}
