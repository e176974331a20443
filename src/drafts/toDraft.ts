import { digest } from '../dedupe/itemKey.ts';
import { cleanLink } from '../dedupe/normalizeUrl.ts';
import { HEADLINE_FROM_SUMMARY, truncate } from '../parse/text.ts';
import type { FeedItem } from '../parse/types.ts';
import { toHttpUrl } from './httpUrl.ts';
import { Coverage, DraftSignal, EXCERPT_MAX } from './schema.ts';
import { initialScore } from './score.ts';

export interface DraftSource {
  id: string;
  name: string;
  url: string;
  weight: number;
  category?: string | undefined;
  tags: string[];
}

/** Draft ids are derived from source and item key, so every attempt at the same item names the same draft. */
export function draftId(sourceId: string, itemKey: string): string {
  return `d_${digest(`${sourceId}\n${itemKey}`)}`;
}

/**
 * A feed item becomes a draft signal: metadata, a headline, an excerpt capped for editors, a suggested
 * category and an initial score. The link is the cleaned one (dedupe/normalizeUrl.ts `cleanLink`). Pure and deterministic for a given `discoveredAt`, so a retried job
 * writes exactly the same draft.
 */
const UNTITLED = '(untitled item)';

/**
 * The headline a draft is listed under as another draft's related coverage (published in that signal's
 * `related`): its source's own title only. Never the summary an untitled item's headline falls back to (the
 * source's words, which no copy guard checks there), nor a headline an editor edited before a fold.
 */
export function coverageHeadline(d: Pick<DraftSignal, 'title'>): string {
  return d.title ?? UNTITLED;
}

/** The headline a draft of `item` is listed under: its title, else the start of its summary, else its link, else "(untitled item)". */
export function headlineOf(item: Pick<FeedItem, 'title' | 'summary' | 'url'>): string {
  return item.title ?? truncate(item.summary, HEADLINE_FROM_SUMMARY) ?? item.url ?? UNTITLED;
}

export function toDraft(item: FeedItem, source: DraftSource, discoveredAt: string): DraftSignal {
  const headline = headlineOf(item);
  const tags = dedupeCaseless([...source.tags, ...item.categories]).slice(0, 30);
  const publishedAt = item.publishedAt ?? item.updatedAt;
  const scored = initialScore({ name: source.name, weight: source.weight }, publishedAt, Date.parse(discoveredAt));
  return DraftSignal.parse({
    id: draftId(source.id, item.key),
    version: 1,
    status: 'pending',
    headline: truncate(headline, 300),
    title: truncate(item.title, 300),
    source: { id: source.id, name: source.name, url: source.url },
    // The publisher's link without tracking parameters (an AMP cache unwrapped); identity uses normalizeUrl.
    link: toHttpUrl(item.url ? cleanLink(item.url) : undefined) ?? null,
    itemKey: item.key,
    publishedAt,
    discoveredAt,
    author: truncate(item.author, 200),
    tags,
    category: source.category ?? null,
    excerpt: truncate(item.summary, EXCERPT_MAX),
    score: scored.score,
    scoreBreakdown: scored.components,
    horizon: null,
    summary: '',
    whyNow: '',
    whyImportant: '',
    whatChanges: '',
    winners: [],
    losers: [],
    secondOrderEffects: { direct: '', second: '', third: '' },
    editorialConfidence: null,
    structuralImpact: null,
    related: [],
    mergedInto: null,
    decision: null,
    updatedAt: null,
  });
}

function dedupeCaseless(values: string[]): string[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = v.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The same item as related coverage of another source's draft of the article (JSON, for the commit script,
 * which appends it only when the item's URL already belongs to such a draft). Undefined without a link.
 */
export function toCoverageJson(d: DraftSignal): string | undefined {
  if (!d.link) return undefined;
  const entry: Coverage = { sourceId: d.source.id, sourceName: d.source.name, headline: coverageHeadline(d), link: d.link, at: d.discoveredAt, publishedAt: d.publishedAt };
  return JSON.stringify(Coverage.parse(entry));
}

/** The draft as stored: without `coverage`, which lives in its own list (the commit script appends to it, reads join it). */
export function toStoredJson(d: DraftSignal): string {
  const { coverage: _coverage, ...stored } = d;
  return JSON.stringify(stored);
}
