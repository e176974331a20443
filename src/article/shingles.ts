import { createHash } from 'node:crypto';
import { toTokens } from '../review/compareText.ts';

/** Words per shingle. */
export const PAGE_SHINGLE_WORDS = 8;

/**
 * Hashes of the text's word shingles, encoded as one base64 string of 4-byte hashes, sorted and unique:
 * enough to tell that editorial text copies the article, and nothing to read the article back from.
 * (First cut; the copy-guard work refines it.)
 */
export function toPageShingles(text: string): string {
  const words = toTokens(text).map((t) => t.t);
  const hashes = new Set<number>();
  for (let i = 0; i + PAGE_SHINGLE_WORDS <= words.length; i++) {
    hashes.add(createHash('sha256').update(words.slice(i, i + PAGE_SHINGLE_WORDS).join(' ')).digest().readUInt32BE(0));
  }
  const sorted = [...hashes].sort((a, b) => a - b);
  const buf = Buffer.alloc(sorted.length * 4);
  sorted.forEach((h, i) => buf.writeUInt32BE(h, i * 4));
  return buf.toString('base64');
}
