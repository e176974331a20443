import type { CheerioAPI } from 'cheerio';
import type { ArticleDates, Found, JsonLdNode } from '../types.ts';
import { FALLBACK_MODIFIED_RULES, FALLBACK_PUBLISHED_RULES, MODIFIED_RULES, PUBLISHED_RULES, type DateContext, type DateRule } from './dateRules.ts';
import { indexPage } from './indexPage.ts';
import { pickMainEntities } from './pickMainEntity.ts';
import { readMeta } from './readMeta.ts';
import type { DateValue } from './toIsoDate.ts';

export interface DateInput {
  $: CheerioAPI;
  pageUrl: string;
  /** Every JSON-LD object of the page, flattened (graph nodes, array elements). */
  nodes: JsonLdNode[];
  /** Epoch ms of "now" (the injected clock): dates later than now + 1 day are not plausible. */
  now?: number;
}

const EARLIEST = Date.UTC(1995, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);
const DAY_MS = 86_400_000;

interface Candidate {
  value: DateValue;
  rule: string;
  order: number;
}

/**
 * The page's original publication date and its last modification, htmldate-style: a structured pass over
 * JSON-LD (the main entity only), meta tags and microdata; when it gives no publication date, an extensive
 * fallback (`<time datetime>` in the article, the URL's date, byline text in several languages). Never throws.
 */
export function extractDates(input: DateInput): ArticleDates {
  const upper = input.now === undefined ? LATEST : input.now + DAY_MS;
  const page = indexPage(input.$);
  const ctx: DateContext = {
    pageUrl: input.pageUrl,
    page,
    meta: readMeta(page.metas),
    entities: pickMainEntities(input.nodes, input.pageUrl),
    plausible: (d) => d.ms >= EARLIEST && d.ms <= upper,
  };
  const out: ArticleDates = {};
  const published = pickEarliest(collect(ctx, PUBLISHED_RULES)) ?? firstOf(ctx, FALLBACK_PUBLISHED_RULES);
  if (published) out.publishedAt = published;
  const modified = pickLatest(collect(ctx, MODIFIED_RULES)) ?? firstOf(ctx, FALLBACK_MODIFIED_RULES);
  if (modified) out.modifiedAt = modified;
  return out;
}

function collect(ctx: DateContext, rules: readonly DateRule[]): Candidate[] {
  const out: Candidate[] = [];
  rules.forEach((rule, order) => {
    for (const value of safeRead(rule, ctx)) out.push({ value, rule: value.via ?? rule.name, order });
  });
  return out;
}

function firstOf(ctx: DateContext, rules: readonly DateRule[]): Found<string> | undefined {
  for (const rule of rules) {
    const value = safeRead(rule, ctx)[0];
    if (value) return { value: value.value, rule: value.via ?? rule.name };
  }
  return undefined;
}

function safeRead(rule: DateRule, ctx: DateContext): DateValue[] {
  try {
    return rule.read(ctx);
  } catch {
    // A rule that trips on hostile markup yields nothing; the others still run.
    return [];
  }
}

/**
 * The original publication: the earliest day any structured rule names; on that day, a value with a time
 * before a bare day, then the first rule in priority order.
 */
function pickEarliest(candidates: Candidate[]): Found<string> | undefined {
  if (candidates.length === 0) return undefined;
  const day = Math.min(...candidates.map((c) => dayOf(c.value)));
  const best = candidates.filter((c) => dayOf(c.value) === day).sort((a, b) => Number(b.value.hasTime) - Number(a.value.hasTime) || a.order - b.order)[0]!;
  return { value: best.value.value, rule: best.rule };
}

/** The last modification: the latest value; ties to the first rule in priority order. */
function pickLatest(candidates: Candidate[]): Found<string> | undefined {
  if (candidates.length === 0) return undefined;
  const best = [...candidates].sort((a, b) => b.value.ms - a.value.ms || a.order - b.order)[0]!;
  return { value: best.value.value, rule: best.rule };
}

function dayOf(d: DateValue): number {
  return Math.floor(d.ms / DAY_MS);
}
