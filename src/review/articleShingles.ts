import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';

/** Stores a draft's article shingles (see article/shingles.ts). */
export async function saveArticleShingles(redis: RedisClient, keys: Keys, draftId: string, encoded: string): Promise<void> {
  await redis.set(keys.shingles(draftId), encoded);
}

export async function readArticleShingles(redis: RedisClient, keys: Keys, draftId: string): Promise<string | undefined> {
  return (await redis.get(keys.shingles(draftId))) ?? undefined;
}
