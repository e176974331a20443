import { SignalDeskError } from '../errors.ts';
import { INDEX_KEYS_COUNT, indexKeyList, LUA_INDEX, searchEntry } from '../search/searchIndex.ts';
import type { SearchableDraft } from '../search/searchText.ts';
import type { Keys } from '../queue/keys.ts';
import { LUA_SEEN, mappingOf, rawDigest, SEEN_BUCKETS, seenBucketKeys, seenBucketOf, toMinute, URL_BUCKETS, urlKeyOf } from './seenIndex.ts';
import { withScripts } from '../queue/scripts.ts';
import type { RedisClient } from '../redisClient.ts';

/**
 * Read side of de-duplication, run by the poll worker before anything is queued: which of these items
 * were seen before *from this source*? Seen items get their sighting time refreshed (and their URL's, so an
 * article still listed somewhere keeps its url → draft mapping), so an item that stays in a feed for longer
 * than the retention window is not mistaken for new when its first sighting expires. An item whose URL
 * already has a draft from another source is not seen here: it goes on to the commit, which records it as
 * related coverage of that draft. An optimisation only: the atomic check that decides is in commitDrafts.
 * KEYS: the source's SEEN_BUCKETS seen buckets; per item its URL's bucket (any key when it has no URL).
 * ARGV: now (minutes); per item: item digest (raw), its seen bucket (KEYS index), URL digest (raw) or ''.
 */
const PARTITION = `${LUA_SEEN}
local now = ARGV[1]
local out = {}
for i = 2, #ARGV, 3 do
  local n = (i - 2) / 3
  local ks, ku = KEYS[tonumber(ARGV[i + 1])], KEYS[${SEEN_BUCKETS + 1} + n]
  if redis.call('HEXISTS', ks, ARGV[i]) == 1 then
    redis.call('HSET', ks, ARGV[i], now)
    if ARGV[i + 2] ~= '' then
      local v = redis.call('HGET', ku, ARGV[i + 2])
      if v then
        local m = sd_map(v)
        redis.call('HSET', ku, ARGV[i + 2], m == '' and now or (now .. '|' .. m))
      end
    end
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out`;

/** Entries kept in one draft's coverage list: the first sources to carry the article (one entry per source). */
export const COVERAGE_MAX = 50;

/**
 * URL index buckets each commit call trims, round robin (the cursor in seen-trim): the whole index is swept
 * every URL_BUCKETS / URL_SWEEP = 128 commit calls, of any source.
 */
export const URL_SWEEP = 8;

/**
 * Write side, run by the ingest worker: for each candidate, atomically (one Lua script, so no other
 * worker, retry or crash can interleave) decide it and write it:
 * - seen before from this source (its item digest in the source's seen buckets): a duplicate;
 * - its URL belongs to a draft (the URL index: URL digest → `<minute>|<draft id>`, dedupe/seenIndex.ts) of another source: related coverage of that
 *   draft, one entry per source appended to the draft's coverage list (capped at COVERAGE_MAX); a draft of the
 *   same source (or a seen URL without a mapping, written before mappings existed): a duplicate;
 * - else a new draft, added to the review queue (both its orders), its URL mapped to it, then marked seen.
 * The mapping the caller read before the call (`expected`, with the draft it resolves to through editor merges)
 * is checked here; when another commit changed it meanwhile, or the target draft was merged into another one
 * since it was read (an editor merge racing this commit: its coverage would land on the merged draft after the
 * merge had moved that list), the item is answered "conflict", nothing written, and the caller reads again. Every key the script touches is in KEYS (legal on Redis Cluster).
 * Redis does not roll a script back when a command in it fails (a wrong key type, OOM), so the writes come in
 * an order that can stop anywhere without losing or duplicating the item: the indexes first (a retry adds them
 * again, and the desk skips an id without a draft), then the draft, then its URL mapping and marks, the
 * item's mark last. A coverage entry is appended before the item's mark, and a retry finds the source already
 * in the list, so it is never appended twice. A worker killed before a call leaves nothing of that chunk
 * behind; killed after, it leaves all of it, and the retry finds those items seen and drafts the rest.
 * The URL mapping and the URL's sighting are one field, written in one HSET. Expired sightings are trimmed in
 * the same script, amortised: every call reads each of the source's SEEN_BUCKETS buckets (a large one
 * TRIM_STEP entries at a time from a cursor) and URL_SWEEP of the URL buckets round robin, which keeps memory
 * bounded by the retention window plus one sweep (docs/architecture.md, `{sd}:seen:<id>:<b>`, `{sd}:urls:<b>`).
 *
 * A new draft's search entry (search/searchIndex.ts) is written in the same call, before the draft, so a
 * draft is never in the queue without being found by search.
 *
 * KEYS: the source's SEEN_BUCKETS seen buckets, review, by-age pending, seen-trim, the URL_SWEEP URL buckets to
 *       trim, the search index (postings, docs, facets per status and kind); per item: its draft, the target
 *       draft, the target's coverage list (the item's own when it has no target), its URL's bucket (any key when
 *       it has no URL).
 * ARGV: 1 now (minutes), 2 cutoff (minutes), 3 source id, 4 the next sweep cursor; per item: item digest (raw),
 *       URL digest (raw) or '', draft id, rank, age, draft JSON, coverage JSON or '', expected mapping or '',
 *       target draft id or '', "1" when the target's merge chain includes a draft of this source, search entry,
 *       the item's seen bucket (its KEYS index), "1" when the target was not merged when read.
 * Returns per item: 0 duplicate, 1 created, 2 related, 3 conflict.
 */
