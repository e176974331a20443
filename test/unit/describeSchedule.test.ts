import { describe, expect, it } from 'vitest';
import { SourceSchema } from '../../src/config/sourceSchema.ts';
import type { SourceState } from '../../src/fetch/sourceState.ts';
import { freshnessFloor } from '../../src/schedule/cacheHints.ts';
import { describeDue, describeSchedule, formatDuration } from '../../src/schedule/describeSchedule.ts';
import { describeHealth } from '../../src/schedule/health.ts';
import { planNextPoll, type PlanInput } from '../../src/schedule/planNextPoll.ts';

const M = 60_000;
const H = 60 * M;
const NOW = Date.parse('2026-11-27T12:00:00Z');
const src = (schedule: Record<string, unknown> = {}, over: Record<string, unknown> = {}) => SourceSchema.parse({ id: 'news', name: 'News', url: 'https://pub.example/feed', schedule: 'cron' in schedule ? schedule : { every: '15m', ...schedule }, ...over });
const input: PlanInput = { now: NOW, kind: 'ok', code: 'ok', baseMs: 15 * M, minMs: 5 * M, maxMs: 24 * H, adaptive: true, previousIntervalMs: undefined, history: { items: 50, from: NOW - 7 * 86_400_000, to: NOW }, failures: 0, itemDates: [], freshnessMs: undefined, retryAfterMs: undefined, outage: false, backoffCapMs: 6 * H, random: 0.5 };
/** The state a chain poll leaves: planNextPoll's decision stored as recordPollOutcome stores it. */
const after = (over: Partial<PlanInput>): SourceState => {
  const p = planNextPoll({ ...input, ...over });
  return { lastAttemptAt: new Date(NOW).toISOString(), consecutiveFailures: String(p.failures), intervalMs: String(p.intervalMs), ...(p.nextAt !== null ? { nextPollAt: String(p.nextAt) } : {}), scheduleReason: p.reason, scheduleWhy: JSON.stringify(p.why) };
};

describe('describeSchedule: configured, in force, and why in words', () => {
  it.each([
    ['adaptive', {}, { itemDates: Array.from({ length: 6 }, (_, i) => NOW - i * 8 * H) }, '8h', 'adaptive', 'publishes about every 8h'],
    ['held at a bound', { every: '15m', max: '6h' }, { maxMs: 6 * H, itemDates: Array.from({ length: 6 }, (_, i) => NOW - i * 8 * H) }, '6h', 'adaptive', 'publishes about every 8h; held at the 6h maximum'],
    ['a new source, learning', {}, { history: undefined, itemDates: [NOW - H, NOW - 9 * H, NOW - 17 * H] }, '15m', 'learning', 'new source: configured until 5 dated items over 24h (so far 3 over 16h)'],
    ['adaptive off', { every: '15m', adaptive: false }, { adaptive: false }, '15m', 'configured', 'configured (adaptive: false)'],
    ['backoff', {}, { kind: 'transient' as const, code: 'server_error', failures: 2 }, '15m', 'backoff', '3 failures in a row (the interval is 15m once it answers)'],
    ['Retry-After', {}, { kind: 'rate_limited' as const, retryAfterMs: 3 * M }, '15m', 'configured', 'configured: no recent dated items to adapt to'],
    ['Retry-After longer than the interval', {}, { kind: 'rate_limited' as const, retryAfterMs: 63 * M }, '1h 3m', 'retry-after', 'server asked to wait until 2026-11-27 13:03 UTC (Retry-After)'],
    ['max-age', {}, { freshnessMs: H, freshnessFrom: 'max-age' as const }, '1h', 'freshness', 'cache max-age 1h'],
    ['Expires', {}, { freshnessMs: 2 * H, freshnessFrom: 'expires' as const }, '2h', 'freshness', 'cache Expires in 2h'],
    ['<ttl>', {}, { freshnessMs: 90 * M, freshnessFrom: 'ttl' as const }, '1h 30m', 'freshness', 'feed <ttl> 1h 30m'],
    ['our outage', {}, { kind: 'transient' as const, code: 'network', outage: true }, '5m', 'outage', 'most sources fail with network errors (our outage): retried soon, not counted as failures'],
  ])('%s', (_name, schedule, over, inForce, code, text) => {
    const v = describeSchedule(src(schedule), after(over), NOW);
    expect(v).toMatchObject({ inForce, reason: { code, text } });
    expect(v.dueAt).toBe(new Date(NOW + v.inForceMs!).toISOString());
  });

  it('says the configured schedule in one line', () => {
    expect(describeSchedule(src(), {}, NOW).configured).toBe('every 15m, adaptive 5m–24h');
    expect(describeSchedule(src({ every: '15m', min: '10m', max: '6h' }), {}, NOW).configured).toBe('every 15m, adaptive 10m–6h');
    expect(describeSchedule(src({ every: '20m', adaptive: false }), {}, NOW).configured).toBe('every 20m');
  });

  it('a cron source: the cron, in its time zone, and its next run', () => {
    const v = describeSchedule(src({ cron: '0 * * * *', tz: 'Europe/Paris' }), {}, NOW + 20 * M);
    expect(v).toMatchObject({ configured: 'cron 0 * * * * Europe/Paris', inForce: 'cron 0 * * * *', reason: { code: 'cron' }, dueAt: '2026-11-27T13:00:00.000Z', due: 'in 40m' });
  });

  it('disabled, paused, never scheduled, starting, and a state written before the reasons were stored', () => {
    expect(describeSchedule(src({ every: '15m' }, { enabled: false }), after({}), NOW)).toMatchObject({ reason: { code: 'disabled' }, dueAt: null, due: null });
    expect(describeSchedule(src(), { ...after({ kind: 'permanent', code: 'gone' }), pausedReason: 'HTTP 410 Gone' }, NOW)).toMatchObject({ reason: { code: 'paused' }, inForce: null, dueAt: null });
    expect(describeSchedule(src(), { lastAttemptAt: new Date(NOW).toISOString(), intervalMs: String(15 * M) }, NOW)).toMatchObject({ inForce: '15m', reason: { code: 'unscheduled' }, due: null });
    expect(describeSchedule(src(), { nextPollAt: String(NOW + 2 * H), intervalMs: String(8 * H), scheduleReason: 'interval' }, NOW)).toMatchObject({ inForce: '8h', reason: { code: 'adaptive' }, due: 'in 2h' });
    expect(describeSchedule(src(), { nextPollAt: String(NOW + 30_000), scheduleReason: 'starting', scheduleWhy: JSON.stringify({ reason: 'starting', inForceMs: 30_000, intervalMs: 15 * M, basis: { code: 'configured' }, plannedAt: NOW }) }, NOW)).toMatchObject({ reason: { code: 'starting' }, due: 'due now' });
  });

  it('a stored decision that is not one we wrote is not trusted (coerced, never thrown)', () => {
    for (const scheduleWhy of ['{', '[]', 'null', '{"reason":"<script>","inForceMs":1,"basis":{"code":"adaptive"}}', '{"reason":"backoff","inForceMs":"x","basis":{"code":"adaptive"}}']) {
      const v = describeSchedule(src(), { nextPollAt: String(NOW + H), intervalMs: String(15 * M), scheduleReason: 'backoff', consecutiveFailures: '2', scheduleWhy }, NOW);
      expect(v.reason).toEqual({ code: 'backoff', text: '2 failures in a row' });
    }
  });
});

