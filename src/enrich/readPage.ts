import { extractArticle } from '../article/extractArticle.ts';
import { extractMainText } from '../article/mainText.ts';
import { toPageShingles } from '../article/shingles.ts';
import type { Enrichment } from '../drafts/schema.ts';
import type { FetchResponse } from '../fetch/fetchFeed.ts';
import { decodePage } from './decodePage.ts';
import { mergeRobots } from './robotsRules.ts';
import { toEnrichment } from './toEnrichment.ts';

export interface PageReading {
  enrichment: Enrichment;
  /** Hashes of the main text's word shingles (the text itself is dropped here). */
  shingles: string;
  /** The page had a description (dropped when it says noarchive). */
  hadDescription: boolean;
}

/** Pure: a fetched HTML page → the draft's enrichment and the copy guard's shingles. */
export function readPage(response: Pick<FetchResponse, 'body' | 'headers' | 'finalUrl'>, now: number): PageReading {
  const html = decodePage(response.body, response.headers['content-type']);
  const meta = extractArticle(html, response.finalUrl, response.headers, { now });
  const robots = mergeRobots(meta.robots, response.headers['x-robots-tag']);
  const enrichment = toEnrichment(meta, { finalUrl: response.finalUrl, contentType: response.headers['content-type'] ?? null }, robots, now);
  return { enrichment, shingles: toPageShingles(extractMainText(html)), hadDescription: meta.description !== undefined };
}
