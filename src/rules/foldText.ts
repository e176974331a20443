import { INVISIBLE, unmixLookAlikes } from '../entities/lookAlikes.ts';

/**
 * Text as keywords are matched on: compatibility forms unified (NFKD: "ﬁ" is "fi", full-width letters are
 * ASCII), accents dropped ("Zürich" is "zurich"), invisible characters dropped ("spon\u00adsored" is
 * "sponsored"), lower case, look-alike letters of another script inside a Latin word as the Latin letter they
 * imitate (a Cyrillic "о" in "spоnsored"; the keyword is folded the same way), runs of white space one space. Pure.
 */
export function foldText(text: string): string {
  return unmixLookAlikes(text.normalize('NFKD').replace(/\p{M}+/gu, '').replace(INVISIBLE, '')).toLowerCase().replace(/\s+/gu, ' ');
}

/**
 * Text as patterns are run on: NFKC (full-width and mathematical letters are ASCII) without the invisible
 * characters a publisher could put inside a word to step around a pattern. Case and accents stay (patterns
 * are case-insensitive and may name accented letters). Pure.
 */
export function patternText(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '');
}

/** Scripts written without spaces between words: a keyword in them is found inside a run of letters. */
const NO_SPACES = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

export function writtenWithoutSpaces(text: string): boolean {
  return NO_SPACES.test(text);
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Where `keyword` (folded) occurs in `text` (folded) as a whole word or words: the characters either side are
 * not letters or digits (a keyword that starts or ends with a symbol, "C++", needs no boundary there).
 * `inWord` keywords (CJK, Thai) match anywhere. Returns the index, or -1. Linear in the text.
 */
export function findWord(text: string, keyword: string, inWord: boolean): number {
  if (keyword.length === 0) return -1;
  const needsStart = WORD_CHAR.test(keyword[0]!);
  const needsEnd = WORD_CHAR.test(keyword[keyword.length - 1]!);
  for (let at = text.indexOf(keyword); at !== -1; at = text.indexOf(keyword, at + 1)) {
    if (inWord) return at;
    const before = text[at - 1];
    const after = text[at + keyword.length];
    if (needsStart && before !== undefined && WORD_CHAR.test(before)) continue;
    if (needsEnd && after !== undefined && WORD_CHAR.test(after)) continue;
    return at;
  }
  return -1;
}
