import { CronExpressionParser } from 'cron-parser';
import { formatUtc } from '../clock.ts';
import { scheduleBounds, type Source } from '../config/sourceSchema.ts';
import type { SourceState } from '../fetch/sourceState.ts';
import { HISTORY_MIN_ITEMS, HISTORY_MIN_SPAN_MS, type FreshnessFrom, type IntervalBasis, type PlanReason, type ScheduleWhy } from './planNextPoll.ts';

/**
 * Why a source is polled when it is, in an operator's words: for `sources status`, `sources list`, the API and
 * the Sources page. Pure: the source as configured, its stored state and `now` in. The words are made from
 * the decision planNextPoll stored with the next poll (`scheduleWhy`), so they cannot drift from it.
 */

/** The reason codes a schedule can show: planNextPoll's, and the states around a chain of polls. */
export type ScheduleReasonCode = PlanReason | 'starting' | 'cron' | 'disabled' | 'unscheduled';

export interface ScheduleView {
  /** The schedule as configured: "every 15m, adaptive 5m–24h", "every 15m", "cron 0 * * * * Europe/Paris". */
  configured: string;
  /** The delay in force now ("8h", "30m"; the cron expression for cron sources); null when nothing is planned. */
  inForce: string | null;
  inForceMs: number | null;
  /** Why: a machine code and the words. */
  reason: { code: ScheduleReasonCode; text: string };
  /** The next poll (ISO 8601), and it in words: "in 5m", "due now", "overdue by 5m". */
  dueAt: string | null;
  due: string | null;
}

/** "45s", "15m", "1h 30m", "8h", "30h", "2d 6h": a duration as operators read it (and as the sources file writes it). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  const m = Math.round(ms / 60_000);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** A due time in words: within a minute either way "due now", later "in 5m", past "overdue by 5m" (never negative). */
export function describeDue(dueAt: number, now: number): string {
  const d = dueAt - now;
  if (Math.abs(d) < 60_000) return 'due now';
  return d < 0 ? `overdue by ${formatDuration(-d)}` : `in ${formatDuration(d)}`;
}

/** The configured schedule in one line. */
export function describeConfigured(source: Source): string {
  const s = source.schedule;
  if (s.cron !== undefined) return `cron ${s.cron}${s.tz ? ` ${s.tz}` : ''}`;
  const b = scheduleBounds(source);
  return `every ${s.every}${b.adaptive ? `, adaptive ${formatDuration(b.minMs)}–${formatDuration(b.maxMs)}` : ''}`;
}

const REASON_CODES = new Set<string>(['adaptive', 'configured', 'learning', 'backoff', 'retry-after', 'freshness', 'outage', 'paused', 'starting']);

type StoredWhy = Omit<ScheduleWhy, 'reason'> & { reason: PlanReason | 'starting' };

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/**
 * The stored decision, rebuilt field by field from what we wrote: undefined when the field is absent or not
 * one we wrote, a fact of the wrong type left out (a coercer: never throws, and nothing else reaches the words).
 */
export function readScheduleWhy(text: string | undefined): StoredWhy | undefined {
  if (!text || text.length > 10_000) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const w = v as Record<string, unknown>;
  const intervalMs = num(w.intervalMs);
  if (typeof w.reason !== 'string' || !REASON_CODES.has(w.reason) || intervalMs === undefined) return undefined;
  if (w.inForceMs !== null && num(w.inForceMs) === undefined) return undefined;
  const basis = readBasis(w.basis);
  if (!basis) return undefined;
  const why: StoredWhy = { reason: w.reason as StoredWhy['reason'], inForceMs: (w.inForceMs as number | null), intervalMs, basis, plannedAt: num(w.plannedAt) ?? 0 };
  const failures = num(w.failures);
  if (failures !== undefined && Number.isInteger(failures)) why.failures = failures;
  const retryAt = num(w.retryAt);
  if (retryAt !== undefined) why.retryAt = retryAt;
  const f = w.freshness as Record<string, unknown> | null | undefined;
  if (typeof f === 'object' && f !== null && ['max-age', 'expires', 'ttl'].includes(f.from as string) && num(f.ms) !== undefined) why.freshness = { from: f.from as FreshnessFrom, ms: f.ms as number };
  return why;
}

function readBasis(v: unknown): IntervalBasis | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const b = v as Record<string, unknown>;
  if (b.code === 'configured') return { code: 'configured' };
  if (b.code === 'learning') return { code: 'learning', items: num(b.items) ?? 0, spanMs: num(b.spanMs) ?? 0 };
  if (b.code !== 'adaptive') return undefined;
  const gapMs = num(b.gapMs);
  const bound = b.bound === 'min' || b.bound === 'max' ? b.bound : undefined;
  return { code: 'adaptive', ...(gapMs !== undefined ? { gapMs } : {}), ...(gapMs !== undefined && bound ? { bound } : {}) };
}