const COMMIT = `${LUA_INDEX}${LUA_SEEN}
local function sd_merged(raw)
  if not raw then return false end
  local ok, d = pcall(cjson.decode, raw)
  return ok and type(d) == 'table' and d.status == 'merged'
end
local now, cutoff, sourceId = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local cursors = KEYS[${SEEN_BUCKETS + 3}]
for b = 1, ${SEEN_BUCKETS} do sd_trim(KEYS[b], cutoff, cursors, sourceId .. '\\0' .. (b - 1)) end
for b = ${SEEN_BUCKETS + 4}, ${SEEN_BUCKETS + 3 + URL_SWEEP} do sd_trim(KEYS[b], cutoff, cursors, '\\0urls' .. KEYS[b]) end
redis.call('HSET', cursors, '\\0urls', ARGV[4])
local base = ${SEEN_BUCKETS + 4 + URL_SWEEP + INDEX_KEYS_COUNT}
local out = {}
for i = 5, #ARGV, 13 do
  local n = (i - 5) / 13
  local kd, kt, kc, ku = KEYS[base + n * 4], KEYS[base + 1 + n * 4], KEYS[base + 2 + n * 4], KEYS[base + 3 + n * 4]
  local itemHash, urlHash, draftId, rank, age, json, coverage, expected, target, sameChain, entry, ks = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8], ARGV[i + 9], ARGV[i + 10], KEYS[tonumber(ARGV[i + 11])]
  local result = 0
  local urlValue = false
  if urlHash ~= '' then urlValue = redis.call('HGET', ku, urlHash) end
  local mapped = sd_map(urlValue)
  if redis.call('HEXISTS', ks, itemHash) == 1 then
    result = 0
  elseif mapped ~= expected or (mapped ~= '' and mapped ~= draftId and target ~= '' and ARGV[i + 12] == '1' and sd_merged(redis.call('GET', kt))) then
    result = 3
  elseif mapped ~= '' and mapped ~= draftId and target ~= '' and redis.call('EXISTS', kt) == 1 then
    result = 0
    if sameChain ~= '1' and coverage ~= '' then
      result = 2
      local listed = false
      for _, raw in ipairs(redis.call('LRANGE', kc, 0, -1)) do
        local ok, entry = pcall(cjson.decode, raw)
        if ok and type(entry) == 'table' and entry.sourceId == sourceId then listed = true break end
      end
      if listed then result = 0
      elseif redis.call('LLEN', kc) < ${COVERAGE_MAX} then redis.call('RPUSH', kc, coverage) end
    end
    redis.call('HSET', ku, urlHash, now .. '|' .. mapped)
  elseif mapped == '' and urlValue then
    result = 0
  elseif redis.call('EXISTS', kd) == 0 then
    redis.call('ZADD', KEYS[${SEEN_BUCKETS + 1}], rank, draftId)
    redis.call('ZADD', KEYS[${SEEN_BUCKETS + 2}], age, draftId)
    sd_index(${SEEN_BUCKETS + 4 + URL_SWEEP}, draftId, entry)
    redis.call('SET', kd, json)
    if urlHash ~= '' then redis.call('HSET', ku, urlHash, now .. '|' .. draftId) end
    result = 1
  elseif urlHash ~= '' and mapped == '' then
    -- A retry after a failure between the draft and its URL mapping: finish it.
    redis.call('HSET', ku, urlHash, now .. '|' .. draftId)
  end
  if result ~= 3 then redis.call('HSET', ks, itemHash, now) end
  out[#out + 1] = result
end
return out`;

type ScriptClient = {
  sdPartitionSeen(numKeys: number, ...args: (string | Buffer)[]): Promise<number[]>;
  sdCommitDrafts(numKeys: number, ...args: (string | Buffer)[]): Promise<number[]>;
};

