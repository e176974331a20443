import { getDomainWithoutSuffix } from 'tldts';
import { cleanText } from '../cleanText.ts';
import { ARTICLE_TYPES, type PageContext } from '../pageContext.ts';
import { typesOf } from '../readJsonLd.ts';
import { type Rule, itemprop, ldText, metaRule } from './rule.ts';

/** A title is text, not a link a CMS put in its place. */
const text = (v: unknown) => {
  const t = cleanText(ldText(v), 500);
  return t && !/^(https?:\/\/|www\.)\S+$/i.test(t) ? t : undefined;
};

export const TITLE_RULES: readonly Rule<string>[] = [
  { name: 'jsonld:headline', read: (ctx) => ldHeadline(ctx, 'headline') },
  { name: 'jsonld:name', read: (ctx) => ldHeadline(ctx, 'name') },
  metaRule('og:title', text),
  metaRule('twitter:title', text),
  metaRule('dc.title', text),
  metaRule('parsely-title', text),
  { name: 'itemprop:headline', read: (ctx) => text(itemprop(ctx, 'headline')) },
  { name: 'title-tag', read: (ctx) => text(ctx.$('head title').first().text() || ctx.$('title').first().text()) },
  { name: 'h1', read: (ctx) => text(ctx.$('h1').first().text()) },
];

/**
 * The article node's headline; when it also has a `name` and only that one resembles the page's <title>
 * (Wikipedia's headline is a one-line description, its name the title), the resembling one.
 */
function ldHeadline(ctx: PageContext, key: 'headline' | 'name'): string | undefined {
  const node = ctx.ranked.find((n) => typesOf(n).some((t) => ARTICLE_TYPES.has(t)) && (n.headline !== undefined || n.name !== undefined));
  if (!node) return undefined;
  const headline = text(node.headline);
  const name = text(node.name);
  if (headline && name && headline !== name) {
    const page = text(ctx.$('title').first().text()) ?? '';
    const preferName = similarity(name, page) > similarity(headline, page);
    return key === 'headline' ? (preferName ? undefined : headline) : preferName ? name : undefined;
  }
  return key === 'headline' ? headline : undefined;
}

function similarity(a: string, b: string): number {
  const ta = new Set(a.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean));
  const tb = new Set(b.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean));
  if (ta.size === 0 || tb.size === 0) return 0;
  let common = 0;
  for (const t of ta) if (tb.has(t)) common++;
  return common / ta.size;
}

const SEPARATORS = /\s+[|\-–—·:»•\\/]\s+|\s+::\s+/g;

/**
 * `Story headline | Site Name` → `Story headline`, when the part cut off is the site's name (as the page names
 * it elsewhere, or as its host reads: `BBC News` for bbc.co.uk). A headline that only contains a dash keeps it.
 */
export function stripSiteName(title: string, siteNames: string[], ctx: PageContext): string {
  const names = new Set(siteNames.map(squash).filter(Boolean));
  const host = hostWords(ctx.pageUrl);
  const isSite = (part: string) => {
    const s = squash(part);
    if (!s) return false;
    if (names.has(s)) return true;
    // `Bloomberg.com`, `BBC News` for bbc.co.uk, `News Example` for news.example: the host word and a short tail.
    if (host && ((s.startsWith(host) && s.length - host.length <= 8) || s.replace(/^the/, '') === host)) return true;
    for (const n of names) if (n.length >= 4 && (s.startsWith(n) || n.startsWith(s))) return true;
    return false;
  };
  const marks = [...title.matchAll(SEPARATORS)];
  if (marks.length === 0) return title;
  // Suffix: cut at the first separator whose remainder is the site (`Headline - Section - Site`: cut the whole tail when the last part is the site).
  const last = marks[marks.length - 1]!;
  const tail = title.slice(last.index! + last[0].length);
  if (isSite(tail)) {
    const head = title.slice(0, last.index).trim();
    if (head.length >= 8) return head;
  }
  const first = marks[0]!;
  const lead = title.slice(0, first.index);
  if (isSite(lead)) {
    const rest = title.slice(first.index! + first[0].length).trim();
    if (rest.length >= 8) return rest;
  }
  return title;
}

function squash(s: string): string {
  return s.toLowerCase().normalize('NFKD').replace(/[^\p{L}\p{N}]+/gu, '');
}

function hostWords(url: string): string | undefined {
  try {
    const word = getDomainWithoutSuffix(new URL(url).hostname, { allowPrivateDomains: true });
    return word && word.length >= 3 ? squash(word) : undefined;
  } catch {
    return undefined;
  }
}
