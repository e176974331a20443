import { INVISIBLE, unmixLookAlikes } from '../entities/lookAlikes.ts';

/** Characters of a text read for matching and for the classifier: a 5,000-character headline costs no more than this. */
export const TEXT_MAX = 2_000;

const segmenter = new Intl.Segmenter('und', { granularity: 'word' });

/**
 * The words of a text as matching sees them, in any script: NFKD, accents dropped, lower case, split on word
 * boundaries (Intl.Segmenter, so Chinese and Japanese split into words too). Pure, bounded by TEXT_MAX.
 */
export function toWords(text: string, max = TEXT_MAX): string[] {
  const out: string[] = [];
  const clean = foldText(text.slice(0, max));
  for (const s of segmenter.segment(clean)) if (s.isWordLike) out.push(s.segment.replace(/['’]s$/u, ''));
  return out;
}

/** A keyword or phrase as matching compares it ("Data-Center" → "data center"). */
export function toPhrase(text: string): string {
  return toWords(text).join(' ');
}

function foldText(text: string): string {
  // Invisible characters inside a word ("Kuber\u00adnetes") and look-alike letters in a Latin word ("Kubernеtes") fold away.
  return unmixLookAlikes(text.replace(/\u200b/gu, ' ').replace(INVISIBLE, ''))
    .normalize('NFKD')
    // Latin, Greek and Cyrillic accents only: a Japanese voicing mark is part of the letter.
    .replace(/[\u0300-\u036f]+/gu, '')
    .normalize('NFC')
    .toLowerCase();
}