describe('the next poll in words: "due now", never "in 0m" nor negative', () => {
  it.each([
    [20_000, 'due now'],
    [0, 'due now'],
    [-40_000, 'due now'],
    [-5 * M, 'overdue by 5m'],
    [-26 * H, 'overdue by 26h'],
    [90_000, 'in 2m'],
    [15 * M, 'in 15m'],
    [8 * H + 3 * M, 'in 8h 3m'],
  ])('%i ms from now → %s', (delta, words) => {
    expect(describeDue(NOW + delta, NOW)).toBe(words);
  });

  it('formats durations as the sources file writes them', () => {
    expect([45_000, 15 * M, 90 * M, 24 * H, 30 * H, 54 * H, 72 * H].map(formatDuration)).toEqual(['45s', '15m', '1h 30m', '24h', '30h', '2d 6h', '3d']);
  });
});

describe('freshnessFloor: which hint set the floor', () => {
  it.each([
    [{ 'cache-control': 'max-age=3600' }, null, { ms: H, from: 'max-age' }],
    [{ expires: new Date(NOW + 2 * H).toUTCString() }, null, { ms: 2 * H, from: 'expires' }],
    [{ 'cache-control': 'max-age=60' }, 30, { ms: 30 * M, from: 'ttl' }],
    [{}, null, undefined],
  ])('%j ttl %s', (headers, ttl, expected) => {
    expect(freshnessFloor(headers, ttl, NOW)).toEqual(expected);
  });
});

describe('health details: the code apart from the message', () => {
  const failing: SourceState = { lastAttemptAt: '2026-11-27T11:59:00.000Z', lastOutcome: 'transient', lastCode: 'malformed_xml', lastMessage: 'the XML is malformed (unclosed tag); a truncated download or a broken feed', consecutiveFailures: '2', intervalMs: String(15 * M) };

  it('a failing source: code and message as fields, the summary without the code', () => {
    const h = describeHealth(src(), failing, { day: 0, week: 0 }, NOW);
    expect(h).toMatchObject({ state: 'failing', code: 'malformed_xml', message: 'the XML is malformed (unclosed tag); a truncated download or a broken feed' });
    expect(h.summary).toBe('2 failed polls in a row: the XML is malformed (unclosed tag); a truncated download or a broken feed');
    expect(h.summary).not.toContain('malformed_xml');
  });

  it('our outage is said in words, the code stays the plain code', () => {
    const h = describeHealth(src(), { ...failing, lastCode: 'network', lastMessage: 'connection refused', lastOutage: '1', consecutiveFailures: '0', lastSuccessAt: '2026-11-27T11:00:00.000Z' }, { day: 1, week: 1 }, NOW);
    expect(h).toMatchObject({ state: 'ok', code: 'network' });
    expect(h.message).toMatch(/^connection refused \(our outage/);
  });

  it('all is well: no code', () => {
    const h = describeHealth(src(), { ...failing, lastCode: 'ok', lastMessage: '20 items, 2 new', consecutiveFailures: '0' }, { day: 2, week: 2 }, NOW);
    expect(h).toMatchObject({ state: 'ok', code: null, message: null, summary: '20 items, 2 new' });
  });
});
