import { DRAFT_STATUSES, type DraftStatus } from '../drafts/schema.ts';
import type { Keys } from '../queue/keys.ts';
import { draftFacets, draftTokens, type SearchableDraft } from './searchText.ts';

/**
 * The desk's search index in Redis, kept by the same Lua scripts that write drafts (the ingest commit and the
 * desk's apply script, which every editor, annotate, enrich and story write goes through), so a draft and its
 * index entry change together or not at all.
 *
 * - `postings` (sorted set, every score 0): member `<token>\0<draftId>`; a word prefix is one ZRANGEBYLEX range,
 *   a CJK character pair or a filter token (`\x01t:<tag>`, `\x01c:<category>`, `\x01s:<source id or name>`) an exact one.
 * - `docs` (hash): draft id → its entry: the status its facets are counted under, then one line per token and
 *   per facet (`\x02<kind>\0<value>`); what the scripts remove when the draft changes.
 * - `facets:<status>:<c|s|t>` (hash per status and kind: category, source, tag): value → drafts in that status
 *   that have it (the filter pick lists); a source's value is `<id>\0<name>`.
 * - `version` (string): the index is complete for this SEARCH_VERSION; without it queries walk the drafts and a
 *   rebuild starts (rebuildSearch.ts).
 */
// '2': tags, source, author and excerpt have shares of their own (searchText.ts TOKENS_PER_DRAFT); an index of '1' lacks tokens and is rebuilt.
export const SEARCH_VERSION = '2';

/** Facet kinds, in the order their hashes follow each other in the scripts' KEYS: category, source, tag. */
export const FACET_KINDS = ['c', 's', 't'] as const;
export type FacetKind = (typeof FACET_KINDS)[number];

export interface SearchKeys {
  postings: string;
  docs: string;
  facets(status: DraftStatus, kind: FacetKind): string;
  version: string;
  rebuildLock: string;
}

export function searchKeys(keys: Keys): SearchKeys {
  return {
    postings: `${keys.prefix}:search:postings`,
    docs: `${keys.prefix}:search:docs`,
    facets: (status, kind) => `${keys.prefix}:search:facets:${status}:${kind}`,
    version: `${keys.prefix}:search:version`,
    rebuildLock: `${keys.prefix}:search:rebuild`,
  };
}

/** The keys every indexing script takes, in this order (INDEX_KEYS_COUNT of them): postings, docs, then per status its facet hashes per kind. */
export function indexKeyList(keys: Keys): string[] {
  const s = searchKeys(keys);
  return [s.postings, s.docs, ...DRAFT_STATUSES.flatMap((st) => FACET_KINDS.map((k) => s.facets(st, k)))];
}
export const INDEX_KEYS_COUNT = 2 + DRAFT_STATUSES.length * FACET_KINDS.length;

/** A draft's index entry (see above). Pure. */
export function searchEntry(d: SearchableDraft): string {
  const { words, filters } = draftTokens(d);
  return `${d.status}\n${[...words, ...filters, ...draftFacets(d).map((f) => `\u0002${f}`)].join('\n')}\n`;
}

/**
 * Lua: `sd_index(base, id, entry)` replaces draft `id`'s index entry by `entry` ('' removes it). `base` is the
 * KEYS position of the postings key (INDEX_KEYS order follows). Only the difference is written. Placed before
 * the draft's own write in each script, so a script stopped by a failing command leaves an entry that the
 * query checks against the draft anyway (a candidate too many, never a draft hidden by a crash).
 */
export const LUA_INDEX = `
local SD_STATUS = {pending = 0, approved = 1, rejected = 2, merged = 3}
local SD_KIND = {c = 0, s = 1, t = 2}
-- A facet line: \x02, its kind, \0, its value. Its hash: per status, per kind.
local function sd_facet(base, status, line)
  local s, k = SD_STATUS[status], SD_KIND[string.sub(line, 2, 2)]
  if not s or not k then return nil end
  return KEYS[base + 2 + s * 3 + k], string.sub(line, 4)
end
local function sd_lines(entry)
  local out, status = {}, nil
  for line in string.gmatch(entry, '[^\\n]+') do
    if not status then status = line else out[line] = true end
  end
  return status, out
end
local function sd_index(base, id, entry)
  local docs = KEYS[base + 1]
  local old = redis.call('HGET', docs, id)
  if old == entry then return end
  local oldStatus, oldLines = nil, {}
  if old then oldStatus, oldLines = sd_lines(old) end
  local newStatus, newLines = nil, {}
  if entry ~= '' then newStatus, newLines = sd_lines(entry) end
  for line in pairs(oldLines) do
    if string.byte(line, 1) == 2 then
      local f, field = sd_facet(base, oldStatus, line)
      if f and (oldStatus ~= newStatus or not newLines[line]) then
        if redis.call('HINCRBY', f, field, -1) <= 0 then redis.call('HDEL', f, field) end
      end
    elseif not newLines[line] then
      redis.call('ZREM', KEYS[base], line .. '\\0' .. id)
    end
  end
  for line in pairs(newLines) do
    if string.byte(line, 1) == 2 then
      local f, field = sd_facet(base, newStatus, line)
      if f and (oldStatus ~= newStatus or not oldLines[line]) then redis.call('HINCRBY', f, field, 1) end
    elseif not oldLines[line] then
      redis.call('ZADD', KEYS[base], 0, line .. '\\0' .. id)
    end
  end
  if entry == '' then redis.call('HDEL', docs, id) else redis.call('HSET', docs, id, entry) end
end
`;
