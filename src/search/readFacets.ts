import type { DraftStatus } from '../drafts/schema.ts';
import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';
import { searchKeys } from './searchIndex.ts';
import { filterValue } from './searchText.ts';

export interface FacetValue {
  value: string;
  count: number;
}

export interface SourceFacet {
  id: string;
  name: string;
  count: number;
}

/** The values the filters can take among drafts of one status, most common first: what the queue's pick lists offer. */
export interface Facets {
  categories: FacetValue[];
  sources: SourceFacet[];
  tags: FacetValue[];
  /** Set when there were more distinct tags than TAGS_READ_MAX (`tags` is from a sample of them), or while the index is rebuilt (`rebuilding`: every count may be low). */
  partial?: boolean;
  /** Set while the search index is being rebuilt: the counts are of the drafts indexed so far. */
  rebuilding?: boolean;
}

/** Values listed per kind at most (the commonest). */
export const FACETS_MAX = 300;

const byCount = <T extends { count: number }>(a: T, b: T, name: (x: T) => string) => b.count - a.count || name(a).localeCompare(name(b));

/**
 * Groups the stored facet counts (`kind \0 value`) for people: values that fold alike ("AI", "ai") are one, shown
 * as their commonest spelling; a source is one entry per id, under its commonest name. Pure.
 */
export function groupFacets(raw: Record<string, string>): Facets {
  const values = { c: new Map<string, Map<string, number>>(), t: new Map<string, Map<string, number>>() };
  const sources = new Map<string, Map<string, number>>();
  for (const [field, n] of Object.entries(raw)) {
    const count = Number(n);
    if (!(count > 0)) continue;
    const [kind, a = '', b = ''] = field.split('\u0000');
    const group = kind === 's' ? sources : kind === 'c' || kind === 't' ? values[kind] : undefined;
    if (!group) continue;
    const key = kind === 's' ? a : filterValue(a);
    const shown = kind === 's' ? b || a : a;
    const spellings = group.get(key) ?? new Map<string, number>();
    spellings.set(shown, (spellings.get(shown) ?? 0) + count);
    group.set(key, spellings);
  }
  const top = (spellings: Map<string, number>) => [...spellings].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))[0]![0];
  const total = (spellings: Map<string, number>) => [...spellings.values()].reduce((x, y) => x + y, 0);
  const list = (group: Map<string, Map<string, number>>) =>
    [...group.values()]
      .map((sp) => ({ value: top(sp), count: total(sp) }))
      .sort((x, y) => byCount(x, y, (v) => v.value))
      .slice(0, FACETS_MAX);
  return {
    categories: list(values.c),
    tags: list(values.t),
    sources: [...sources]
      .map(([id, sp]) => ({ id, name: top(sp), count: total(sp) }))
      .sort((x, y) => byCount(x, y, (v) => v.name))
      .slice(0, FACETS_MAX),
  };
}

/** Tag values read at most (a feed can invent thousands of tags): past it, a sample, and `partial` says so. */
export const TAGS_READ_MAX = 5_000;

/** The facet counts the index scripts keep per status: categories and sources whole (one HGETALL each), tags up to TAGS_READ_MAX. */
export async function readFacets(redis: RedisClient, keys: Keys, status: DraftStatus): Promise<Facets> {
  const s = searchKeys(keys);
  const [categories, sources, tagCount] = await Promise.all([redis.hgetall(s.facets(status, 'c')), redis.hgetall(s.facets(status, 's')), redis.hlen(s.facets(status, 't'))]);
  let tags: Record<string, string> = {};
  if (tagCount <= TAGS_READ_MAX) tags = await redis.hgetall(s.facets(status, 't'));
  else {
    let cursor = '0';
    do {
      const [next, flat] = await redis.hscan(s.facets(status, 't'), cursor, 'COUNT', 1000);
      cursor = next;
      for (let i = 0; i < flat.length; i += 2) tags[flat[i]!] = flat[i + 1]!;
    } while (cursor !== '0' && Object.keys(tags).length < TAGS_READ_MAX);
  }
  const raw: Record<string, string> = {};
  for (const [kind, values] of [['c', categories], ['s', sources], ['t', tags]] as const) for (const [field, n] of Object.entries(values)) raw[`${kind}\u0000${field}`] = n;
  return { ...groupFacets(raw), partial: tagCount > TAGS_READ_MAX };
}
