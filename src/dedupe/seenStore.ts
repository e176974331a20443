import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';
import type { RedisClient } from '../redisClient.ts';

/**
 * Read side of de-duplication, run by the poll worker before anything is queued: which of these items
 * were seen before? Seen items get their sighting time refreshed, so an item that stays in a feed for
 * longer than the retention window is not mistaken for new when its first sighting expires.
 * An optimisation only: the atomic check that decides is in commitDrafts.
 */
const PARTITION = `
local now = ARGV[1]
local out = {}
for i = 2, #ARGV, 2 do
  local seen = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if not seen and ARGV[i + 1] ~= '' then seen = redis.call('ZSCORE', KEYS[2], ARGV[i + 1]) end
  if seen then
    redis.call('ZADD', KEYS[1], 'XX', now, ARGV[i])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out`;

/**
 * Write side, run by the ingest worker: for each candidate, atomically (one Lua script, so no other
 * worker, retry or crash can interleave) either record it as a duplicate or create its draft, add it to
 * the review queue (both its orders) and only then mark it seen. Redis does not roll a script back when a
 * command in it fails (a wrong key type, OOM), so the writes come in an order that can stop anywhere without
 * losing the item: the indexes first (a retry adds them again, and the desk skips an id without a draft),
 * then the draft, then its URL and item marked seen. A worker killed before a call leaves nothing
 * of that chunk behind; killed after, it leaves all of it, and the retry finds those items seen and drafts
 * the rest. Expired sightings are trimmed in the same script, which keeps memory bounded by the retention window.
 */
const COMMIT = `
local now, cutoff = ARGV[1], ARGV[2]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. cutoff)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. cutoff)
local out = {}
for i = 3, #ARGV, 6 do
  local n = (i - 3) / 6
  local itemHash, urlHash, draftId, rank, age, json = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  local dup = redis.call('ZSCORE', KEYS[1], itemHash)
  if not dup and urlHash ~= '' then dup = redis.call('ZSCORE', KEYS[2], urlHash) end
  if not dup and redis.call('EXISTS', KEYS[5 + n]) == 0 then
    redis.call('ZADD', KEYS[3], rank, draftId)
    redis.call('ZADD', KEYS[4], age, draftId)
    redis.call('SET', KEYS[5 + n], json)
    if urlHash ~= '' then redis.call('ZADD', KEYS[2], now, urlHash) end
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
  redis.call('ZADD', KEYS[1], now, itemHash)
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
 * duplicate or new draft) reads and writes only that item's own members (its item digest, its URL digest,
 * its draft key), and those sets only grow between trims. So an item is decided by exactly one call, whatever
 * other calls (another chunk, another job, another worker) ran before or after it; no decision spans items.
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
}

/** Commits in chunks of SCRIPT_CHUNK (see there why that keeps every item exactly once); returns, per draft, whether it was created. */
export async function commitDrafts(redis: RedisClient, keys: Keys, sourceId: string, drafts: DraftRecord[], now: number, retentionMs: number): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < drafts.length; i += SCRIPT_CHUNK) {
    const chunk = drafts.slice(i, i + SCRIPT_CHUNK);
    const keyList = [keys.seen(sourceId), keys.seenUrls, keys.review, keys.byAge('pending')];
    const args = [String(now), String(now - retentionMs)];
    for (const d of chunk) {
      keyList.push(keys.draft(d.draftId));
      args.push(d.itemHash, d.urlHash ?? '', d.draftId, String(d.rank), String(d.age), d.json);
    }
    const flags = await scripts(redis).sdCommitDrafts(keyList.length, ...keyList, ...args);
    for (const f of flags) out.push(f === 1);
  }
  return out;
}
