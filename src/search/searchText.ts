import { foldText, writtenWithoutSpaces } from '../rules/foldText.ts';

/**
 * The desk's search, pure: how a draft's text and a query become the same tokens. Both sides go through
 * `foldSearchText`, so "Zürich", "ZURICH", "ｚｕｒｉｃｈ" and "zu\u200Brich" are one word; words are runs of
 * letters and digits; scripts written without spaces (Han, kana, Thai…) are cut into overlapping character
 * pairs, so a CJK word inside a longer run is still found.
 */

/** Characters kept of one word (longer words are indexed and searched by their first TOKEN_MAX characters). */
export const TOKEN_MAX = 32;
/**
 * Distinct tokens indexed per draft. The tags, source name and author, and the excerpt and summary, each have a
 * share of their own (at most TOKEN_SHARES each); the headline has the rest (at least 40). One budget of 48,
 * headline first, once let a 48-character Japanese headline (a token per character) leave the source name, the
 * author and the tags unfound.
 */
export const TOKENS_PER_DRAFT = 96;
export const TOKEN_SHARES = { meta: 24, body: 32 } as const;
/**
 * English function words: not indexed from the excerpt and summary (they would be a third of the postings and
 * find everything), and left out of a query that has other words ("the fed" is "fed"). Headline words are always indexed.
 */
export const STOPWORDS = new Set('a an and are as at be but by for from has have in is it its of on or that the this to was were will with'.split(' '));
/** Words of a query used (the rest are ignored: the query stays bounded). */
export const QUERY_TERMS_MAX = 8;
/** Filter tokens (tag, category, source) start with this byte; no folded word can. */
export const FILTER_MARK = '\u0001';

/** NFKC (widths, ligatures), then accents and invisible characters (zero-width, bidi controls) dropped, look-alike letters inside Latin words unmixed, lower case; NFC at the end so Hangul stays syllables. */
export function foldSearchText(text: string): string {
  return foldText(text.normalize('NFKC')).normalize('NFC').replace(UNDECOMPOSED, (c) => UNDECOMPOSED_AS[c] ?? c);
}

/** Latin letters that are not a base letter with an accent in Unicode (no NFKD decomposition), written as people type them without it. */
const UNDECOMPOSED_AS: Record<string, string> = { ł: 'l', ø: 'o', đ: 'd', ħ: 'h', ŧ: 't', ı: 'i', ß: 'ss', æ: 'ae', œ: 'oe', þ: 'th', ð: 'd' };
const UNDECOMPOSED = /[łøđħŧıßæœþð]/gu;

const WORD = /[\p{L}\p{N}]+/gu;
const NO_SPACE_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const SPLIT_RUNS = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]+)/u;

/** A run of a space-less script as tokens: each character pair, and the last character alone (so every character starts a token). */
function charPairs(run: string): string[] {
  const chars = [...run];
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  out.push(chars.at(-1)!);
  return out;
}

function cap(word: string): string {
  const chars = [...word];
  return chars.length > TOKEN_MAX ? chars.slice(0, TOKEN_MAX).join('') : word;
}

/** Pieces of a folded word: itself, or, inside a mixed run ("gpu芯片"), the Latin part and the space-less part apart. */
function pieces(word: string): { text: string; noSpace: boolean }[] {
  if (!writtenWithoutSpaces(word)) return [{ text: word, noSpace: false }];
  return word
    .split(SPLIT_RUNS)
    .filter(Boolean)
    .map((text) => ({ text, noSpace: NO_SPACE_CHAR.test(text) }));
}

/** The tokens of a text, in order, duplicates kept. Pure. */
export function toSearchTokens(text: string): string[] {
  const out: string[] = [];
  for (const word of foldSearchText(text).match(WORD) ?? []) {
    for (const p of pieces(word)) {
      if (p.noSpace) out.push(...charPairs(p.text));
      else out.push(cap(p.text));
    }
  }
  return out;
}

/** What a draft is searched by: the fields an editor sees in the queue. */
export interface SearchableDraft {
  headline: string;
  excerpt: string | null;
  summary: string;
  tags: string[];
  category: string | null;
  source: { id: string; name: string };
  author: string | null;
  status: string;
}

