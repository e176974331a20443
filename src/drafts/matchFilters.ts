import type { RawItem } from '../parse/types.ts';

export interface KeywordFilters {
  include: string[];
  exclude: string[];
}

/**
 * Operator keyword filters over title, summary and categories, case-insensitive, on word boundaries
 * ("AI" matches "AI chips", not "said"). With an include list an item must match one of it; it must
 * match nothing in the exclude list.
 */
export function matchFilters(item: RawItem, filters: KeywordFilters): boolean {
  if (filters.include.length === 0 && filters.exclude.length === 0) return true;
  const haystack = [item.title, item.summary, ...item.categories].filter(Boolean).join('\n');
  const has = (word: string) => new RegExp(`(^|[^\\p{L}\\p{N}])${escape(word)}($|[^\\p{L}\\p{N}])`, 'iu').test(haystack);
  if (filters.include.length > 0 && !filters.include.some(has)) return false;
  return !filters.exclude.some(has);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
