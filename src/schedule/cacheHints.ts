import { parseRetryAfter } from '../fetch/retryAfter.ts';

const DAY = 86_400_000;

/**
 * How long the publisher says its feed stays fresh, in ms from `now`: Cache-Control max-age (RFC 9111
 * §5.2.2.1; s-maxage is for shared caches, we are a private client) or else Expires (RFC 9111 §5.3), and
 * RSS <ttl> in minutes (RSS 2.0). The largest wins; each is capped at a day so a hostile header cannot
 * park a source. Undefined when there is no hint.
 */
export function freshnessFloorMs(headers: Record<string, string | undefined>, ttlMinutes: number | null, now: number): number | undefined {
  const floors: number[] = [];
  const cc = headers['cache-control'];
  const maxAge = cc ? /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cc) : null;
  if (maxAge) floors.push(Number(maxAge[1]) * 1000);
  else if (headers.expires) {
    // An invalid Expires (e.g. "0") means "already expired" (RFC 9111 §5.3): no floor.
    const at = Date.parse(headers.expires);
    if (!Number.isNaN(at)) floors.push(at - now);
  }
  if (ttlMinutes !== null && ttlMinutes > 0) floors.push(ttlMinutes * 60_000);
  const best = Math.max(0, ...floors);
  return best > 0 ? Math.min(best, DAY) : undefined;
}

export { parseRetryAfter };