const scripts = (redis: RedisClient) => withScripts<ScriptClient>(redis, { sdPartitionSeen: PARTITION, sdCommitDrafts: COMMIT });

export interface SeenCandidate {
  itemHash: string;
  urlHash: string | undefined;
}

/**
 * Items per script call. A feed can list 100,000 items; one call with all of them would spread hundreds of
 * thousands of arguments into one JavaScript call (a stack overflow) and block Redis for the whole run. Per
 * chunk the script stays atomic, and that is all correctness needs: each item's decision (seen or not;
 * duplicate, new draft or related coverage) reads and writes only that item's own members (its item digest,
 * its URL digest and that URL's mapping, its draft key) and, for coverage, the target draft's list, where the
 * only rule (one entry per source) is checked and written in the same call. So an item is decided by exactly
 * one call, whatever other calls (another chunk, another job, another worker) ran before or after it.
 */
export const SCRIPT_CHUNK = 1000;

export async function partitionSeen(redis: RedisClient, keys: Keys, sourceId: string, items: SeenCandidate[], now: number): Promise<boolean[]> {
  const out: boolean[] = [];
  const buckets = seenBucketKeys(keys, sourceId);
  for (let i = 0; i < items.length; i += SCRIPT_CHUNK) {
    const keyList = [...buckets];
    const args: (string | Buffer)[] = [String(toMinute(now))];
    for (const item of items.slice(i, i + SCRIPT_CHUNK)) {
      const raw = rawDigest(item.itemHash);
      const url = item.urlHash === undefined ? undefined : rawDigest(item.urlHash);
      keyList.push(url ? urlKeyOf(keys, url) : buckets[0]!);
      args.push(raw, String(seenBucketOf(raw) + 1), url ?? '');
    }
    const flags = await scripts(redis).sdPartitionSeen(keyList.length, ...keyList, ...args);
    for (const f of flags) out.push(f === 1);
  }
  return out;
}

export interface DraftRecord extends SeenCandidate {
  draftId: string;
  /** Order in the review queue: higher first. */
  rank: number;
  /** Order by the item's date (the "age" sort): newer first. */
  age: number;
  json: string;
  /** The item as related coverage (JSON `Coverage`), recorded when its URL already belongs to another source's draft. */
  coverage?: string | undefined;
}

export type CommitOutcome = 'created' | 'duplicate' | 'related';

const OUTCOMES: Record<number, CommitOutcome> = { 0: 'duplicate', 1: 'created', 2: 'related' };
/** Re-reads of the url → draft mappings before a chunk is given up (only concurrent commits of the same URLs conflict). */
const CONFLICT_ROUNDS = 10;
const MERGE_HOPS = 4;

interface Target {
  /** The mapping read (url-drafts), checked again inside the script. */
  expected: string;
  /** The draft that receives the coverage: the mapped one, or the draft an editor merged it into. */
  target: string;
  /** The mapped draft, or one on its merge chain, is this source's own: a duplicate, not coverage. */
  sameChain: boolean;
  /** The target was itself merged when read (a chain longer than MERGE_HOPS): the script does not answer conflict for that. */
  targetMerged: boolean;
}

/** Which draft holds each URL (url-drafts), followed through editor merges; read before the script, checked in it. */
async function readTargets(redis: RedisClient, keys: Keys, sourceId: string, urlHashes: (string | undefined)[]): Promise<Target[]> {
  const present = [...new Set(urlHashes.filter((h): h is string => h !== undefined))];
  const byHash = await readMappings(redis, keys, present);
  const info = new Map<string, { sourceId: string; mergedInto: string | null } | null>();
  let pending = [...new Set([...byHash.values()].filter(Boolean))];
  for (let hop = 0; hop < MERGE_HOPS && pending.length; hop++) {
    const raw = await redis.mget(...pending.map((id) => keys.draft(id)));
    const next: string[] = [];
    pending.forEach((id, i) => {
      const d = parseDraftHead(raw[i] ?? null);
      info.set(id, d);
      if (d?.mergedInto && !info.has(d.mergedInto)) next.push(d.mergedInto);
    });
    pending = next;
  }
  return urlHashes.map((h) => {
    const expected = h ? byHash.get(h) ?? '' : '';
    let target = expected;
    let sameChain = false;
    for (let hop = 0; hop < MERGE_HOPS && target; hop++) {
      const d = info.get(target);
      if (!d) break;
      if (d.sourceId === sourceId) sameChain = true;
      if (!d.mergedInto || !info.has(d.mergedInto) || !info.get(d.mergedInto)) break;
      target = d.mergedInto;
    }
    return { expected, target: target && info.get(target) ? target : '', sameChain, targetMerged: Boolean(target && info.get(target)?.mergedInto) };
  });
}

