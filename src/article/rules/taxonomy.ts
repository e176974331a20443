import { cleanText } from '../cleanText.ts';
import { typesOf } from '../readJsonLd.ts';
import type { PageContext } from '../pageContext.ts';
import { type Rule, jsonLdRule, ldText, metaRule } from './rule.ts';

const MAX_KEYWORDS = 30;
const text = (v: unknown) => cleanText(ldText(v), 200);

export const SECTION_RULES: readonly Rule<string>[] = [
  metaRule('article:section', text),
  jsonLdRule('articleSection', text),
  metaRule('parsely-section', text),
  metaRule('section', text),
];

const list = (v: unknown): string[] | undefined => {
  const items = (Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[,;]/) : []).slice(0, MAX_KEYWORDS * 2);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of items) {
    const k = cleanText(ldText(item), 100);
    if (k && !seen.has(k.toLowerCase()) && out.length < MAX_KEYWORDS) {
      seen.add(k.toLowerCase());
      out.push(k);
    }
  }
  return out.length ? out : undefined;
};

export const KEYWORD_RULES: readonly Rule<string[]>[] = [
  jsonLdRule('keywords', list),
  { name: 'meta:article:tag', read: (ctx) => list(ctx.meta.get('article:tag')) },
  metaRule('news_keywords', list),
  metaRule('keywords', list),
  metaRule('parsely-tags', list),
];

export const TYPE_RULES: readonly Rule<string>[] = [
  { name: 'jsonld:@type', read: (ctx) => (ctx.ranked[0] ? typesOf(ctx.ranked[0])[0] : undefined) },
  metaRule('og:type', text),
];

const bool = (v: unknown): boolean | undefined => {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^\s*(true|false)\s*$/i.test(v)) return /true/i.test(v);
  return undefined;
};

/** A paywall is declared on the article, or on one of its `hasPart` sections (Google's paywalled-content markup). */
function paywall(ctx: PageContext): boolean | undefined {
  for (const node of ctx.ranked) {
    const own = bool(node.isAccessibleForFree);
    if (own !== undefined) return own;
    const parts = Array.isArray(node.hasPart) ? node.hasPart : [node.hasPart];
    for (const p of parts.slice(0, 20)) if (p && typeof p === 'object' && bool((p as Record<string, unknown>).isAccessibleForFree) === false) return false;
  }
  return undefined;
}

export const ACCESS_RULES: readonly Rule<boolean>[] = [
  { name: 'jsonld:isAccessibleForFree', read: paywall },
  metaRule('article:content_tier', (v) => (/^(locked|metered)$/i.test(v.trim()) ? false : /^free$/i.test(v.trim()) ? true : undefined)),
];

export const WORD_COUNT_RULES: readonly Rule<number>[] = [
  jsonLdRule('wordCount', (v) => {
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
    return Number.isInteger(n) && n >= 0 && n < 10_000_000 ? n : undefined;
  }),
];
