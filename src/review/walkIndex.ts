import { z } from 'zod';
import { DeskError } from '../errors.ts';
import { withScripts } from '../queue/scripts.ts';
import type { RedisClient } from '../redisClient.ts';

const SCAN_BATCH = 200;

export interface IndexEntry {
  id: string;
  s: number;
  /** Index entries read to reach this one, itself included, when more than one (the search index's walk skips the drafts that lack a term): what it costs a request's budget. */
  walked?: number;
}

const Cursor = z.object({ s: z.number(), id: z.string() });

function pairs(raw: string[]): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (let i = 0; i < raw.length; i += 2) out.push({ id: raw[i]!, s: Number(raw[i + 1]) });
  return out;
}

/**
 * Lua: `sd_after(key, posRaw, posId, n)`: up to n entries (id, score, id, score…) of sorted set `key` after the
 * position (score, id) in its descending order: the rest of the position's tie group, then lower scores. When
 * the position's member is still there with that score, by its rank (ZREVRANK then ZREVRANGE: a page, whatever
 * the size of its tie group, which one poll's undated drafts make thousands long); otherwise (it was decided or
 * rescored) the tie group is read 1,000 at a time, keeping the members after the id.
 */
export const LUA_AFTER = `
local function sd_after(key, posRaw, posId, n)
  local rank = redis.call('ZREVRANK', key, posId)
  if rank and tonumber(redis.call('ZSCORE', key, posId)) == tonumber(posRaw) then
    return redis.call('ZREVRANGE', key, rank + 1, rank + n, 'WITHSCORES')
  end
  local out, off = {}, 0
  while #out < 2 * n do
    local tie = redis.call('ZREVRANGEBYSCORE', key, posRaw, posRaw, 'WITHSCORES', 'LIMIT', off, 1000)
    if #tie == 0 then break end
    off = off + #tie / 2
    for j = 1, #tie, 2 do
      if #out >= 2 * n then break end
      if tie[j] < posId then out[#out + 1] = tie[j]; out[#out + 1] = tie[j + 1] end
    end
  end
  if #out < 2 * n then
    local rest = redis.call('ZREVRANGEBYSCORE', key, '(' .. posRaw, '-inf', 'WITHSCORES', 'LIMIT', 0, n - #out / 2)
    for j = 1, #rest do out[#out + 1] = rest[j] end
  end
  return out
end
`;

const AFTER = `${LUA_AFTER}
return sd_after(KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]))`;

type Scripted = { sdIndexAfter(numKeys: number, ...args: string[]): Promise<string[]> };

/**
 * Walks a sorted set from the highest score down, in batches, starting after `from`. Equal scores are
 * common (one poll's drafts share a discovery time) and Redis orders them by member, descending; so a
 * position is (score, id): the rest of its tie group first, then everything strictly below the score
 * (LUA_AFTER: a batch at a time, however long the tie group).
 */
export async function* walkIndex(redis: RedisClient, index: string, from?: IndexEntry): AsyncGenerator<IndexEntry[]> {
  const scripted = withScripts<Scripted>(redis, { sdIndexAfter: AFTER });
  let pos = from;
  for (;;) {
    const batch = pos
      ? pairs(await scripted.sdIndexAfter(1, index, String(pos.s), pos.id, String(SCAN_BATCH)))
      : pairs(await redis.zrevrangebyscore(index, '+inf', '-inf', 'WITHSCORES', 'LIMIT', 0, SCAN_BATCH));
    if (batch.length === 0) return;
    yield batch;
    pos = batch[batch.length - 1];
  }
}

export function encodeCursor(c: IndexEntry): string {
  return Buffer.from(JSON.stringify({ s: c.s, id: c.id })).toString('base64url');
}

export function decodeCursor(text: string): IndexEntry {
  try {
    return Cursor.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new DeskError('invalid_fields', 'cursor is not one this server issued: pass back nextCursor unchanged', { fields: { cursor: 'not a cursor from a previous page' } });
  }
}
