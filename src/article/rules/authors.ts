import { cleanText } from '../cleanText.ts';
import { type PageContext, deref } from '../pageContext.ts';
import { type Rule, jsonLdRule } from './rule.ts';

const MAX_AUTHORS = 12;

export const AUTHOR_RULES: readonly Rule<string[]>[] = [
  jsonLdRule('author', (v, ctx) => namesOf(ctx, v)),
  jsonLdRule('creator', (v, ctx) => namesOf(ctx, v)),
  metaAuthors('author'),
  metaAuthors('article:author'),
  metaAuthors('og:article:author'),
  metaAuthors('dc.creator', true),
  metaAuthors('parsely-author'),
  metaAuthors('sailthru.author'),
  metaAuthors('byl'),
  { name: 'itemprop:author', read: (ctx) => microdataAuthor(ctx) },
  { name: 'rel-author', read: (ctx) => splitAuthors(ctx.$('a[rel~="author"]').first().text()) },
  { name: 'byline', read: (ctx) => bylineText(ctx) },
  { name: 'author-link', read: (ctx) => splitAuthors(ctx.$('a[href*="/author/"], a[href*="/authors/"], a[href*="author_id="]').first().text()) },
];

/**
 * Every `<meta>` of that name (Open Graph and Dublin Core write one tag per author). A Dublin Core creator is
 * one person per tag, written `Surname, Given`, so its commas are not split.
 */
function metaAuthors(name: string, onePerTag = false): Rule<string[]> {
  return {
    name: `meta:${name}`,
    read: (ctx) => unique((ctx.meta.get(name) ?? []).flatMap((v) => splitAuthors(v, { oneName: onePerTag }) ?? [])),
  };
}

/** JSON-LD author: a name, a Person/Organization (or a reference to one), or a list of them. */
function namesOf(ctx: PageContext, value: unknown): string[] | undefined {
  const list = Array.isArray(value) ? value.slice(0, MAX_AUTHORS) : [value];
  const names: string[] = [];
  for (const item of list) {
    const v = deref(ctx, item);
    if (typeof v === 'string') names.push(...(splitAuthors(v) ?? []));
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const name = typeof o.name === 'string' ? o.name : [o.givenName, o.familyName].filter((x) => typeof x === 'string').join(' ');
      names.push(...(splitAuthors(name) ?? []));
    }
  }
  return unique(names);
}

function microdataAuthor(ctx: PageContext): string[] | undefined {
  const el = ctx.$('[itemprop~="author"]').first();
  if (el.length === 0) return undefined;
  const name = el.find('[itemprop~="name"]').first();
  const raw = name.length ? (name.attr('content') ?? name.text()) : (el.attr('content') ?? el.text());
  return splitAuthors(raw);
}

const BYLINE = '[class*="byline" i], [id*="byline" i], [class~="author" i], [class*="author-name" i], [class*="p-author" i]';

function bylineText(ctx: PageContext): string[] | undefined {
  for (const el of ctx.$(BYLINE).slice(0, 10).toArray()) {
    const text = ctx.$(el).text();
    if (text.length > 0 && text.length < 120) {
      const names = splitAuthors(text);
      if (names) return names;
    }
  }
  return undefined;
}

const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?';
/** Where a byline runs on into a date: `22 Dec 2016`, `March 25, 2015`, `2015-03-25`, `3/25/2015` (a user name's digits stay: `CC7567`). */
const DATE_TAIL = new RegExp(`\\s*(\\d{1,2}\\s*${MONTH}(\\s|$)|\\b${MONTH}\\s+\\d{1,2}\\b|\\b\\d{4}-\\d{2}-\\d{2}|\\b\\d{1,2}/\\d{1,2}/\\d{2,4}|\\b(updated|published|posted|last updated)\\b).*$`, 'i');
const LEAD = /^(?:(?:written|posted|words|reporting|text|story|photos?)\s+)?(?:by|from|von|par|por|di|door|av|przez|de)\s*:?\s+/i;
const CREDENTIAL = /^(ma|ms|msc|md|phd|ph\.d\.|mph|rn|bsc|ba|mba|jr\.?|sr\.?|esq\.?)$/i;
const NOT_A_NAME = /\bstaff\b|^(admin|administrator|editor|editors|redaktion|rédaction|redacción|guest|anonymous|unknown|team|news desk|newsroom|contributor|by)$/i;

/** `By A and B`, `A, B`, `A & B` → [A, B]; not URLs, e-mail addresses, `Staff`, or sentences. */
export function splitAuthors(raw: unknown, opts: { oneName?: boolean } = {}): string[] | undefined {
  const text = cleanText(raw, 400);
  if (!text) return undefined;
  // A byline's text runs on into its date or its role: `Nathan Willis March 25, 2015`, `Jane Doe | Reporter`.
  const s = text.replace(LEAD, '').replace(/\s*[|–—]\s.*$/, '').replace(DATE_TAIL, '').trim();
  if (/^https?:\/\/|^www\.|\.(com|org|net)\b/i.test(s)) return undefined;
  if (opts.oneName) return isName(s) ? [s] : undefined;
  let parts = s.split(/\s*(?:,|;|\sand\s|\sund\s|\set\s|\sy\s|\se\s)\s*/i).map((p) => p.replace(LEAD, '').trim());
  // `A Smith & B Jones` is two people; `Mac & i` is one masthead.
  parts = parts.flatMap((p) => {
    const amp = p.split(/\s+&\s+/);
    return amp.length > 1 && amp.every((x) => x.includes(' ')) ? amp : [p];
  });
  parts = parts.map((p) => p.replace(/^[\s\-–—|·•:]+|[\s\-–—|·•:,]+$/g, '')).filter((p) => !CREDENTIAL.test(p));
  // "Smith, John" is one name, written surname first.
  const names = parts.length === 2 && /^[\p{Lu}][\p{L}'-]+$/u.test(parts[0]!) && /^[\p{Lu}][\p{L}'.-]+$/u.test(parts[1]!) && !s.includes(' and ') ? [s] : parts;
  return unique(names.filter(isName).slice(0, MAX_AUTHORS));
}

function isName(s: string): boolean {
  if (!s || s.length > 80 || NOT_A_NAME.test(s) || /@|https?:|\/\/|[{}[\]<>]/.test(s)) return false;
  const words = s.split(' ');
  return words.length <= 6 && /\p{L}/u.test(s);
}

function unique(names: string[]): string[] | undefined {
  const seen = new Set<string>();
  const out = names.filter((n) => {
    const k = n.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return out.length ? out : undefined;
}