/** A filter value as it is indexed and asked for: folded, white space collapsed, trimmed. */
export function filterValue(text: string): string {
  return foldSearchText(text).replace(/[\s\p{Cc}]+/gu, ' ').trim().slice(0, 200);
}

/** A value as a pick list shows it: control characters (line breaks, NUL) as spaces, at most 200 characters. */
export function displayValue(text: string): string {
  return text.replace(/[\p{Cc}]+/gu, ' ').trim().slice(0, 200);
}

export const filterToken = {
  tag: (t: string) => `${FILTER_MARK}t:${filterValue(t)}`,
  category: (c: string) => `${FILTER_MARK}c:${filterValue(c)}`,
  /** A source is found by its id or its name: both are indexed under one marker. */
  source: (s: string) => `${FILTER_MARK}s:${filterValue(s)}`,
};

/**
 * The draft's words (distinct, at most TOKENS_PER_DRAFT: see there) and its filter
 * tokens (every tag, its category, its source's id and name), distinct. Pure.
 */
export function draftTokens(d: SearchableDraft): { words: string[]; filters: string[] } {
  const words = new Set<string>();
  const part = (texts: string[], budget: number, skipStopwords: boolean) => {
    const stop = Math.min(TOKENS_PER_DRAFT, words.size + budget);
    for (const text of texts) {
      for (const t of toSearchTokens(text)) {
        if (words.size >= stop) return;
        if (!skipStopwords || !STOPWORDS.has(t)) words.add(t);
      }
    }
  };
  part([...d.tags, d.source.name, d.author ?? ''], TOKEN_SHARES.meta, false);
  part([d.excerpt ?? '', d.summary], TOKEN_SHARES.body, true);
  part([d.headline], TOKENS_PER_DRAFT, false);
  const filters = new Set<string>([...d.tags.map(filterToken.tag), filterToken.source(d.source.id), filterToken.source(d.source.name)]);
  if (d.category) filters.add(filterToken.category(d.category));
  return { words: [...words], filters: [...filters] };
}

/** One term of a query: a word prefix ("dram" finds "dramatic"), or an exact token (a CJK character pair, a filter). */
export interface SearchTerm {
  text: string;
  prefix: boolean;
}

/**
 * A query as terms: every word must start some word of the draft; a CJK run of two or more characters must
 * have each of its character pairs. Symbols and punctuation ("*", "%", regex metacharacters) are not words
 * and match nothing by themselves (a query of only symbols filters nothing). At most QUERY_TERMS_MAX terms. Pure.
 */
export function parseSearchQuery(q: string | undefined): SearchTerm[] {
  if (!q) return [];
  const terms = new Map<string, SearchTerm>();
  for (const word of foldSearchText(q).match(WORD) ?? []) {
    for (const p of pieces(word)) {
      if (!p.noSpace) {
        const text = cap(p.text);
        terms.set(`p${text}`, { text, prefix: true });
        continue;
      }
      const chars = [...p.text];
      if (chars.length === 1) terms.set(`p${p.text}`, { text: p.text, prefix: true });
      else for (let i = 0; i + 1 < chars.length; i++) terms.set(`e${chars[i]}${chars[i + 1]}`, { text: chars[i]! + chars[i + 1]!, prefix: false });
    }
  }
  const all = [...terms.values()];
  const meaningful = all.filter((t) => !(t.prefix && STOPWORDS.has(t.text)));
  return (meaningful.length ? meaningful : all).slice(0, QUERY_TERMS_MAX);
}

/** Whether tokens (a draft's words and filters) satisfy every term: the same rule the index answers by. Pure. */
export function matchesTerms(tokens: readonly string[], terms: readonly SearchTerm[]): boolean {
  return terms.every((t) => (t.prefix ? tokens.some((w) => w.startsWith(t.text)) : tokens.includes(t.text)));
}

/** A draft's facet entries (kind \0 display value), counted per status: what the filter pick lists offer. */
export function draftFacets(d: SearchableDraft): string[] {
  const out = new Set<string>([`s\u0000${displayValue(d.source.id)}\u0000${displayValue(d.source.name)}`]);
  for (const t of d.tags) if (displayValue(t)) out.add(`t\u0000${displayValue(t)}`);
  if (d.category && displayValue(d.category)) out.add(`c\u0000${displayValue(d.category)}`);
  return [...out];
}
