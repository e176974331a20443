import type { Metrics } from '../metrics/metrics.ts';
import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';
import type { SkipReason } from './skipReason.ts';

/** An item of a source the draft stage made no draft of, and why. `itemHash`: the digest of its key (dedupe/itemKey.ts `seenDigests`). */
export interface ItemSkip {
  reason: SkipReason;
  itemHash: string;
}

const DAY = 86_400_000;
/** Skips are kept this long per source (source health shows 24 h and 7 days). */
export const SKIPS_KEPT_MS = 8 * DAY;
/** At most this many skips are kept per source (the oldest go first). */
export const SKIPS_MAX = 10_000;
const SEP = ':';

/**
 * Records a source's skipped items in `{sd}:skips:<sourceId>` and counts the new ones in the metric, in one
 * round trip (a MULTI). Each item counts once per reason however often it is seen: the member is the reason and
 * the item's digest (ZADD NX), so a retried job or the next poll of the same feed adds nothing. Trimmed past
 * 8 days and to the newest 10,000. Returns how many were new.
 */
export async function recordSkips(redis: RedisClient, keys: Keys, sourceId: string, skips: ItemSkip[], now: number, metrics?: Pick<Metrics, 'itemsSkipped'>): Promise<number> {
  if (skips.length === 0) return 0;
  const key = keys.skips(sourceId);
  const tx = redis.multi();
  for (const s of skips) tx.zadd(key, 'NX', now, `${s.reason}${SEP}${s.itemHash}`);
  tx.zremrangebyscore(key, '-inf', now - SKIPS_KEPT_MS);
  tx.zremrangebyrank(key, 0, -(SKIPS_MAX + 1));
  tx.pexpire(key, SKIPS_KEPT_MS);
  const results = (await tx.exec()) ?? [];
  let added = 0;
  skips.forEach((s, i) => {
    const [err, n] = results[i] ?? [];
    if (err || n !== 1) return;
    added++;
    metrics?.itemsSkipped.inc({ source: sourceId, reason: s.reason });
  });
  return added;
}

export interface SkipCounts {
  day: number;
  week: number;
  /** Reason → items skipped for it over the last 7 days. */
  byReason: Record<string, number>;
}

export const NO_SKIPS: SkipCounts = { day: 0, week: 0, byReason: {} };

/** A source's skipped items in the last 24 hours and 7 days, and by reason over the 7 days (one round trip). */
export async function readSkips(redis: RedisClient, keys: Keys, sourceId: string, now: number): Promise<SkipCounts> {
  const key = keys.skips(sourceId);
  const [day, week, members] = await Promise.all([
    redis.zcount(key, now - DAY, '+inf'),
    redis.zcount(key, now - 7 * DAY, '+inf'),
    redis.zrangebyscore(key, now - 7 * DAY, '+inf'),
  ]);
  return { day, week, byReason: countByReason(members) };
}

/** Members `<reason>:<digest>` counted by reason. Pure. */
export function countByReason(members: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of members) {
    const reason = m.slice(0, m.indexOf(SEP));
    counts[reason] = (counts[reason] ?? 0) + 1;
  }
  return counts;
}

/** Counts skips by reason (for one poll's report). Pure. */
export function tallySkips(skips: Pick<ItemSkip, 'reason'>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of skips) counts[s.reason] = (counts[s.reason] ?? 0) + 1;
  return counts;
}

/** Two counts by reason added up (a chunked poll's chunks, a poll's and its ingest's). Pure. */
export function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, n] of Object.entries(b)) out[k] = (out[k] ?? 0) + n;
  return out;
}