/** The words for a stored decision. */
function reasonText(why: StoredWhy, source: Source): string {
  switch (why.reason) {
    case 'adaptive':
    case 'configured':
    case 'learning':
      return basisText(why.basis, source);
    case 'backoff': {
      const n = why.failures ?? 0;
      return `${n} failure${n === 1 ? '' : 's'} in a row (the interval is ${formatDuration(why.intervalMs)} once it answers)`;
    }
    case 'retry-after':
      return why.retryAt && formatUtc(why.retryAt) ? `server asked to wait until ${formatUtc(why.retryAt)} (Retry-After)` : 'server asked to wait (Retry-After)';
    case 'freshness': {
      const f = why.freshness;
      if (!f) return 'the feed asked not to be fetched again sooner (cache hints)';
      if (f.from === 'expires') return `cache Expires in ${formatDuration(f.ms)}`;
      if (f.from === 'ttl') return `feed <ttl> ${formatDuration(f.ms)}`;
      return `cache max-age ${formatDuration(f.ms)}`;
    }
    case 'outage':
      return 'most sources fail with network errors (our outage): retried soon, not counted as failures';
    case 'paused':
      return 'paused: no polls until it is resumed';
    case 'starting':
      return 'first poll of its chain, spread over the first minute';
  }
}

function basisText(basis: IntervalBasis, source: Source): string {
  const b = scheduleBounds(source);
  switch (basis.code) {
    case 'adaptive':
      if (basis.gapMs === undefined) return 'follows the feed\'s publishing rhythm';
      return `publishes about every ${formatDuration(basis.gapMs)}${basis.bound === 'min' ? `; held at the ${formatDuration(b.minMs)} minimum` : basis.bound === 'max' ? `; held at the ${formatDuration(b.maxMs)} maximum` : ''}`;
    case 'configured':
      return b.adaptive ? 'configured: no recent dated items to adapt to' : 'configured (adaptive: false)';
    case 'learning':
      return `new source: configured until ${HISTORY_MIN_ITEMS} dated items over ${formatDuration(HISTORY_MIN_SPAN_MS)} (so far ${basis.items} over ${formatDuration(basis.spanMs)})`;
  }
}

/** For states written before the decision was stored with its facts (only `scheduleReason`). */
function legacyWhy(source: Source, s: SourceState): { code: ScheduleReasonCode; text: string } {
  const failures = Number(s.consecutiveFailures ?? 0);
  switch (s.scheduleReason) {
    case 'backoff':
      return { code: 'backoff', text: `${failures} failure${failures === 1 ? '' : 's'} in a row` };
    case 'retry-after':
      return { code: 'retry-after', text: 'server asked to wait (Retry-After)' };
    case 'freshness':
      return { code: 'freshness', text: 'the feed asked not to be fetched again sooner (cache hints)' };
    case 'outage':
      return { code: 'outage', text: 'most sources fail with network errors (our outage)' };
    default: {
      const b = scheduleBounds(source);
      const interval = s.intervalMs ? Number(s.intervalMs) : b.baseMs;
      if (!b.adaptive || interval === b.baseMs) return { code: 'configured', text: b.adaptive ? 'configured' : 'configured (adaptive: false)' };
      return { code: 'adaptive', text: 'follows the feed\'s publishing rhythm' };
    }
  }
}

function nextCronRun(cron: string, tz: string | undefined, now: number): number | null {
  try {
    return CronExpressionParser.parse(cron, { currentDate: new Date(now), ...(tz ? { tz } : {}) }).next().getTime();
  } catch {
    return null;
  }
}

/** Date's own range: a stored time past it (hand-edited, another version's) would throw in toISOString. */
const MAX_TIME_MS = 8.64e15;

/** A stored time (ms since the epoch) as a number, or NaN when it is not one Date can hold. */
export function storedTime(raw: string | undefined): number {
  const ms = raw ? Number(raw) : NaN;
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS ? ms : NaN;
}

/** A stored duration (ms): a positive finite number, or null (absent, NaN, negative, "abc"). */
export function storedDuration(raw: string | undefined): number | null {
  const ms = raw ? Number(raw) : NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

export function describeSchedule(source: Source, s: SourceState, now: number): ScheduleView {
  const configured = describeConfigured(source);
  const none = { inForce: null, inForceMs: null, dueAt: null, due: null };
  if (!source.enabled) return { configured, ...none, reason: { code: 'disabled', text: 'disabled in the sources file' } };
  if (s.pausedReason) return { configured, ...none, reason: { code: 'paused', text: 'paused: no polls until it is resumed' } };
  const { cron, tz } = source.schedule;
  if (cron !== undefined) {
    const next = nextCronRun(cron, tz, now);
    return { configured, inForce: `cron ${cron}`, inForceMs: null, reason: { code: 'cron', text: `at the times the cron names${tz ? ` (${tz})` : ' (UTC)'}` }, dueAt: next === null ? null : new Date(next).toISOString(), due: next === null ? null : describeDue(next, now) };
  }
  const dueMs = storedTime(s.nextPollAt);
  const due = Number.isFinite(dueMs) ? { dueAt: new Date(dueMs).toISOString(), due: describeDue(dueMs, now) } : { dueAt: null, due: null };
  const why = readScheduleWhy(s.scheduleWhy);
  if (why) {
    return { configured, inForce: why.inForceMs === null ? null : formatDuration(why.inForceMs), inForceMs: why.inForceMs, reason: { code: why.reason, text: reasonText(why, source) }, ...due };
  }
  const intervalMs = storedDuration(s.intervalMs);
  const inForce = { inForce: intervalMs === null ? null : formatDuration(intervalMs), inForceMs: intervalMs };
  if (due.dueAt === null) return { configured, ...inForce, reason: { code: 'unscheduled', text: 'not scheduled: no scheduling `run` has started its polls' }, ...due };
  return { configured, ...inForce, reason: legacyWhy(source, s), ...due };
}
