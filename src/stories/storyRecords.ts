import { withScripts } from '../queue/scripts.ts';
import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';
import { StoryRecord } from './storyRecord.ts';

/** Story records outlive the clustering window by this much: a story's queue row stays whole while its drafts wait for review. */
export const STORY_RECORD_TTL_MS = 30 * 86_400_000;

/**
 * Compare-and-set of several story records (all keys in KEYS, legal on Redis Cluster): each key must still hold
 * exactly what was read (or still be absent), then each is set (or deleted when the new value is empty).
 * ARGV: ttl ms, then per key: expected ("" = absent), next ("" = delete).
 */
const CAS_STORIES = `
local n = #KEYS
for i = 1, n do
  local cur = redis.call('GET', KEYS[i]) or ''
  if cur ~= ARGV[1 + (i - 1) * 2 + 1] then return 0 end
end
for i = 1, n do
  local nextv = ARGV[1 + (i - 1) * 2 + 2]
  if nextv == '' then redis.call('DEL', KEYS[i]) else redis.call('SET', KEYS[i], nextv, 'PX', ARGV[1]) end
end
return 1
`;

interface StoryScripts {
  casStories(numKeys: number, ...args: string[]): Promise<number>;
}

export async function getStoryRecords(redis: RedisClient, keys: Keys, ids: string[]): Promise<Map<string, StoryRecord>> {
  const out = new Map<string, StoryRecord>();
  if (ids.length === 0) return out;
  const raw = await redis.mget(...ids.map((id) => keys.story(id)));
  raw.forEach((json, i) => {
    const parsed = json ? StoryRecord.safeParse(safeJson(json)) : undefined;
    if (parsed?.success) out.set(ids[i]!, parsed.data);
  });
  return out;
}

/**
 * Changes story records together, safely against every other writer (the story stage in any worker process, an
 * editor's split or move in any desk process): reads them, lets `change` return the new records (null deletes,
 * a record left out is unchanged), and writes them only if none changed meanwhile; otherwise reads again.
 */
export async function updateStoryRecords(
  redis: RedisClient,
  keys: Keys,
  ids: string[],
  change: (records: Map<string, StoryRecord>) => Map<string, StoryRecord | null>,
  attempts = 20,
): Promise<Map<string, StoryRecord | null>> {
  const r = withScripts<StoryScripts>(redis, { casStories: CAS_STORIES });
  const unique = [...new Set(ids)];
  for (let attempt = 0; attempt < attempts; attempt++) {
    const raw = unique.length ? await redis.mget(...unique.map((id) => keys.story(id))) : [];
    const records = new Map<string, StoryRecord>();
    raw.forEach((json, i) => {
      const parsed = json ? StoryRecord.safeParse(safeJson(json)) : undefined;
      if (parsed?.success) records.set(unique[i]!, parsed.data);
    });
    const next = change(records);
    const touched = [...next.keys()];
    if (touched.length === 0) return next;
    const args: string[] = [String(STORY_RECORD_TTL_MS)];
    for (const id of touched) {
      const idx = unique.indexOf(id);
      args.push(idx >= 0 ? (raw[idx] ?? '') : '');
      const value = next.get(id);
      args.push(value ? JSON.stringify(StoryRecord.parse(value)) : '');
    }
    // A key that was not read first (a new story) must be absent: its expected value is ''.
    if (await r.casStories(touched.length, ...touched.map((id) => keys.story(id)), ...args)) return next;
  }
  throw new Error(`story records ${unique.join(', ')} kept changing while being written (${attempts} tries)`);
}

function safeJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}
