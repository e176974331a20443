import { DeskError } from '../errors.ts';

const U64_MAX = 2n ** 64n - 1n;
export const STREAM_ID_HINT = 'a stream id from a previous page (like 1764583200000-0)';

/** A Redis stream id "ms-seq", each part within 64 bits, that XREVRANGE accepts as an exclusive end (not 0-0). */
export function isStreamId(value: string): boolean {
  const m = /^(\d{1,20})-(\d{1,20})$/.exec(value);
  if (!m) return false;
  const [ms, seq] = [BigInt(m[1]!), BigInt(m[2]!)];
  return ms <= U64_MAX && seq <= U64_MAX && ms + seq > 0n;
}

/** The `before` of a page of signals: undefined when absent, else a valid stream id, else 422. */
export function parseBefore(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && isStreamId(value)) return value;
  const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : 'a list';
  throw new DeskError('invalid_fields', `before: ${shown} is not ${STREAM_ID_HINT}`, { fields: { before: `must be ${STREAM_ID_HINT}` } });
}
