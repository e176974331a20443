import { toTokens, type Token } from '../review/compareText.ts';

/** Words (tokens: a CJK character is one) per shingle. */
export const PAGE_SHINGLE_WORDS = 8;
/** Bytes per shingle hash. */
export const SHINGLE_HASH_BYTES = 4;
/** At most this many hashes are kept per page (64 KiB raw, about 87 KB as base64): a long article's first ~16,000 words. */
export const MAX_PAGE_SHINGLES = 16_384;

/** Seed of the hashes ("v2": a change of the hashing makes stored shingles of an older version another domain). */
const SEED = 0x5d5e_0002;

/** FNV-1a over a token's comparison key (UTF-16 code units): one number per token, computed once per text. */
function tokenHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The window's token hashes folded in order (multiply-xor), then MurmurHash3's finaliser for avalanche. */
function windowHash(hashes: ArrayLike<number>, i: number): number {
  let h = SEED;
  for (let k = i; k < i + PAGE_SHINGLE_WORDS; k++) {
    h = Math.imul(h ^ hashes[k]!, 0x9e3779b1);
    h ^= h >>> 15;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The hash of every window of PAGE_SHINGLE_WORDS tokens (comparison keys, so disguises fold), by start index. */
export function shingleHashes(tokens: Token[]): Uint32Array {
  const each = Uint32Array.from(tokens, (t) => tokenHash(t.t));
  const out = new Uint32Array(Math.max(0, tokens.length - PAGE_SHINGLE_WORDS + 1));
  for (let i = 0; i < out.length; i++) out[i] = windowHash(each, i);
  return out;
}

/** The hash of the window of PAGE_SHINGLE_WORDS tokens starting at `i`. */
export function shingleHash(tokens: Token[], i: number): number {
  return windowHash(tokens.slice(i, i + PAGE_SHINGLE_WORDS).map((t) => tokenHash(t.t)), 0);
}

/**
 * Hashes of the text's 8-token shingles, tokenised as the copy guard tokenises editorial text (compareText.ts
 * `toTokens`: NFKC, confusables, format characters dropped, CJK by character), as one base64 string of 4-byte
 * hashes, sorted and unique, at most `max` of them (the first windows of the page). Never the text: a 32-bit
 * hash of an 8-word window (not a cryptographic one: nothing here is secret, the text is public) keeps about 32 of the window's 100+ bits, so each hash has countless preimages, and
 * the set is sorted, so neither the windows' order nor their overlap can be chained back into sentences. It
 * can only confirm a text one already has, which is what the copy guard asks of it.
 */
export function toPageShingles(text: string, max = MAX_PAGE_SHINGLES): string {
  const windows = shingleHashes(toTokens(text));
  const hashes = new Set<number>();
  for (let i = 0; i < windows.length && hashes.size < max; i++) hashes.add(windows[i]!);
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
