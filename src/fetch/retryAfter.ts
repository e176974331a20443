/**
 * Retry-After (RFC 9110 §10.2.3) is either delay-seconds or an HTTP-date. Returns milliseconds to wait
 * from `now`, or undefined when the header is absent or unreadable. Capped so a hostile server cannot
 * park a source for years.
 */
export function parseRetryAfter(value: string | undefined, now: number, capMs = 24 * 3_600_000): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, capMs);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), capMs);
}
