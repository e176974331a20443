import { decodeHTML } from 'entities';

/**
 * Latin look-alikes in Cyrillic and Greek, mapped to the Latin letter they imitate: a small, explicit
 * table (the letters that render like Latin in common fonts), standing in for a full UTS #39 confusable
 * skeleton. Applied to both sides of a comparison, so it never changes what is stored or published.
 */
const LOOK_ALIKES: Record<string, string> = {
  // Cyrillic capitals and small letters
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', У: 'Y', Х: 'X', Ѕ: 'S', І: 'I', Ј: 'J', Ԛ: 'Q', Ԝ: 'W', Ү: 'Y', Һ: 'H', Ӏ: 'I',
  а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', ѕ: 's', і: 'i', ј: 'j', һ: 'h', ԁ: 'd', ԛ: 'q', ԝ: 'w', ӏ: 'l', ү: 'y', ѵ: 'v', к: 'k',
  // Greek capitals and small letters
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
  α: 'a', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', υ: 'u', χ: 'x',
  // Latin letters that imitate others
  ı: 'i', ȷ: 'j', ɑ: 'a', ɡ: 'g',
};

const lookAlike = (text: string) => Array.from(text, (c) => LOOK_ALIKES[c] ?? c).join('');

/**
 * Text as the copy guard compares it: entities decoded (`&nbsp;`, `&#8203;`, twice-escaped ones too),
 * NFKC (full-width and mathematical letters, ligatures, no-break spaces), combining marks dropped, format
 * characters (\p{Cf}: zero-width space U+200B, soft hyphen U+00AD, word joiner U+2060, bidi controls…)
 * dropped, Latin look-alikes mapped to Latin, case folded. Never stored: only compared.
 */
export function normalizeForCompare(text: string): string {
  let t = text;
  for (let i = 0; i < 2 && t.includes('&'); i++) t = decodeHTML(t);
  t = t.normalize('NFKD').replace(/\p{Mn}/gu, '').normalize('NFKC');
  t = t.replace(/[\p{Cf}\u034F\u115F\u1160\u3164\uFFA0]/gu, '');
  return lookAlike(lookAlike(t).toLowerCase());
}

/** Chinese, Japanese and Korean script: no spaces between words, so each character is a token of its own. */
const CJK_CLASS = '\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}\\p{sc=Hangul}\\u3005\\u30FC';
const CJK_OR_REST = new RegExp(`[${CJK_CLASS}]|[^${CJK_CLASS}]+`, 'gu');
const CJK = new RegExp(`^[${CJK_CLASS}]$`, 'u');
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

/** How much a CJK character weighs against a word: two of them make one (24 copied characters = 12 words). */
export const CJK_CHARS_PER_WORD = 2;

export interface Token {
  t: string;
  /** 1 for a word; 1 / CJK_CHARS_PER_WORD for a CJK character. */
  w: number;
}

/** Words (letters and digits, inner apostrophes) and single CJK characters, normalised. */
export function toTokens(text: string): Token[] {
  const out: Token[] = [];
  for (const [word] of normalizeForCompare(text).matchAll(WORD)) {
    for (const [part] of word.matchAll(CJK_OR_REST)) out.push({ t: part, w: CJK.test(part) ? 1 / CJK_CHARS_PER_WORD : 1 });
  }
  return out;
}

/** Tokens back to readable text: words spaced, CJK characters not. */
export function joinTokens(tokens: Token[]): string {
  let out = '';
  tokens.forEach((tok, i) => {
    if (i > 0 && tok.w === 1 && tokens[i - 1]!.w === 1) out += ' ';
    out += tok.t;
  });
  return out;
}

/** "12 consecutive words", "30 consecutive characters", "a run of 6 words and 10 characters". */
export function describeLength(tokens: Token[]): string {
  const words = tokens.filter((t) => t.w === 1).length;
  const chars = tokens.length - words;
  const part = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  if (chars === 0) return `${words} consecutive word${words === 1 ? '' : 's'}`;
  if (words === 0) return `${chars} consecutive character${chars === 1 ? '' : 's'}`;
  return `a run of ${part(words, 'word')} and ${part(chars, 'character')}`;
}
