import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';
import type { RedisClient } from '../redisClient.ts';
import { LUA_SEEN, rawDigest, seenBucketKeys, seenBucketOf, toMinute, urlKeyOf } from './seenIndex.ts';

/**
 * Merges old sightings into a source's seen buckets, keeping the later sighting when the workers wrote one
 * meanwhile. KEYS: the source's buckets. ARGV per item: raw digest, its bucket (KEYS index), minute.
 */
const MERGE_SEEN = `${LUA_SEEN}
for i = 1, #ARGV, 3 do
  local k = KEYS[tonumber(ARGV[i + 1])]
  local v = redis.call('HGET', k, ARGV[i])
  local m = tonumber(ARGV[i + 2])
  if not v or sd_minute(v) < m then redis.call('HSET', k, ARGV[i], m) end
end
return 1`;

/**
 * Merges old URL entries into the URL index: a mapping already in the index wins (the workers wrote it after
 * the upgrade), the later sighting is kept. KEYS per entry: its bucket. ARGV per entry: raw digest, minute,
 * draft id or '' (a seen URL without a mapping).
 */
const MERGE_URL = `${LUA_SEEN}
for i = 1, #ARGV, 3 do
  local k = KEYS[(i + 2) / 3]
  local v = redis.call('HGET', k, ARGV[i])
  local m = tonumber(ARGV[i + 1])
  if v and sd_minute(v) > m then m = sd_minute(v) end
  local d = sd_map(v)
  if d == '' then d = ARGV[i + 2] end
  redis.call('HSET', k, ARGV[i], d == '' and tostring(m) or (m .. '|' .. d))
end
return 1`;

type Scripted = { sdMergeSeen(n: number, ...args: (string | Buffer)[]): Promise<number>; sdMergeUrl(n: number, ...args: (string | Buffer)[]): Promise<number> };

export interface SeenMigrationReport {
  /** Old per-source seen zsets converted (and deleted). */
  sources: number;
  items: number;
  /** URL entries converted from seen-urls and url-drafts (both deleted). */
  urls: number;
}

const BATCH = 500;

/**
 * The warning for a Redis that still holds the de-duplication index of before the buckets (an upgrade without
 * `signal-desk migrate`), or undefined. Two EXISTS, no scan: the cross-source URL keys are there whenever any
 * draft was ever committed under the old layout.
 */
export async function checkSeenIndexForm(redis: RedisClient, keys: Keys): Promise<string | undefined> {
  if ((await redis.exists(keys.legacySeenUrls, keys.legacyUrlDrafts)) === 0) return undefined;
  return `Redis holds the de-duplication index in its old form (${keys.legacySeenUrls}, ${keys.legacyUrlDrafts}): run \`signal-desk migrate\` once. Until then the workers do not read it, so another source's item for an article seen before the upgrade becomes a new draft instead of coverage (no item is drafted twice from one source)`;
}

/**
 * `signal-desk migrate`: converts the de-duplication index of before the bucketed one (dedupe/seenIndex.ts):
 * each `{sd}:seen:<id>` zset (item digest → last sighting, ms) into the source's seen buckets, and
 * `{sd}:seen-urls` (zset) with `{sd}:url-drafts` (hash) into the URL index, then deletes the old keys. Safe
 * while workers run (they write only the new keys; a merge keeps their mapping and the later sighting) and
 * idempotent (a second run finds no old key). A URL mapped without a seen-urls mark counts as sighted now.
 */
export async function migrateSeenIndex(redis: RedisClient, keys: Keys, now: number, options: { dryRun?: boolean } = {}): Promise<SeenMigrationReport> {
  const r = withScripts<Scripted>(redis, { sdMergeSeen: MERGE_SEEN, sdMergeUrl: MERGE_URL });
  const report: SeenMigrationReport = { sources: 0, items: 0, urls: 0 };
  const head = `${keys.prefix}:seen:`;
  let cursor = '0';
  do {
    const [next, found] = (await redis.call('SCAN', cursor, 'MATCH', `${escapeGlob(head)}*`, 'COUNT', '1000', 'TYPE', 'zset')) as [string, string[]];
    cursor = next;
    for (const key of found) {
      const sourceId = key.slice(head.length);
      const buckets = seenBucketKeys(keys, sourceId);
      report.sources++;
      await eachZsetBatch(redis, key, async (batch) => {
        report.items += batch.length;
        if (options.dryRun) return;
        const args: (string | Buffer)[] = [];
        for (const [member, ms] of batch) {
          const raw = rawDigest(member);
          args.push(raw, String(seenBucketOf(raw) + 1), String(toMinute(ms)));
        }
        await r.sdMergeSeen(buckets.length, ...buckets, ...args);
      });
      if (!options.dryRun) await redis.del(key);
    }
  } while (cursor !== '0');

  const mapped = new Set<string>();
  let hcursor = '0';
  do {
    const [next, flat] = await redis.hscan(keys.legacyUrlDrafts, hcursor, 'COUNT', BATCH);
    hcursor = next;
    const pairs: [string, string][] = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
    const scores = pairs.length ? await Promise.all(pairs.map(([h]) => redis.zscore(keys.legacySeenUrls, h))) : [];
    const entries = pairs.map(([h, id], i) => ({ h, id, ms: scores[i] === null ? now : Number(scores[i]) }));
    for (const e of entries) mapped.add(e.h);
    await mergeUrls(r, keys, entries, report, options.dryRun === true);
  } while (hcursor !== '0');
  await eachZsetBatch(redis, keys.legacySeenUrls, async (batch) => {
    const entries = batch.filter(([h]) => !mapped.has(h)).map(([h, ms]) => ({ h, id: '', ms }));
    await mergeUrls(r, keys, entries, report, options.dryRun === true);
  });
  if (!options.dryRun) await redis.del(keys.legacySeenUrls, keys.legacyUrlDrafts);
  return report;
}

async function mergeUrls(r: RedisClient & Scripted, keys: Keys, entries: { h: string; id: string; ms: number }[], report: SeenMigrationReport, dryRun: boolean): Promise<void> {
  report.urls += entries.length;
  if (dryRun || !entries.length) return;
  const keyList: string[] = [];
  const args: (string | Buffer)[] = [];
  for (const e of entries) {
    const raw = rawDigest(e.h);
    keyList.push(urlKeyOf(keys, raw));
    args.push(raw, String(toMinute(e.ms)), e.id);
  }
  await r.sdMergeUrl(keyList.length, ...keyList, ...args);
}

async function eachZsetBatch(redis: RedisClient, key: string, fn: (batch: [string, number][]) => Promise<void>): Promise<void> {
  let cursor = '0';
  do {
    const [next, flat] = await redis.zscan(key, cursor, 'COUNT', BATCH);
    cursor = next;
    const batch: [string, number][] = [];
    for (let i = 0; i < flat.length; i += 2) batch.push([flat[i]!, Number(flat[i + 1])]);
    if (batch.length) await fn(batch);
  } while (cursor !== '0');
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
