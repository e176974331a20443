import { parseRetryAfter } from '../fetch/retryAfter.ts';
import type { FreshnessFrom } from './planNextPoll.ts';

const DAY = 86_400_000;

/**
 * How long the publisher says its feed stays fresh, in ms from `now`: Cache-Control max-age (RFC 9111
 * §5.2.2.1; s-maxage is for shared caches, we are a private client) or else Expires (RFC 9111 §5.3), and
 * RSS <ttl> in minutes (RSS 2.0). The largest wins; each is capped at a day so a hostile header cannot
 * park a source. Undefined when there is no hint.
 */
export function freshnessFloorMs(headers: Record<string, string | undefined>, ttlMinutes: number | null, now: number): number | undefined {
  return freshnessFloor(headers, ttlMinutes, now)?.ms;
}

/** freshnessFloorMs with the hint that gave it (for "cache max-age 1h" in the schedule's reason). */
export function freshnessFloor(headers: Record<string, string | undefined>, ttlMinutes: number | null, now: number): { ms: number; from: FreshnessFrom } | undefined {
  const floors: { ms: number; from: FreshnessFrom }[] = [];
  const cc = headers['cache-control'];
  const maxAge = cc ? /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cc) : null;
  if (maxAge) floors.push({ ms: Number(maxAge[1]) * 1000, from: 'max-age' });
  else if (headers.expires) {
    // An invalid Expires (e.g. "0") means "already expired" (RFC 9111 §5.3): no floor.
    const at = Date.parse(headers.expires);
    if (!Number.isNaN(at)) floors.push({ ms: at - now, from: 'expires' });
  }
  if (ttlMinutes !== null && ttlMinutes > 0) floors.push({ ms: ttlMinutes * 60_000, from: 'ttl' });
  const best = floors.reduce<{ ms: number; from: FreshnessFrom } | undefined>((b, f) => (f.ms > (b?.ms ?? 0) ? f : b), undefined);
  return best ? { ms: Math.min(best.ms, DAY), from: best.from } : undefined;
}

export { parseRetryAfter };
