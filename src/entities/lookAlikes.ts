import { charKey } from '../review/compareText.ts';

/** Format characters (zero-width joiners, soft hyphen, word joiner, byte-order mark, bidi controls), fillers and the tatweel: invisible inside a word. */
export const INVISIBLE = /[\p{Cf}\u034F\u0640\u115F\u1160\u3164\uFFA0]/gu;

/** Letters of the scripts whose letters stand in for Latin ones (Cyrillic "о", Greek "ο", Armenian "օ", Cherokee "Ꭺ"). */
const LOOK_ALIKE = /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{Script=Cherokee}]/gu;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const LATIN = /\p{Script=Latin}/u;
const OTHER = /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{Script=Cherokee}]/u;

/**
 * A word that mixes Latin letters with look-alike letters of another script ("Nvіdia" with a Ukrainian "і",
 * "spоnsored" with a Cyrillic "о") written with the Latin letters they imitate (Unicode's confusables, through
 * review/compareText.ts). Words of one script are left as written: "Газпром" stays Cyrillic. Pure.
 */
export function unmixLookAlikes(text: string): string {
  if (!OTHER.test(text)) return text;
  return text.replace(WORD, (word) => (LATIN.test(word) && OTHER.test(word) ? word.replace(LOOK_ALIKE, (c) => (/^[a-z]+$/.test(charKey(c)) ? (c === c.toLowerCase() ? charKey(c) : charKey(c).toUpperCase()) : c)) : word));
}
