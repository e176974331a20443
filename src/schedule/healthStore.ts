import type { Source } from '../config/sourceSchema.ts';
import type { RedisClient } from '../redisClient.ts';
import { readSourceState } from '../fetch/sourceState.ts';
import type { Keys } from '../queue/keys.ts';
import { readRuleDrops } from '../rules/recordRuleDrops.ts';
import { readSkips } from '../drafts/recordSkips.ts';
import { describeHealth, sortHealth, type SourceHealth } from './health.ts';

/** The health of every configured source, problems first. */
export async function readHealth(redis: RedisClient, keys: Keys, sources: Source[], now: number): Promise<SourceHealth[]> {
  const list = await Promise.all(
    sources.map(async (source) => {
      const [state, day, week, drops, skips] = await Promise.all([
        readSourceState(redis, keys, source.id),
        redis.zcount(keys.sourceNew(source.id), now - 86_400_000, '+inf'),
        redis.zcount(keys.sourceNew(source.id), now - 7 * 86_400_000, '+inf'),
        readRuleDrops(redis, keys, source.id, now),
        readSkips(redis, keys, source.id, now),
      ]);
      return describeHealth(source, state, { day, week }, now, drops, skips);
    }),
  );
  return sortHealth(list);
}
