/**
 * When to poll a source next: a pure function of what just happened and what we know, so every rule
 * (backoff, recovery, adaptive interval, floors, jitter) is tested without a clock or a queue.
 */

export const DEFAULT_MIN_MS = 5 * 60_000;
export const DEFAULT_MAX_MS = 24 * 3_600_000;
export const DEFAULT_BACKOFF_CAP_MS = 6 * 3_600_000;
/** The first retry after a failure comes after this (or a quarter of the interval, if longer), then doubles. */
export const FIRST_RETRY_MS = 60_000;
/** ± share of jitter on every delay, so sources do not poll in lockstep. */
export const JITTER = 0.1;

export type PollOutcomeKind = 'ok' | 'not_modified' | 'rate_limited' | 'transient' | 'permanent';

export interface PlanInput {
  now: number;
  kind: PollOutcomeKind;
  code: string;
  /** The source's configured interval: where a source starts, and what it keeps without better data. */
  baseMs: number;
  minMs: number;
  maxMs: number;
  adaptive: boolean;
  /** The interval in force before this poll (from the source's health), if any. */
  previousIntervalMs: number | undefined;
  /** Consecutive failures before this poll. */
  failures: number;
  /** Publication dates (ms) of the items the feed lists now; only for a 200. */
  itemDates: number[];
  /** Freshness the publisher asked for (max-age, Expires, <ttl>), ms. */
  freshnessMs: number | undefined;
  retryAfterMs: number | undefined;
  /** Most sources are failing with network errors right now: our outage, not this source's fault. */
  outage: boolean;
  backoffCapMs: number;
  /** A number in [0, 1): injected randomness for jitter. */
  random: number;
}

export interface Plan {
  /** null: do not poll again (the source is paused). */
  nextAt: number | null;
  delayMs: number | null;
  /** The normal interval from now on (without backoff). */
  intervalMs: number;
  failures: number;
  /** Set when the source must be paused, with the reason shown to operators. */
  pause?: string;
  /** Why this delay: "interval", "backoff", "retry-after", "freshness", "outage". */
  reason: string;
}

/** Typical gap between the newest items (up to 10, within the last 30 days); undefined with fewer than 2 dates. */
export function publishingGapMs(itemDates: number[], now: number): number | undefined {
  const recent = itemDates.filter((d) => Number.isFinite(d) && d <= now && now - d <= 30 * 86_400_000).sort((a, b) => b - a).slice(0, 10);
  if (recent.length < 2) return undefined;
  return (recent[0]! - recent[recent.length - 1]!) / (recent.length - 1);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function jittered(ms: number, random: number): number {
  return Math.round(ms * (1 - JITTER + 2 * JITTER * random));
}

export function planNextPoll(i: PlanInput): Plan {
  const previous = i.previousIntervalMs ?? i.baseMs;
  // The adaptive interval follows the feed's own rhythm: poll about as often as it publishes.
  const gap = i.kind === 'ok' && i.adaptive ? publishingGapMs(i.itemDates, i.now) : undefined;
  const interval = clamp(gap ?? (i.adaptive ? previous : i.baseMs), i.minMs, i.maxMs);
  const floor = Math.max(i.freshnessMs ?? 0, i.retryAfterMs ?? 0);

  const at = (delay: number, reason: string, failures: number, cap = Infinity): Plan => {
    let d = Math.min(cap, jittered(delay, i.random));
    // Never sooner than the publisher asked (Retry-After, max-age, Expires, <ttl>), whatever the rest says.
    if (floor > d) {
      d = floor;
      reason = (i.retryAfterMs ?? 0) >= (i.freshnessMs ?? 0) ? 'retry-after' : 'freshness';
    }
    return { nextAt: i.now + d, delayMs: d, intervalMs: interval, failures, reason };
  };

  switch (i.kind) {
    case 'ok':
    case 'not_modified':
      // Success: back to the normal interval, failures forgotten.
      return at(interval, 'interval', 0);
    case 'rate_limited':
      // Asked to slow down: not a failure of the source; wait at least what it asked.
      return at(interval, 'interval', i.failures);
    case 'permanent':
      // 410 Gone is the publisher saying the feed is gone for good: pause, with the reason shown.
      if (i.code === 'gone') return { nextAt: null, delayMs: null, intervalMs: interval, failures: i.failures + 1, pause: 'HTTP 410 Gone: the publisher removed this feed; fix the URL in the sources file or `sources resume` it', reason: 'paused' };
    // Any other permanent-looking failure (404, 403, not a feed) may be fixed on their side: back off, never stop.
    // falls through
    case 'transient': {
      if (i.outage) return at(Math.min(interval, 5 * 60_000), 'outage', i.failures);
      const failures = i.failures + 1;
      const first = Math.max(FIRST_RETRY_MS, Math.round(interval / 4));
      return at(first * 2 ** (failures - 1), 'backoff', failures, i.backoffCapMs);
    }
  }
}
