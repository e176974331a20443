import { decodeHTML } from 'entities';
import unhomoglyph from 'unhomoglyph';

/**
 * Text as the copy guard reads it: entities decoded (`&nbsp;`, `&#8203;`, escaped twice or more too), tags dropped, NFKC
 * (full-width and mathematical letters, ligatures, no-break spaces), combining marks dropped, format
 * characters (\p{Cf}: zero-width space U+200B, soft hyphen U+00AD, word joiner U+2060, bidi controls…)
 * dropped. Case is kept for `compareKey`, which folds it. Never stored: only compared.
 */
export function normalizeForCompare(text: string): string {
  let t = text;
  for (let i = 0; i < 4 && t.includes('&'); i++) {
    const decoded = decodeHTML(t);
    if (decoded === t) break;
    t = decoded;
  }
  // Markup is published as text, but a reader that renders it would not show it: "ch<b></b>ipmaker".
  if (t.includes('<')) t = t.replace(TAG, '');
  t = t.normalize('NFKD').replace(/\p{Mn}/gu, '').normalize('NFKC');
  // Format characters, fillers, and the Arabic tatweel (U+0640), which only stretches a word.
  t = t.replace(/[\p{Cf}\u034F\u0640\u115F\u1160\u3164\uFFA0]/gu, '');
  return t;
}

const TAG = /<\/?[a-zA-Z][^<>]*>/g;

/**
 * Letters that compare as others before the skeleton is taken: small capitals (not in the confusables list,
 * and not decomposed by NFKC), the sharp s as "ss" (its case folding), the final sigma as sigma.
 */
const FOLD: Record<string, string> = {
  ...Object.fromEntries(Array.from('ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢ', (c, i) => [c, 'abcdefghijklmnopqrstuvwyz'[i]!])),
  ß: 'ss',
  ẞ: 'ss',
  ς: 'σ',
};

/**
 * The key a character is compared by: its confusable skeleton (Unicode's confusables list, UTS #39, through
 * `unhomoglyph`) in lower case, so a Cyrillic "о" or "Т", a Greek "ο" or a Cherokee letter standing in for a
 * Latin one is the same letter. The small letter is asked first ("I" is "i", not the "l" its capital's skeleton
 * would be), the capital when only it looks Latin (Cyrillic "т" looks like a small capital, "Т" like "T").
 */
const keys = new Map<string, string>();
const isAscii = (s: string) => Array.from(s).every((c) => c.charCodeAt(0) <= 0x7f);
export function charKey(c: string): string {
  let key = keys.get(c);
  if (key === undefined) {
    const folded = FOLD[c];
    if (folded !== undefined) return folded === 'σ' ? charKey(folded) : folded;
    // Both asked from the small letter's pair, so a letter's key never depends on the case it was written in.
    const small = c.toLowerCase();
    const fromSmall = unhomoglyph(small);
    const fromCapital = unhomoglyph(small.toUpperCase());
    key = (isAscii(fromSmall) || !isAscii(fromCapital) ? fromSmall : fromCapital).toLowerCase();
    if (keys.size < 20_000) keys.set(c, key);
  }
  return key;
}

/** A word's comparison key (a skeleton, not meant to be read: "m" becomes "rn"). */
export const compareKey = (word: string): string => Array.from(word, charKey).join('');

/** A word as it is quoted back: look-alike letters shown as the Latin letter they imitate, the rest as written. */
const quoteForm = (word: string): string => Array.from(word, (c) => (c.charCodeAt(0) > 0x7f && /^[a-z]$/.test(charKey(c)) ? charKey(c) : c.toLowerCase())).join('');

/** Chinese, Japanese and Korean script: no spaces between words, so each character is a token of its own. */
const CJK_CLASS = '\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}\\p{sc=Hangul}\\u3005\\u30FC';
/** Thai, Lao, Khmer and Myanmar: no spaces between words either (and not CJK), so also a token per character. */
const UNSPACED_CLASS = '\\p{sc=Thai}\\p{sc=Lao}\\p{sc=Khmer}\\p{sc=Myanmar}';
const CJK_OR_REST = new RegExp(`[${CJK_CLASS}]|[${UNSPACED_CLASS}]|[^${CJK_CLASS}${UNSPACED_CLASS}]+`, 'gu');
const CJK = new RegExp(`^[${CJK_CLASS}]$`, 'u');
const UNSPACED = new RegExp(`^[${UNSPACED_CLASS}]$`, 'u');
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

/** How much a CJK character weighs against a word: two of them make one (24 copied characters = 12 words). */
export const CJK_CHARS_PER_WORD = 2;
/** A Thai, Lao, Khmer or Myanmar character (its vowel marks dropped, as every combining mark is): three make a word. */
export const UNSPACED_CHARS_PER_WORD = 3;

export interface Token {
  /** The comparison key (confusable skeleton). */
  t: string;
  /** The token as the normalised text has it, for quoting. */
  d: string;
  /** 1 for a word; 1 / CJK_CHARS_PER_WORD for a CJK character, 1 / UNSPACED_CHARS_PER_WORD for a Thai one. */
  w: number;
}

const weightOf = (part: string) => (CJK.test(part) ? 1 / CJK_CHARS_PER_WORD : UNSPACED.test(part) ? 1 / UNSPACED_CHARS_PER_WORD : 1);

/** Words (letters and digits, inner apostrophes) and single CJK (and Thai, Lao, Khmer, Myanmar) characters, normalised. */
export function toTokens(text: string): Token[] {
  const out: Token[] = [];
  for (const [word] of normalizeForCompare(text).matchAll(WORD)) {
    // Most words hold no CJK or Thai-like character: one token, without splitting.
    if (!SPLIT.test(word)) out.push(tokenOf(word));
    else for (const [part] of word.matchAll(CJK_OR_REST)) out.push(tokenOf(part));
  }
  return out;
}

const SPLIT = new RegExp(`[${CJK_CLASS}${UNSPACED_CLASS}]`, 'u');

/**
 * Tokens by the text they were made from: an article page repeats its words, and a word's key is the same
 * every time (a page's shingles are the long texts this tokenises). Bounded.
 */
const tokenCache = new Map<string, Token>();
function tokenOf(part: string): Token {
  let token = tokenCache.get(part);
  if (token === undefined) {
    token = { t: compareKey(part), d: quoteForm(part), w: weightOf(part) };
    if (tokenCache.size >= 50_000) tokenCache.clear();
    tokenCache.set(part, token);
  }
  // A token of its own each time: callers tell a text's tokens apart by identity (which field a token came from).
  return { t: token.t, d: token.d, w: token.w };
}

/** Tokens back to readable text: words spaced, CJK characters not. */
export function joinTokens(tokens: Token[]): string {
  let out = '';
  tokens.forEach((tok, i) => {
    if (i > 0 && tok.w === 1 && tokens[i - 1]!.w === 1) out += ' ';
    out += tok.d;
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
