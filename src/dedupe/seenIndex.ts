import { createHash } from 'node:crypto';
import type { Keys } from '../queue/keys.ts';

/**
 * Layout of the de-duplication index (pure: no I/O). A source's seen set is SEEN_BUCKETS hashes
 * (`{sd}:seen:<id>:<b>`), the cross-source URL index URL_BUCKETS hashes (`{sd}:urls:<b>`); the bucket comes
 * from the digest's first bytes. A field is the digest as 12 raw bytes; a seen value is the last sighting in
 * minutes since SEEN_EPOCH (a short integer), a URL value `<minute>|<draft id>` (`<minute>` alone for a URL
 * seen without a mapping, migrated from before mappings existed). Small hashes with short fields and values
 * stay listpack-encoded (about 20 bytes per seen entry, 48 per URL entry): a bucket that outgrows
 * `hash-max-listpack-entries` (128 by default) becomes a hashtable, still correct, about three times the bytes.
 */
export const SEEN_BUCKETS = 2;
export const URL_BUCKETS = 1024;
/**
 * Minutes are counted from here, so they fit listpack's signed 24-bit integer (a 4-byte entry) until 2035-12-13
 * (2^23 - 1 minutes); later ones take its 32-bit integer, one byte more per entry (still listpack, still correct).
 */
export const SEEN_EPOCH = Date.UTC(2020, 0, 1);

const BASE64URL_16 = /^[A-Za-z0-9_-]{16}$/;

/** The 12 raw bytes stored for a digest: the 16-char base64url digest decoded (itemKey.ts `digest`), else a hash of it. */
export function rawDigest(d: string): Buffer {
  if (BASE64URL_16.test(d)) return Buffer.from(d, 'base64url');
  return createHash('sha256').update(d).digest().subarray(0, 12);
}

export function toMinute(ms: number): number {
  return Math.floor((ms - SEEN_EPOCH) / 60_000);
}

export function seenBucketOf(raw: Buffer): number {
  return raw[0]! % SEEN_BUCKETS;
}

export function urlBucketOf(raw: Buffer): number {
  return ((raw[0]! << 8) | raw[1]!) % URL_BUCKETS;
}

export function seenBucketKeys(keys: Keys, sourceId: string): string[] {
  return Array.from({ length: SEEN_BUCKETS }, (_, b) => keys.seenBucket(sourceId, b));
}

export function urlKeyOf(keys: Keys, raw: Buffer): string {
  return keys.urlIndex(urlBucketOf(raw));
}

/** The draft a URL value names ('' for a URL seen without a mapping, or none). */
export function mappingOf(value: string | null | undefined): string {
  if (!value) return '';
  const bar = value.indexOf('|');
  return bar < 0 ? '' : value.slice(bar + 1);
}

/**
 * Lua helpers shared by the scripts. sd_map(v): the draft a URL value names. sd_trim(key, cutoff, cursors,
 * field): deletes the entries of one bucket whose minute is below cutoff; a bucket of up to TRIM_STEP entries
 * is read whole, a larger one (hashtable-encoded) in HSCAN steps of TRIM_STEP from a cursor kept in
 * `cursors` (the seen-trim hash) under `field`, so one call's work stays bounded.
 */
export const TRIM_STEP = 1024;
export const LUA_SEEN = `
local function sd_map(v)
  if not v then return '' end
  local bar = string.find(v, '|', 1, true)
  if not bar then return '' end
  return string.sub(v, bar + 1)
end
local function sd_minute(v)
  return tonumber(string.match(v, '^-?%d+')) or 0
end
local function sd_trim(key, cutoff, cursors, field)
  local flat
  if redis.call('HLEN', key) <= ${TRIM_STEP} then
    flat = redis.call('HGETALL', key)
    redis.call('HDEL', cursors, field)
  else
    local r = redis.call('HSCAN', key, redis.call('HGET', cursors, field) or '0', 'COUNT', ${TRIM_STEP})
    redis.call('HSET', cursors, field, r[1])
    flat = r[2]
  end
  local old = {}
  for j = 1, #flat, 2 do
    if sd_minute(flat[j + 1]) < cutoff then old[#old + 1] = flat[j] end
  end
  for j = 1, #old, 500 do redis.call('HDEL', key, unpack(old, j, math.min(j + 499, #old))) end
end
`;
