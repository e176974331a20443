import type { CheerioAPI } from 'cheerio';
import type { ArticleDates, JsonLdNode } from '../types.ts';

export interface DateInput {
  $: CheerioAPI;
  pageUrl: string;
  /** Every JSON-LD object of the page, flattened (graph nodes, array elements). */
  nodes: JsonLdNode[];
}

/**
 * The page's original publication date and its last modification. (Placeholder cut: the structured pass
 * and the extensive fallback replace it.)
 */
export function extractDates(input: DateInput): ArticleDates {
  const published = input.$('meta[property="article:published_time"]').first().attr('content');
  const ms = published ? Date.parse(published) : NaN;
  return Number.isNaN(ms) ? {} : { publishedAt: { value: new Date(ms).toISOString(), rule: 'meta:article:published_time' } };
}
