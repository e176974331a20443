import { SignalDeskError } from '../errors.ts';
import { INDEX_KEYS_COUNT, indexKeyList, LUA_INDEX, searchEntry } from '../search/searchIndex.ts';
import type { SearchableDraft } from '../search/searchText.ts';
import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';
import type { RedisClient } from '../redisClient.ts';

/**
 * Read side of de-duplication, run by the poll worker before anything is queued: which of these items
 * were seen before *from this source*? Seen items get their sighting time refreshed (and their URL's, so an
 * article still listed somewhere keeps its url → draft mapping), so an item that stays in a feed for longer
 * than the retention window is not mistaken for new when its first sighting expires. An item whose URL
 * already has a draft from another source is not seen here: it goes on to the commit, which records it as
 * related coverage of that draft. An optimisation only: the atomic check that decides is in commitDrafts.
 */
const PARTITION = `
local now = ARGV[1]
local out = {}
for i = 2, #ARGV, 2 do
  local seen = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if seen then
    redis.call('ZADD', KEYS[1], 'XX', now, ARGV[i])
    if ARGV[i + 1] ~= '' then redis.call('ZADD', KEYS[2], 'XX', now, ARGV[i + 1]) end
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out`;

/** Entries kept in one draft's coverage list: the first sources to carry the article (one entry per source). */
export const COVERAGE_MAX = 50;

/**
 * Write side, run by the ingest worker: for each candidate, atomically (one Lua script, so no other
 * worker, retry or crash can interleave) decide it and write it:
 * - seen before from this source (its item digest in the source's seen set): a duplicate;
 * - its URL belongs to a draft (url-drafts: URL digest → draft id) of another source: related coverage of that
 *   draft, one entry per source appended to the draft's coverage list (capped at COVERAGE_MAX); a draft of the
 *   same source (or a seen URL without a mapping, written before mappings existed): a duplicate;
 * - else a new draft, added to the review queue (both its orders), its URL mapped to it, then marked seen.
 * The mapping the caller read before the call (`expected`, with the draft it resolves to through editor merges)
 * is checked here; when another commit changed it meanwhile the item is answered "conflict", nothing written,
 * and the caller reads again. Every key the script touches is in KEYS (legal on Redis Cluster).
 * Redis does not roll a script back when a command in it fails (a wrong key type, OOM), so the writes come in
 * an order that can stop anywhere without losing or duplicating the item: the indexes first (a retry adds them
 * again, and the desk skips an id without a draft), then the draft, then its URL mapping and marks, the
 * item's mark last. A coverage entry is appended before the item's mark, and a retry finds the source already
 * in the list, so it is never appended twice. A worker killed before a call leaves nothing of that chunk
 * behind; killed after, it leaves all of it, and the retry finds those items seen and drafts the rest.
 * Expired sightings (and the URL mappings of expired URLs) are trimmed in the same script, which keeps memory
 * bounded by the retention window.
 *
 * A new draft's search entry (search/searchIndex.ts) is written in the same call, before the draft, so a
 * draft is never in the queue without being found by search.
 *
 * KEYS: 1 seen(source), 2 seen-urls, 3 review, 4 by-age pending, 5 url-drafts, 6–19 the search index
 *       (postings, docs, facets per status and kind); per item: its draft, the target draft, the target's coverage list
 *       (the item's own when it has no target).
 * ARGV: 1 now, 2 cutoff, 3 source id; per item: item digest, URL digest or '', draft id, rank, age, draft JSON,
 *       coverage JSON or '', expected mapping or '', target draft id or '', "1" when the target's merge chain
 *       includes a draft of this source, search entry.
 * Returns per item: 0 duplicate, 1 created, 2 related, 3 conflict.
 */
