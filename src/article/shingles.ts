import { createHash } from 'node:crypto';
import { toTokens, type Token } from '../review/compareText.ts';

/** Words (tokens: a CJK character is one) per shingle. */
export const PAGE_SHINGLE_WORDS = 8;
/** Bytes per shingle hash. */
export const SHINGLE_HASH_BYTES = 4;
/** At most this many hashes are kept per page (64 KiB raw, about 87 KB as base64): a long article's first ~16,000 words. */
export const MAX_PAGE_SHINGLES = 16_384;

/** Domain separation: these hashes mean "8-token window of a Signal Desk page", version 1. */
const DOMAIN = 'signal-desk/page-shingle/v1\u0000';

/** The hash of the window of PAGE_SHINGLE_WORDS tokens starting at `i` (comparison keys, so disguises fold). */
export function shingleHash(tokens: Token[], i: number): number {
  return createHash('sha256').update(DOMAIN).update(tokens.slice(i, i + PAGE_SHINGLE_WORDS).map((t) => t.t).join('\u0001')).digest().readUInt32BE(0);
}

/**
 * Hashes of the text's 8-token shingles, tokenised as the copy guard tokenises editorial text (compareText.ts
 * `toTokens`: NFKC, confusables, format characters dropped, CJK by character), as one base64 string of 4-byte
 * hashes, sorted and unique, at most `max` of them (the first windows of the page). Never the text: a 32-bit
 * hash of an 8-word window keeps about 32 of the window's 100+ bits, so each hash has countless preimages, and
 * the set is sorted, so neither the windows' order nor their overlap can be chained back into sentences. It
 * can only confirm a text one already has, which is what the copy guard asks of it.
 */
export function toPageShingles(text: string, max = MAX_PAGE_SHINGLES): string {
  const tokens = toTokens(text);
  const hashes = new Set<number>();
  for (let i = 0; i + PAGE_SHINGLE_WORDS <= tokens.length && hashes.size < max; i++) hashes.add(shingleHash(tokens, i));
  const sorted = Uint32Array.from(hashes).sort();
  const buf = Buffer.alloc(sorted.length * SHINGLE_HASH_BYTES);
  sorted.forEach((h, i) => buf.writeUInt32BE(h, i * SHINGLE_HASH_BYTES));
  return buf.toString('base64');
}

/** A stored encoding back to a set to look hashes up in; undefined for anything that is not one. */
export function decodePageShingles(encoded: string): Set<number> | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return undefined;
  const buf = Buffer.from(encoded, 'base64');
  if (buf.length % SHINGLE_HASH_BYTES !== 0 || buf.length > MAX_PAGE_SHINGLES * SHINGLE_HASH_BYTES * 4) return undefined;
  const out = new Set<number>();
  for (let i = 0; i < buf.length; i += SHINGLE_HASH_BYTES) out.add(buf.readUInt32BE(i));
  return out;
}
