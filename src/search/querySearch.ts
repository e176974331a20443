import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';
import type { RedisClient } from '../redisClient.ts';
import { LUA_AFTER, type IndexEntry } from '../review/walkIndex.ts';
import { searchKeys } from './searchIndex.ts';
import type { SearchTerm } from './searchText.ts';

/** A term found in at most this many postings is read whole (its drafts ranked in the script); a commoner one is checked while walking the status index. */
export const CANDIDATES_MAX = 20_000;
/** Index entries one call walks at most (a common term rare in this status): the next call goes on from there. */
export const WALK_MAX = 5_000;

/**
 * One page of drafts that have every term, in the order of a status index (by score or by age), after a
 * position (score, id) as walkIndex orders it: the rest of its tie group, then lower scores.
 * Each term's postings are counted (ZLEXCOUNT); a term with none ends the search. When the rarest term has at
 * most CANDIDATES_MAX postings, its drafts (and those of the other rare terms, intersected) are the
 * candidates: the others' terms are checked on their index entry, the status on the index (ZMSCORE), and the
 * rest ranked here. Otherwise the status index is walked from the position and each entry checked, at most
 * WALK_MAX entries a call.
 * KEYS: 1 postings, 2 docs, 3 status index. ARGV: 1 position score ('' from the top), 2 position id, 3 how many,
 *       4 CANDIDATES_MAX, then per term "p<prefix>" or "e<exact token>".
 * Returns {'more'|'done', last score, last id, entries walked, id, score, id, score…}; "last" is where the next call goes on.
 */
const SEARCH = `${LUA_AFTER}
local posRaw, posId, want, candidatesMax = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local terms = {}
for i = 5, #ARGV do
  local kind, text = string.sub(ARGV[i], 1, 1), string.sub(ARGV[i], 2)
  local lo, hi
  if kind == 'e' then lo, hi = '[' .. text .. '\\0', '[' .. text .. '\\0\\255' else lo, hi = '[' .. text, '[' .. text .. '\\255' end
  local n = redis.call('ZLEXCOUNT', KEYS[1], lo, hi)
  if n == 0 then return {'done', '', '', '0'} end
  local needle = '\\n' .. text
  if kind == 'e' then needle = needle .. '\\n' end
  terms[#terms + 1] = {lo = lo, hi = hi, n = n, needle = needle}
end
table.sort(terms, function(a, b) return a.n < b.n end)
local function entryHas(entry, from)
  if not entry then return false end
  for j = from, #terms do
    if not string.find(entry, terms[j].needle, 1, true) then return false end
  end
  return true
end
local function hmget(ids)
  local out = {}
  for s = 1, #ids, 500 do
    local part = redis.call('HMGET', KEYS[2], unpack(ids, s, math.min(#ids, s + 499)))
    for j = 1, #part do out[#out + 1] = part[j] end
  end
  return out
end
local pos = tonumber(posRaw)
local function after(s, id)
  if not pos then return true end
  return s < pos or (s == pos and id < posId)
end

if terms[1].n <= candidatesMax then
  local set, rare = nil, 0
  for j = 1, #terms do
    if terms[j].n > candidatesMax then break end
    rare = j
    local found = {}
    local off = 0
    while off < terms[j].n do
      local chunk = redis.call('ZRANGEBYLEX', KEYS[1], terms[j].lo, terms[j].hi, 'LIMIT', off, 2000)
      if #chunk == 0 then break end
      off = off + #chunk
      for _, m in ipairs(chunk) do
        local id = string.sub(m, string.find(m, '\\0', 1, true) + 1)
        if not set or set[id] then found[id] = true end
      end
    end
    set = found
  end
  local ids = {}
  for id in pairs(set) do ids[#ids + 1] = id end
  if rare < #terms and #ids > 0 then
    local entries, kept = hmget(ids), {}
    for j = 1, #ids do if entryHas(entries[j], rare + 1) then kept[#kept + 1] = ids[j] end end
    ids = kept
  end
  local hits = {}
  for s = 1, #ids, 500 do
    local part = {unpack(ids, s, math.min(#ids, s + 499))}
    local scores = redis.call('ZMSCORE', KEYS[3], unpack(part))
    for j = 1, #part do
      if scores[j] then
        local v = tonumber(scores[j])
        if after(v, part[j]) then hits[#hits + 1] = {part[j], v, scores[j]} end
      end
    end
  end
  table.sort(hits, function(a, b) if a[2] ~= b[2] then return a[2] > b[2] end return a[1] > b[1] end)
  local out = {#hits > want and 'more' or 'done', '', '', tostring(math.min(want, #hits))}
  for j = 1, math.min(want, #hits) do
    out[#out + 1] = hits[j][1]
    out[#out + 1] = hits[j][3]
  end
  if #hits > want then out[2], out[3] = hits[want][3], hits[want][1] end
  return out
end

local out = {'done', '', '', '0'}
local found, walked = 0, 0
while found < want and walked < ${WALK_MAX} do
  local batch = {}
  if posRaw ~= '' then
    batch = sd_after(KEYS[3], posRaw, posId, 500)
  else
    batch = redis.call('ZREVRANGEBYSCORE', KEYS[3], '+inf', '-inf', 'WITHSCORES', 'LIMIT', 0, 500)
  end
  if #batch == 0 then out[4] = tostring(walked) return out end
  local ids = {}
  for j = 1, #batch, 2 do ids[#ids + 1] = batch[j] end
  local entries = hmget(ids)
  for j = 1, #ids do
    walked = walked + 1
    posRaw, posId = batch[2 * j], ids[j]
    if entryHas(entries[j], 1) then
      out[#out + 1] = ids[j]
      out[#out + 1] = batch[2 * j]
      found = found + 1
      if found == want then break end
    end
    if walked >= ${WALK_MAX} then break end
  end
end
out[1], out[2], out[3], out[4] = 'more', posRaw, posId, tostring(walked)
return out`;

