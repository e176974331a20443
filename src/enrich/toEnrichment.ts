import { PAGE_CONTROLS } from '../article/cleanText.ts';
import type { ArticleMetadata, Found } from '../article/types.ts';
import { toHttpUrl } from '../drafts/httpUrl.ts';
import { Enrichment } from '../drafts/schema.ts';
import type { AppliedRobots } from './robotsRules.ts';
import { sameSite } from '../dedupe/sameSite.ts';

export interface PageFacts {
  finalUrl: string;
  contentType: string | null;
}

type F<T> = { value: T; rule: string } | null;

/**
 * The draft's `Enrichment` record from what the page said. Pure. Every field is held to the schema's
 * limits (cut, not refused: one over-long author never loses the others), control characters dropped, links are http(s) only, a
 * canonical link to another site is ignored (a page cannot claim to be someone else's article), and
 * `noarchive` keeps no description.
 */
export function toEnrichment(meta: ArticleMetadata, page: PageFacts, robots: AppliedRobots, now: number): Enrichment {
  const finalUrl = toHttpUrl(page.finalUrl) ?? null;
  const canonical = link(meta.canonicalUrl);
  return Enrichment.parse({
    state: 'done',
    // What the page said that was not taken (a canonical elsewhere or not http(s), a broken JSON-LD block), in words.
    reason: meta.ignored?.length ? `ignored: ${meta.ignored.join('; ')}`.slice(0, 500) : null,
    at: new Date(now).toISOString(),
    finalUrl,
    contentType: page.contentType?.slice(0, 200) ?? null,
    canonicalUrl: canonical && finalUrl && sameSite(canonical.value, finalUrl) ? canonical : null,
    title: text(meta.title, 500),
    description: robots.noarchive ? null : text(meta.description, 1000),
    authors: list(meta.authors, 20, 200),
    publishedAt: date(meta.publishedAt),
    modifiedAt: date(meta.modifiedAt),
    siteName: text(meta.siteName, 200),
    lang: lang(meta.lang),
    image: link(meta.image),
    section: text(meta.section, 200),
    keywords: list(meta.keywords, 50, 100),
    type: text(meta.type, 100),
    isAccessibleForFree: typeof meta.isAccessibleForFree?.value === 'boolean' ? rule(meta.isAccessibleForFree.value, meta.isAccessibleForFree.rule) : null,
    wordCount: typeof meta.wordCount?.value === 'number' && Number.isSafeInteger(meta.wordCount.value) && meta.wordCount.value >= 0 ? rule(meta.wordCount.value, meta.wordCount.rule) : null,
    robots,
  });
}


function rule<T>(value: T, name: unknown): F<T> {
  return { value, rule: typeof name === 'string' && name !== '' ? name.slice(0, 100) : 'unknown' };
}

function clean(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const s = value.replace(PAGE_CONTROLS, '').replace(/\s+/g, ' ').trim();
  if (s === '') return undefined;
  const chars = Array.from(s);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : s;
}

function text(found: Found<string> | undefined, max: number): F<string> {
  const v = clean(found?.value, max);
  return v === undefined ? null : rule(v, found!.rule);
}

function list(found: Found<string[]> | undefined, maxItems: number, maxLen: number): F<string[]> {
  if (!Array.isArray(found?.value)) return null;
  const values = [...new Set(found.value.map((v) => clean(v, maxLen)).filter((v): v is string => v !== undefined))].slice(0, maxItems);
  return values.length > 0 ? rule(values, found.rule) : null;
}

function link(found: Found<string> | undefined): F<string> {
  const v = typeof found?.value === 'string' && found.value.length <= 2000 ? toHttpUrl(found.value) : undefined;
  return v === undefined ? null : rule(v, found!.rule);
}

const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function date(found: Found<string> | undefined): F<string> {
  const v = typeof found?.value === 'string' ? found.value.trim() : '';
  return DATE.test(v) && !Number.isNaN(Date.parse(v)) ? rule(v, found!.rule) : null;
}

function lang(found: Found<string> | undefined): F<string> {
  const v = typeof found?.value === 'string' ? found.value.trim().replace(/_/g, '-') : '';
  return /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,3}$/.test(v) && v.length <= 35 ? rule(v, found!.rule) : null;
}
