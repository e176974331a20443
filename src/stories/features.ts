import { createRequire } from 'node:module';
import { stemmer } from 'stemmer';
import type { StoryItem } from './types.ts';

/**
 * Text features of a story item: word stems (any script: `Intl.Segmenter` splits Chinese, Japanese and Thai
 * into words, English words are Porter-stemmed with `stemmer`, stopwords from `stopwords-iso` are left out),
 * entity keys and URL digests, each as a namespaced term ("w:", "e:", "u:") so that one posting list and one
 * document-frequency table serve them all. Pure and bounded: each field is read up to a cap.
 */

/** Characters of a field read: the first 5,000-character headline costs what a 600-character one does. */
export const FIELD_CHARS = 600;
/** Distinct terms kept per field (the most frequent first, then first seen). */
const TERMS_MAX = 80;
const ENTITIES_MAX = 30;
const URLS_MAX = 10;

const require = createRequire(import.meta.url);
const STOPWORDS_BY_LANG = require('stopwords-iso') as Record<string, string[]>;

/**
 * Stopwords: English plus the CJK lists (their words are never English words). Other Latin-script languages'
 * lists are left out on purpose: "die", "art", "con" are real English words; inverse document frequency
 * already weighs a language's function words down.
 */
const STOPWORDS = new Set<string>([
  ...(STOPWORDS_BY_LANG.en ?? []),
  ...(STOPWORDS_BY_LANG.zh ?? []),
  ...(STOPWORDS_BY_LANG.ja ?? []),
  ...(STOPWORDS_BY_LANG.ko ?? []),
  // News-headline verbs of saying carry no event.
  'say', 'says', 'said', 'report', 'reports', 'reported', 'new', 'news', 'update', 'live',
]);

const SEGMENTER = new Intl.Segmenter('und', { granularity: 'word' });
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;
const LATIN_WORD = /^[a-z]+$/;

/** One field's words as terms ("w:<stem>"), in order, with repeats. */
export function tokenize(text: string): string[] {
  const clean = text.slice(0, FIELD_CHARS * 2).normalize('NFKC').slice(0, FIELD_CHARS).toLowerCase();
  const out: string[] = [];
  for (const seg of SEGMENTER.segment(clean)) {
    if (!seg.isWordLike) continue;
    const word = normalizeWord(seg.segment);
    if (!word || STOPWORDS.has(word)) continue;
    if (CJK.test(word)) {
      // A single kana or hangul syllable is a particle; a single Han character can be a word ("美", "日").
      if (word.length < 2 && !/\p{Script=Han}/u.test(word)) continue;
      out.push(`w:${word}`);
      continue;
    }
    if (word.length < 2) continue;
    out.push(`w:${LATIN_WORD.test(word) ? stemmer(word) : word}`);
  }
  return out;
}

/** Accents off Latin letters ("Pokémon" = "pokemon"), the possessive off ("biden's" = "biden"). */
function normalizeWord(word: string): string {
  return word
    .normalize('NFD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFC')
    .replace(/['’]s$/u, '')
    .replace(/['’]/gu, '');
}

export interface ItemFeatures {
  /** Headline word terms, distinct, with their counts. */
  headline: Map<string, number>;
  /** Other text's word terms (excerpt, page description and keywords). */
  text: Map<string, number>;
  /** Entity terms ("e:<key>"). */
  entities: string[];
  /** URL digest terms ("u:<digest>"). */
  urls: string[];
}

export function featuresOf(item: Pick<StoryItem, 'headline' | 'text' | 'entities' | 'urls'>): ItemFeatures {
  return {
    headline: countTerms(tokenize(item.headline)),
    text: countTerms(tokenize(item.text)),
    entities: [...new Set(item.entities.map((e) => e.slice(0, 120)).filter(Boolean))].slice(0, ENTITIES_MAX).map((e) => `e:${e}`),
    urls: [...new Set(item.urls.filter(Boolean))].slice(0, URLS_MAX).map((u) => `u:${u.slice(0, 64)}`),
  };
}

function countTerms(terms: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
  if (counts.size <= TERMS_MAX) return counts;
  return new Map([...counts].sort((a, b) => b[1] - a[1]).slice(0, TERMS_MAX));
}

/** Every term of an item, once each: what the document frequencies count. */
export function observedTerms(f: ItemFeatures): string[] {
  return [...new Set([...f.headline.keys(), ...f.text.keys(), ...f.entities])];
}

/** Inverse document frequency, smoothed: a term never seen weighs as much as one seen once. */
export function idf(docs: number, df: number): number {
  return Math.log((docs + 1) / (df + 1)) + 1;
}
