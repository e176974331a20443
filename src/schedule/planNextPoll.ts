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

/** A new source keeps its configured interval until its feed has shown this many dated items… */
export const HISTORY_MIN_ITEMS = 5;
/** …spanning at least this long (a day): one poll of three items is no rhythm to follow. */
export const HISTORY_MIN_SPAN_MS = 86_400_000;
/** Only items dated within this window count, for the history as for the gap. */
const WINDOW_MS = 30 * 86_400_000;

/**
 * What the polls of a source have shown of its publishing so far (persisted with its state): dated items
 * counted once each (an item counts when it is newer than the newest date known), and the oldest and newest
 * dates seen (ms).
 */
export interface PublishingHistory {
  items: number;
  from: number;
  to: number;
}

/** Where a cache hint came from: Cache-Control max-age, Expires, or RSS <ttl>. */
export type FreshnessFrom = 'max-age' | 'expires' | 'ttl';

/**
 * Why the normal interval (without backoff) is what it is: the feed's rhythm (`adaptive`, with the gap
 * measured and the bound it was held at), the configured `every` (adaptive off, or nothing better known), or
 * the configured `every` while a new source has too little history to adapt (`learning`).
 */
export type IntervalBasis =
  | { code: 'adaptive'; gapMs?: number; bound?: 'min' | 'max' }
  | { code: 'configured' }
  | { code: 'learning'; items: number; spanMs: number };

/** Why the next poll is when it is (machine code, stored as `scheduleReason`). */
export type PlanReason = IntervalBasis['code'] | 'backoff' | 'retry-after' | 'freshness' | 'outage' | 'paused';

/**
 * The decision as it is stored with the source's state (`scheduleWhy`, JSON) and shown by `sources status`,
 * `sources list` and the Sources page: the words are made from these facts, never recomputed from others.
 */
export interface ScheduleWhy {
  reason: PlanReason;
  /** The delay the reason gave, before jitter (ms); null when paused. */
  inForceMs: number | null;
  /** The normal interval and why. */
  intervalMs: number;
  basis: IntervalBasis;
  /** Backoff: consecutive failures. */
  failures?: number;
  /** Retry-After: the time the server asked us to wait until (ms). */
  retryAt?: number;
  /** max-age / Expires / <ttl>: which hint, and how long. */
  freshness?: { from: FreshnessFrom; ms: number };
  /** When the plan was made (ms). */
  plannedAt: number;
}

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
  /** Why that interval was in force (from the stored decision), if known. */
  previousBasis?: IntervalBasis | undefined;
  /** The publishing history known before this poll (undefined: none yet). */
  history?: PublishingHistory | undefined;
  /** Consecutive failures before this poll. */
  failures: number;
  /** Publication dates (ms) of the items the feed lists now; only for a 200. */
  itemDates: number[];
  /** Freshness the publisher asked for (max-age, Expires, <ttl>), ms. */
  freshnessMs: number | undefined;
  /** Which hint gave freshnessMs (for the words); max-age when not said. */
  freshnessFrom?: FreshnessFrom | undefined;
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
  /** Why this delay (see PlanReason). */
  reason: PlanReason;
  /** The decision with its facts, to store and to explain (see ScheduleWhy). */
  why: ScheduleWhy;
  /** The publishing history after this poll (to store). */
  history: PublishingHistory | undefined;
}

/** Typical gap between the newest items (up to 10, within the last 30 days); undefined with fewer than 2 dates. */
export function publishingGapMs(itemDates: number[], now: number): number | undefined {
  const recent = recentDates(itemDates, now).sort((a, b) => b - a).slice(0, 10);
  if (recent.length < 2) return undefined;
  return (recent[0]! - recent[recent.length - 1]!) / (recent.length - 1);
}

function recentDates(itemDates: number[], now: number): number[] {
  return itemDates.filter((d) => Number.isFinite(d) && d <= now && now - d <= WINDOW_MS);
}