type Scripted = { sdSearchDrafts(numKeys: number, ...args: string[]): Promise<string[]> };

const BATCH = 200;

/** Terms as the script takes them. */
export function termArgs(terms: readonly SearchTerm[]): string[] {
  return terms.map((t) => `${t.prefix ? 'p' : 'e'}${t.text}`);
}

/**
 * Walks the drafts of a status index that have every term, best first, in batches, starting after `from`:
 * the same order and positions as walkIndex, so the desk's cursors work for both. Each batch's last entry
 * carries in `walked` the index entries the script read to reach it (its own included), so a caller's
 * per-request budget counts the entries skipped too; a walk that found nothing in WALK_MAX entries yields
 * its position alone (an entry that lacks a term: the caller's own check drops it, and a cursor there goes
 * on from there). The walk goes on until the index ends.
 */
export async function* searchIndex(redis: RedisClient, keys: Keys, index: string, terms: readonly SearchTerm[], from?: IndexEntry, candidatesMax = CANDIDATES_MAX): AsyncGenerator<IndexEntry[]> {
  const s = searchKeys(keys);
  const scripted = withScripts<Scripted>(redis, { sdSearchDrafts: SEARCH });
  let pos: { s: string; id: string } | undefined = from ? { s: String(from.s), id: from.id } : undefined;
  const args = termArgs(terms);
  for (;;) {
    const [state, lastS, lastId, walkedRaw, ...flat] = await scripted.sdSearchDrafts(3, s.postings, s.docs, index, pos?.s ?? '', pos?.id ?? '', String(BATCH), String(candidatesMax), ...args);
    const batch: IndexEntry[] = [];
    for (let i = 0; i < flat.length; i += 2) batch.push({ id: flat[i]!, s: Number(flat[i + 1]) });
    const walked = Number(walkedRaw);
    const more = state === 'more' && !!lastId;
    // The walk went past its last match: its position is an entry of the batch too, so a cursor resumes there.
    if (more && batch.at(-1)?.id !== lastId) batch.push({ id: lastId!, s: Number(lastS) });
    const tail = batch.at(-1);
    if (tail && walked > batch.length) tail.walked = walked - batch.length + 1;
    yield batch;
    if (!more) return;
    pos = { s: lastS!, id: lastId! };
  }
}