const COMMIT = `${LUA_INDEX}
local now, cutoff, sourceId = ARGV[1], ARGV[2], ARGV[3]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. cutoff)
while true do
  local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. cutoff, 'LIMIT', 0, 500)
  if #old == 0 then break end
  redis.call('HDEL', KEYS[5], unpack(old))
  redis.call('ZREM', KEYS[2], unpack(old))
end
local out = {}
for i = 4, #ARGV, 11 do
  local n = (i - 4) / 11
  local kd, kt, kc = KEYS[${6 + INDEX_KEYS_COUNT} + n * 3], KEYS[${7 + INDEX_KEYS_COUNT} + n * 3], KEYS[${8 + INDEX_KEYS_COUNT} + n * 3]
  local itemHash, urlHash, draftId, rank, age, json, coverage, expected, target, sameChain, entry = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8], ARGV[i + 9], ARGV[i + 10]
  local result = 0
  local mapped = ''
  if urlHash ~= '' then mapped = redis.call('HGET', KEYS[5], urlHash) or '' end
  if redis.call('ZSCORE', KEYS[1], itemHash) then
    result = 0
  elseif mapped ~= expected then
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
    redis.call('ZADD', KEYS[2], 'XX', now, urlHash)
  elseif mapped == '' and urlHash ~= '' and redis.call('ZSCORE', KEYS[2], urlHash) then
    result = 0
  elseif redis.call('EXISTS', kd) == 0 then
    redis.call('ZADD', KEYS[3], rank, draftId)
    redis.call('ZADD', KEYS[4], age, draftId)
    sd_index(6, draftId, entry)
    redis.call('SET', kd, json)
    if urlHash ~= '' then
      redis.call('HSET', KEYS[5], urlHash, draftId)
      redis.call('ZADD', KEYS[2], now, urlHash)
    end
    result = 1
  elseif urlHash ~= '' and mapped == '' then
    -- A retry after a failure between the draft and its URL marks: finish them.
    redis.call('HSET', KEYS[5], urlHash, draftId)
    redis.call('ZADD', KEYS[2], now, urlHash)
  end
  if result ~= 3 then redis.call('ZADD', KEYS[1], now, itemHash) end
  out[#out + 1] = result
end
return out`;

type ScriptClient = {
  sdPartitionSeen(numKeys: number, ...args: string[]): Promise<number[]>;
  sdCommitDrafts(numKeys: number, ...args: string[]): Promise<number[]>;
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
  for (let i = 0; i < items.length; i += SCRIPT_CHUNK) {
    const args = [String(now)];
    for (const item of items.slice(i, i + SCRIPT_CHUNK)) args.push(item.itemHash, item.urlHash ?? '');
    const flags = await scripts(redis).sdPartitionSeen(2, keys.seen(sourceId), keys.seenUrls, ...args);
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
}

/** Which draft holds each URL (url-drafts), followed through editor merges; read before the script, checked in it. */
async function readTargets(redis: RedisClient, keys: Keys, sourceId: string, urlHashes: (string | undefined)[]): Promise<Target[]> {
  const present = urlHashes.filter((h): h is string => h !== undefined);
  const mapped = present.length ? await redis.hmget(keys.urlDrafts, ...present) : [];
  const byHash = new Map(present.map((h, i) => [h, mapped[i] ?? '']));
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
    return { expected, target: target && info.get(target) ? target : '', sameChain };
  });
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
      const keyList = [keys.seen(sourceId), keys.seenUrls, keys.review, keys.byAge('pending'), keys.urlDrafts, ...indexKeyList(keys)];
      const args = [String(now), String(now - retentionMs), sourceId];
      open.forEach(({ d }, j) => {
        const t = targets[j]!;
        const target = t.target || d.draftId;
        keyList.push(keys.draft(d.draftId), keys.draft(target), keys.coverage(target));
        args.push(d.itemHash, d.urlHash ?? '', d.draftId, String(d.rank), String(d.age), d.json, d.coverage ?? '', t.expected, t.target, t.sameChain ? '1' : '0', entryOfJson(d.json));
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