/** URL digest → the draft its URL index entry names ('' for none), one HMGET per bucket in one pipeline. */
export async function readMappings(redis: RedisClient, keys: Keys, urlHashes: string[]): Promise<Map<string, string>> {
  const byBucket = new Map<string, string[]>();
  for (const h of urlHashes) {
    const key = urlKeyOf(keys, rawDigest(h));
    byBucket.set(key, [...(byBucket.get(key) ?? []), h]);
  }
  const out = new Map<string, string>();
  if (!byBucket.size) return out;
  const pipe = redis.pipeline();
  for (const [key, hs] of byBucket) pipe.hmgetBuffer(key, ...hs.map(rawDigest));
  const replies = (await pipe.exec()) ?? [];
  [...byBucket.values()].forEach((hs, j) => {
    const [err, values] = replies[j] ?? [null, []];
    if (err) throw err;
    hs.forEach((h, k) => out.set(h, mappingOf((values as (Buffer | null)[])[k]?.toString())));
  });
  return out;
}

function parseDraftHead(raw: string | null): { sourceId: string; mergedInto: string | null } | null {
  if (!raw) return null;
  try {
    const d = JSON.parse(raw) as { source?: { id?: unknown }; status?: unknown; mergedInto?: unknown };
    const sourceId = typeof d.source?.id === 'string' ? d.source.id : '';
    return { sourceId, mergedInto: d.status === 'merged' && typeof d.mergedInto === 'string' ? d.mergedInto : null };
  } catch {
    return null;
  }
}

/** The search entry of a draft as the commit stores it (a record that does not parse gets none: the rebuild skips it too). */
function entryOfJson(json: string): string {
  try {
    return searchEntry(JSON.parse(json) as SearchableDraft);
  } catch {
    return '';
  }
}

/** Commits in chunks of SCRIPT_CHUNK (see there why that keeps every item exactly once); returns, per draft, what became of it. */
export async function commitDrafts(redis: RedisClient, keys: Keys, sourceId: string, drafts: DraftRecord[], now: number, retentionMs: number): Promise<CommitOutcome[]> {
  const out: CommitOutcome[] = new Array<CommitOutcome>(drafts.length);
  for (let i = 0; i < drafts.length; i += SCRIPT_CHUNK) {
    let open = drafts.slice(i, i + SCRIPT_CHUNK).map((d, j) => ({ d, at: i + j }));
    for (let round = 0; open.length; round++) {
      if (round === CONFLICT_ROUNDS) {
        throw new SignalDeskError('commit_conflict', `ingest of ${sourceId}: ${open.length} items kept racing other commits for the same article URLs; the job retries them`);
      }
      const targets = await readTargets(redis, keys, sourceId, open.map(({ d }) => d.urlHash));
      const sweep = Number(await redis.hget(keys.seenTrim, '\u0000urls')) || 0;
      const sweepKeys = Array.from({ length: URL_SWEEP }, (_, k) => keys.urlIndex((sweep + k) % URL_BUCKETS));
      const keyList = [...seenBucketKeys(keys, sourceId), keys.review, keys.byAge('pending'), keys.seenTrim, ...sweepKeys, ...indexKeyList(keys)];
      const args: (string | Buffer)[] = [String(toMinute(now)), String(toMinute(now - retentionMs)), sourceId, String((sweep + URL_SWEEP) % URL_BUCKETS)];
      open.forEach(({ d }, j) => {
        const t = targets[j]!;
        const target = t.target || d.draftId;
        const raw = rawDigest(d.itemHash);
        const url = d.urlHash === undefined ? undefined : rawDigest(d.urlHash);
        keyList.push(keys.draft(d.draftId), keys.draft(target), keys.coverage(target), url ? urlKeyOf(keys, url) : keys.draft(d.draftId));
        args.push(raw, url ?? '', d.draftId, String(d.rank), String(d.age), d.json, d.coverage ?? '', t.expected, t.target, t.sameChain ? '1' : '0', entryOfJson(d.json), String(seenBucketOf(raw) + 1), t.targetMerged ? '0' : '1');
      });
      const flags = await scripts(redis).sdCommitDrafts(keyList.length, ...keyList, ...args);
      const retry: typeof open = [];
      flags.forEach((f, j) => {
        if (f === 3) retry.push(open[j]!);
        else out[open[j]!.at] = OUTCOMES[f] ?? 'duplicate';
      });
      open = retry;
    }
  }
  return out;
}
