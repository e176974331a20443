import type { Source } from '../config/sourceSchema.ts';
import type { SourceState } from '../fetch/sourceState.ts';
import { NO_DROPS, type RuleDropCounts } from '../rules/recordRuleDrops.ts';
import { NO_SKIPS, type SkipCounts } from '../drafts/recordSkips.ts';
import { describeSchedule, storedDuration, storedTime, type ScheduleView } from './describeSchedule.ts';

export const HEALTH_STATES = ['paused', 'failing', 'selectors_broken', 'quiet', 'pending', 'ok', 'disabled'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

export interface SourceHealth {
  id: string;
  name: string;
  /** The URL polled now (after a recorded permanent redirect). */
  url: string;
  configuredUrl: string;
  state: HealthState;
  /** One line for operators: what is wrong and what to do (the words only: the code is `code`). */
  summary: string;
  /** The machine code of what the health shows (`server_error`, `malformed_xml`, `gone`, `ingest_failed`…); null when all is well. */
  code: string | null;
  /** The message that goes with `code`, without it; null when all is well. */
  message: string | null;
  /** When it is polled next and why (describeSchedule). */
  schedule: ScheduleView;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastOutcome: string | null;
  lastCode: string | null;
  lastMessage: string | null;
  consecutiveFailures: number;
  intervalMs: number | null;
  nextPollAt: string | null;
  scheduleReason: string | null;
  newItems24h: number;
  newItems7d: number;
  lastNewItemAt: string | null;
  validators: { etag: string | null; lastModified: string | null };
  redirect: { from: string; to: string } | null;
  pausedReason: string | null;
  /** The last feed read was recovered (malformed XML read leniently, forbidden characters dropped): a warning, never a failure. */
  warning: SourceWarning | null;
  /** Drafts from this source that a drop rule of the rules file took out of the queue (rejected, reopenable). */
  drops24h: number;
  drops7d: number;
  /** The last 7 days' drops by rule, most first. */
  dropsByRule: { rule: string; count: number }[];
  /** Items of this source the draft stage made no draft of (drafts/skipReason.ts), each counted once: in 24 hours, in 7 days. */
  skippedItems24h: number;
  skippedItems7d: number;
  /** The last 7 days' skipped items by reason code (no_title_or_link, filtered, unreadable). */
  skippedByReason: Record<string, number>;
}

export interface SourceWarning {
  code: string;
  message: string;
  at: string | null;
}

/** The stored warning, or null when absent or unreadable (a hand-edited hash never breaks the health). */
export function readWarning(stored: string | undefined): SourceWarning | null {
  if (!stored) return null;
  try {
    const w = JSON.parse(stored) as Record<string, unknown>;
    if (typeof w.code !== 'string' || typeof w.message !== 'string') return null;
    return { code: w.code, message: w.message, at: typeof w.at === 'string' ? w.at : null };
  } catch {
    return null;
  }
}

/** A source is quiet when nothing new came for this many times its interval (and at least QUIET_MIN_MS). */
export const QUIET_FACTOR = 4;
export const QUIET_MIN_MS = 6 * 3_600_000;

/**
 * What a source's stored state means, for `sources status`, the API and the Sources page. Pure: the state,
 * the new-item counts and `now` in, a verdict out. Problems first: paused, failing (an ingest that failed for
 * good, then failed polls), broken selectors, quiet.
 */
export function describeHealth(source: Source, s: SourceState, counts: { day: number; week: number }, now: number, drops: RuleDropCounts = NO_DROPS, skips: SkipCounts = NO_SKIPS): SourceHealth {
  // Read defensively: the hash may be hand-edited or written by another version ("abc", NaN, 9e99).
  const storedFailures = Number(s.consecutiveFailures ?? 0);
  const failures = Number.isSafeInteger(storedFailures) && storedFailures > 0 ? storedFailures : 0;
  const interval = storedDuration(s.intervalMs);
  const nextPollMs = storedTime(s.nextPollAt);
  const quietFor = Math.max(QUIET_MIN_MS, QUIET_FACTOR * (interval ?? 0));
  const lastNew = s.lastNewItemAt ? Date.parse(s.lastNewItemAt) : null;
  const since = lastNew;
  let state: HealthState;
  let summary: string;
  // The problem shown, as a code and its message apart (never "code: message" run together).
  let code: string | null = null;
  let message: string | null = null;
  const outage = s.lastOutage === '1' ? ' (our outage: most sources fail with network errors, so it is not counted against this one)' : '';
  if (!source.enabled) {
    state = 'disabled';
    summary = 'disabled in the sources file';
  } else if (s.pausedReason) {
    state = 'paused';
    summary = s.pausedReason;
    code = s.lastCode && s.lastCode !== 'ok' ? s.lastCode : 'paused';
    message = s.pausedReason;
  } else if (s.ingestFailedAt) {
    // The feed was read but its items are not drafts: the silent loss, so it outranks a poll failure.
    state = 'failing';
    summary = `drafts not written since ${s.ingestFailedAt}: ${s.ingestError ?? 'the ingest failed'}; the next poll fetches the whole feed again`;
    code = 'ingest_failed';
    message = summary;
  } else if (s.lastCode === 'selectors_broken') {
    // The page answers but no longer fits the selectors: say so, rather than "failing" or "no new items".
    state = 'selectors_broken';
    summary = s.lastMessage ?? 'the selectors match nothing on the page';
    code = 'selectors_broken';
    message = summary;
  } else if (failures > 0) {
    state = 'failing';
    message = `${s.lastMessage ?? 'the poll failed'}${outage}`;
    code = s.lastCode ?? 'failed';
    summary = `${failures} failed poll${failures === 1 ? '' : 's'} in a row: ${message}`;
  } else if (!s.lastAttemptAt) {
    state = 'pending';
    summary = 'not polled yet';
  } else if (since !== null && now - since > quietFor) {
    state = 'quiet';
    summary = `no new item for ${Math.round((now - since) / 3_600_000)} h (usually every ${Math.round((interval ?? 0) / 60_000)} min)`;
    code = 'quiet';
    message = summary;
  } else {
    state = 'ok';
    summary = s.lastMessage ?? 'ok';
    // A poll that failed during our outage is not counted, but it still failed: say so, with its code.
    if (outage && s.lastCode) {
      code = s.lastCode;
      message = `${s.lastMessage ?? 'the poll failed'}${outage}`;
      summary = message;
    }
  }
  return {
    id: source.id,
    name: source.name,
    url: s.url && s.configUrl === source.url ? s.url : source.url,
    configuredUrl: source.url,
    state,
    summary,
    code,
    message,
    schedule: describeSchedule(source, s, now),
    lastAttemptAt: s.lastAttemptAt ?? null,
    lastSuccessAt: s.lastSuccessAt ?? null,
    lastOutcome: s.lastOutcome ?? null,
    lastCode: s.lastCode ?? null,
    lastMessage: s.lastMessage ?? null,
    consecutiveFailures: failures,
    intervalMs: interval,
    nextPollAt: Number.isNaN(nextPollMs) ? null : new Date(nextPollMs).toISOString(),
    scheduleReason: s.scheduleReason ?? null,
    newItems24h: counts.day,
    newItems7d: counts.week,
    lastNewItemAt: s.lastNewItemAt ?? null,
    validators: { etag: s.etag ?? null, lastModified: s.lastModified ?? null },
    redirect: s.movedFrom && s.url && s.configUrl === source.url ? { from: s.movedFrom, to: s.url } : null,
    pausedReason: s.pausedReason ?? null,
    warning: readWarning(s.lastWarning),
    drops24h: drops.day,
    drops7d: drops.week,
    dropsByRule: drops.byRule,
    skippedItems24h: skips.day,
    skippedItems7d: skips.week,
    skippedByReason: skips.byReason,
  };
}

/** Problems first (in HEALTH_STATES order), then by id. */
export function sortHealth(list: SourceHealth[]): SourceHealth[] {
  return [...list].sort((a, b) => HEALTH_STATES.indexOf(a.state) - HEALTH_STATES.indexOf(b.state) || a.id.localeCompare(b.id));
}
