import type { Metrics } from '../metrics/metrics.ts';
import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';

/** A draft a drop rule took out of the queue. */
export interface RuleDrop {
  sourceId: string;
  draftId: string;
  rule: string;
}

const DAY = 86_400_000;
/** Drops are kept this long per source (source health shows 24 h and 7 days). */
export const DROPS_KEPT_MS = 8 * DAY;
/** At most this many of a source's drops are read to count them by rule. */
const READ_MAX = 10_000;
const SEP = '\u0000';

/**
 * Records drops for source health and the metrics counter, in one round trip. Each draft counts once per rule
 * however often its annotation is retried (the member is the rule and the draft id; the metric counts only
 * members that were new). Returns how many were new.
 */
export async function recordRuleDrops(redis: RedisClient, keys: Keys, drops: RuleDrop[], now: number, metrics?: Pick<Metrics, 'ruleDrops'>): Promise<number> {
  if (drops.length === 0) return 0;
  const tx = redis.multi();
  for (const d of drops) tx.zadd(keys.ruleDrops(d.sourceId), 'NX', now, `${d.rule}${SEP}${d.draftId}`);
  for (const source of new Set(drops.map((d) => d.sourceId))) {
    tx.zremrangebyscore(keys.ruleDrops(source), '-inf', now - DROPS_KEPT_MS);
    tx.pexpire(keys.ruleDrops(source), DROPS_KEPT_MS);
  }
  const results = (await tx.exec()) ?? [];
  let added = 0;
  drops.forEach((d, i) => {
    const [err, n] = results[i] ?? [];
    if (err || n !== 1) return;
    added++;
    metrics?.ruleDrops.inc({ rule: d.rule });
  });
  return added;
}

export interface RuleDropCounts {
  day: number;
  week: number;
  /** The last 7 days, most drops first. */
  byRule: { rule: string; count: number }[];
}

export const NO_DROPS: RuleDropCounts = { day: 0, week: 0, byRule: [] };

/** A source's drops in the last 24 hours and 7 days, and by rule over the 7 days. */
export async function readRuleDrops(redis: RedisClient, keys: Keys, sourceId: string, now: number): Promise<RuleDropCounts> {
  const key = keys.ruleDrops(sourceId);
  const [day, week, members] = await Promise.all([
    redis.zcount(key, now - DAY, '+inf'),
    redis.zcount(key, now - 7 * DAY, '+inf'),
    redis.zrangebyscore(key, now - 7 * DAY, '+inf', 'LIMIT', 0, READ_MAX),
  ]);
  const counts = new Map<string, number>();
  for (const m of members) {
    const rule = m.slice(0, m.indexOf(SEP));
    counts.set(rule, (counts.get(rule) ?? 0) + 1);
  }
  const byRule = [...counts].map(([rule, count]) => ({ rule, count })).sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule));
  return { day, week, byRule };
}

/** The drops of several sources since a moment (a `run --once` summary), by rule. */
export async function countRuleDropsSince(redis: RedisClient, keys: Keys, sourceIds: string[], since: number): Promise<Map<string, number>> {
  const lists = await Promise.all(sourceIds.map((id) => redis.zrangebyscore(keys.ruleDrops(id), since, '+inf', 'LIMIT', 0, READ_MAX)));
  const counts = new Map<string, number>();
  for (const m of lists.flat()) {
    const rule = m.slice(0, m.indexOf(SEP));
    counts.set(rule, (counts.get(rule) ?? 0) + 1);
  }
  return counts;
}
