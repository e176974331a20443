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

/** One HGETALL: the facet counts the index scripts keep per status. */
export async function readFacets(redis: RedisClient, keys: Keys, status: DraftStatus): Promise<Facets> {
  return groupFacets(await redis.hgetall(searchKeys(keys).facets(status)));
}