/** The history after a 200 that listed items dated `itemDates`: items newer than the newest known are counted. */
export function foldHistory(previous: PublishingHistory | undefined, itemDates: number[], now: number): PublishingHistory | undefined {
  const dates = recentDates(itemDates, now);
  if (dates.length === 0) return previous;
  // A loop, not Math.min(...dates): a feed of a few hundred thousand items would overflow the call stack.
  let lo = Infinity;
  let hi = -Infinity;
  for (const d of dates) {
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  if (!previous) return { items: dates.length, from: lo, to: hi };
  return { items: previous.items + dates.filter((d) => d > previous.to).length, from: Math.min(previous.from, lo), to: Math.max(previous.to, hi) };
}

/** Enough history to follow the feed's rhythm: HISTORY_MIN_ITEMS dated items over HISTORY_MIN_SPAN_MS. */
export function hasHistory(h: PublishingHistory | undefined): boolean {
  return h !== undefined && h.items >= HISTORY_MIN_ITEMS && h.to - h.from >= HISTORY_MIN_SPAN_MS;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function jittered(ms: number, random: number): number {
  return Math.round(ms * (1 - JITTER + 2 * JITTER * random));
}

/** The normal interval and why: see IntervalBasis. */
function chooseInterval(i: PlanInput, history: PublishingHistory | undefined): { intervalMs: number; basis: IntervalBasis } {
  const learning = (): IntervalBasis => ({ code: 'learning', items: history?.items ?? 0, spanMs: history ? history.to - history.from : 0 });
  let raw: number;
  let basis: IntervalBasis;
  if (!i.adaptive) {
    raw = i.baseMs;
    basis = { code: 'configured' };
  } else if (i.kind === 'ok' && !hasHistory(history)) {
    // A new source: the operator's interval until the feed has shown a rhythm worth following.
    raw = i.baseMs;
    basis = learning();
  } else {
    const gap = i.kind === 'ok' ? publishingGapMs(i.itemDates, i.now) : undefined;
    if (gap !== undefined) {
      raw = gap;
      basis = { code: 'adaptive', gapMs: gap };
    } else if (i.previousIntervalMs !== undefined) {
      // Nothing new to measure (a 304, a failure, no recent dates): the interval in force stays, for its reason.
      raw = i.previousIntervalMs;
      basis = i.previousBasis ?? { code: 'adaptive' };
    } else {
      raw = i.baseMs;
      basis = hasHistory(history) ? { code: 'configured' } : learning();
    }
  }
  const intervalMs = clamp(raw, i.minMs, i.maxMs);
  if (basis.code === 'adaptive' && basis.gapMs !== undefined && intervalMs !== raw) basis = { ...basis, bound: intervalMs === i.minMs ? 'min' : 'max' };
  return { intervalMs, basis };
}

export function planNextPoll(i: PlanInput): Plan {
  const history = i.kind === 'ok' ? foldHistory(i.history, i.itemDates, i.now) : i.history;
  const { intervalMs: interval, basis } = chooseInterval(i, history);
  const floor = Math.max(i.freshnessMs ?? 0, i.retryAfterMs ?? 0);

  const at = (delay: number, reason: PlanReason, failures: number, cap = Infinity): Plan => {
    let inForce = Math.min(cap, delay);
    let d = Math.min(cap, jittered(delay, i.random));
    const why: ScheduleWhy = { reason, inForceMs: inForce, intervalMs: interval, basis, plannedAt: i.now };
    if (reason === 'backoff') why.failures = failures;
    // Never sooner than the publisher asked (Retry-After, max-age, Expires, <ttl>), whatever the rest says.
    if (floor > d) {
      d = floor;
      inForce = floor;
      if ((i.retryAfterMs ?? 0) >= (i.freshnessMs ?? 0)) Object.assign(why, { reason: 'retry-after', retryAt: i.now + i.retryAfterMs! });
      else Object.assign(why, { reason: 'freshness', freshness: { from: i.freshnessFrom ?? 'max-age', ms: i.freshnessMs! } });
      why.inForceMs = inForce;
    }
    return { nextAt: i.now + d, delayMs: d, intervalMs: interval, failures, reason: why.reason, why, history };
  };

  switch (i.kind) {
    case 'ok':
    case 'not_modified':
      // Success: back to the normal interval, failures forgotten.
      return at(interval, basis.code, 0);
    case 'rate_limited':
      // Asked to slow down: not a failure of the source; wait at least what it asked.
      return at(interval, basis.code, i.failures);
    case 'permanent':
      // 410 Gone is the publisher saying the feed is gone for good: pause, with the reason shown.
      if (i.code === 'gone') {
        const why: ScheduleWhy = { reason: 'paused', inForceMs: null, intervalMs: interval, basis, plannedAt: i.now };
        return { nextAt: null, delayMs: null, intervalMs: interval, failures: i.failures + 1, pause: 'HTTP 410 Gone: the publisher removed this feed; fix the URL in the sources file or `sources resume` it', reason: 'paused', why, history };
      }
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
