import { Mutex } from 'redis-semaphore';
import { DRAFT_STATUSES } from '../drafts/schema.ts';
import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';
import type { RedisClient } from '../redisClient.ts';
import { indexKeyList, INDEX_KEYS_COUNT, LUA_INDEX, SEARCH_VERSION, searchEntry, searchKeys } from './searchIndex.ts';
import type { SearchableDraft } from './searchText.ts';

/**
 * Indexes drafts read during a rebuild, each only if its JSON is still what was read (a writer in between
 * indexed it itself). KEYS: the index keys (INDEX_KEYS order), then one draft key per draft.
 * ARGV: per draft: id, JSON read, entry. Returns how many were written.
 */
const REINDEX = `${LUA_INDEX}
local written = 0
for i = 1, #ARGV, 3 do
  local n = (i - 1) / 3
  if redis.call('GET', KEYS[${INDEX_KEYS_COUNT} + 1 + n]) == ARGV[i + 1] then
    sd_index(1, ARGV[i], ARGV[i + 2])
    written = written + 1
  end
end
return written`;

type Scripted = { sdReindexDrafts(numKeys: number, ...args: string[]): Promise<number> };

const BATCH = 200;
/** How long a rebuild holds its lock without a refresh (a killed process) before another process may start one. */
const LOCK_MS = 60_000;

/** redis-semaphore's Mutex on the rebuild key: one rebuild at a time across processes, refreshed while held. */
export function rebuildMutex(redis: RedisClient, keys: Keys): Mutex {
  return new Mutex(redis as never, searchKeys(keys).rebuildLock, { lockTimeout: LOCK_MS, acquireAttemptsLimit: 1, refreshInterval: LOCK_MS / 6, onLockLost: () => {} });
}

export interface RebuildReport {
  /** Drafts indexed. */
  indexed: number;
  /** false when another process was already rebuilding (nothing done here). */
  ran: boolean;
}

function entryOf(json: string): string | undefined {
  try {
    return searchEntry(JSON.parse(json) as SearchableDraft);
  } catch {
    return undefined;
  }
}

/**
 * Builds the search index afresh from the drafts (every status index, by ZSCAN: a draft present for the whole
 * walk is met; one that changes meanwhile is indexed by the script that changed it, which runs after the old
 * index was dropped). One process at a time (redis-semaphore's Mutex, refreshed while held); the version key is written at
 * the end, and until then queries walk the drafts instead of trusting the index. Safe while workers and
 * editors run. `signal-desk migrate` runs it; the desk starts one when the version key is missing (a first
 * start, or Redis restarted empty).
 */
export async function rebuildSearch(redis: RedisClient, keys: Keys): Promise<RebuildReport> {
  const s = searchKeys(keys);
  const mutex = rebuildMutex(redis, keys);
  if (!(await mutex.tryAcquire())) return { indexed: 0, ran: false };
  const scripted = withScripts<Scripted>(redis, { sdReindexDrafts: REINDEX });
  let indexed = 0;
  try {
    await redis.del(s.version, ...indexKeyList(keys));
    for (const index of DRAFT_STATUSES.map((st) => keys.byAge(st))) {
      let cursor = '0';
      do {
        const [next, raw] = await redis.zscan(index, cursor, 'COUNT', BATCH);
        cursor = next;
        const ids = raw.filter((_, i) => i % 2 === 0);
        if (ids.length === 0) continue;
        const jsons = await redis.mget(...ids.map((id) => keys.draft(id)));
        const draftKeys: string[] = [];
        const args: string[] = [];
        ids.forEach((id, i) => {
          const json = jsons[i];
          const entry = json ? entryOf(json) : undefined;
          if (!json || entry === undefined) return;
          draftKeys.push(keys.draft(id));
          args.push(id, json, entry);
        });
        if (draftKeys.length) indexed += await scripted.sdReindexDrafts(INDEX_KEYS_COUNT + draftKeys.length, ...indexKeyList(keys), ...draftKeys, ...args);
      } while (cursor !== '0');
    }
    // A rebuild that lost its lock (stalled past LOCK_MS) leaves the version to the one that took over.
    if (mutex.isAcquired) await redis.set(s.version, SEARCH_VERSION);
    return { indexed, ran: true };
  } finally {
    await mutex.release();
  }
}

const running = new WeakMap<RedisClient, Promise<unknown>>();

/** A missing index over at most this many drafts is rebuilt before the query answers; a bigger one in the background. */
export const INLINE_REBUILD_MAX = 2_000;

/**
 * Whether the index can be trusted (its version key says this SEARCH_VERSION). When not, it is rebuilt: at once
 * for a small desk, else in the background (one per process; across processes, the lock) while the caller
 * walks the drafts.
 */
export async function searchReady(redis: RedisClient, keys: Keys): Promise<boolean> {
  if ((await redis.get(searchKeys(keys).version)) === SEARCH_VERSION) return true;
  const sizes = await Promise.all(DRAFT_STATUSES.map((st) => redis.zcard(keys.byAge(st))));
  if (sizes.reduce((a, b) => a + b, 0) <= INLINE_REBUILD_MAX) return (await rebuildSearch(redis, keys)).ran;
  if (!running.has(redis)) {
    const job = rebuildSearch(redis, keys)
      .catch(() => undefined)
      .finally(() => running.delete(redis));
    running.set(redis, job);
  }
  return false;
}

/** The rebuild this client started, if one is running (tests and the CLI wait for it). */
export function pendingRebuild(redis: RedisClient): Promise<unknown> | undefined {
  return running.get(redis);
}
