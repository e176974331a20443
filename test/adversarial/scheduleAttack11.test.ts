import { describe, expect, it } from 'vitest';
import { SourceSchema } from '../../src/config/sourceSchema.ts';
import { describeSchedule } from '../../src/schedule/describeSchedule.ts';
import { describeHealth } from '../../src/schedule/health.ts';
import { foldHistory, hasHistory, planNextPoll, type PlanInput } from '../../src/schedule/planNextPoll.ts';

const M = 60_000;
const H = 60 * M;
const NOW = Date.parse('2026-11-27T12:00:00Z');
const source = SourceSchema.parse({ id: 'news', name: 'News', url: 'https://pub.example/feed' });
const input: PlanInput = { now: NOW, kind: 'ok', code: 'ok', baseMs: 15 * M, minMs: 5 * M, maxMs: 24 * H, adaptive: true, previousIntervalMs: undefined, history: undefined, failures: 0, itemDates: [], freshnessMs: undefined, retryAfterMs: undefined, outage: false, backoffCapMs: 6 * H, random: 0.5 };

describe('attacks on the schedule explanation and the history rule (issue 11)', () => {
  it('a feed of 500,000 dated items is folded into the history without overflowing the call stack', () => {
    // Found: Math.min(...dates) threw RangeError (Maximum call stack size exceeded) past ~120,000 items.
    const dates = Array.from({ length: 500_000 }, (_, i) => NOW - i * 10_000);
    // Only the last 30 days count (one item every 10 s: 259,201 of them).
    expect(foldHistory(undefined, dates, NOW)).toEqual({ items: 259_201, from: NOW - 30 * 24 * H, to: NOW });
    expect(planNextPoll({ ...input, itemDates: dates })).toMatchObject({ reason: 'adaptive', delayMs: 5 * M });
  });

  it('items dated in the future or long ago do not make a history: a feed cannot fake a day of publishing', () => {
    const future = [NOW, NOW + 6 * H, NOW + 12 * H, NOW + 18 * H, NOW + 24 * H, NOW + 48 * H];
    expect(planNextPoll({ ...input, itemDates: future })).toMatchObject({ reason: 'learning', delayMs: 15 * M });
    const ancient = [NOW - H, NOW - 2 * H, NOW - 3 * H, NOW - 4 * H, Date.parse('1970-01-01T00:00:00Z'), NaN, Infinity];
    const p = planNextPoll({ ...input, itemDates: ancient });
    expect(p).toMatchObject({ reason: 'learning', delayMs: 15 * M });
    expect(hasHistory(p.history)).toBe(false);
  });

  it('a stored decision with markup, NaN or wrong types never reaches the words', () => {
    // Found: a failures field holding a string (here a zero-width space) was printed as the count.
    const hostile = [
      { reason: 'retry-after', inForceMs: 60_000, intervalMs: 900_000, basis: { code: 'adaptive' }, retryAt: '<img src=x onerror=alert(1)>', plannedAt: NOW },
      { reason: 'retry-after', inForceMs: 60_000, intervalMs: 900_000, basis: { code: 'adaptive' }, retryAt: 1e300, plannedAt: NOW },
      { reason: 'freshness', inForceMs: 60_000, intervalMs: 900_000, basis: { code: 'adaptive' }, freshness: { from: '<b>x</b>', ms: 'NaN' }, plannedAt: NOW },
      { reason: 'adaptive', inForceMs: 60_000, intervalMs: 900_000, basis: { code: 'adaptive', gapMs: -5, bound: '<i>' }, plannedAt: NOW },
      { reason: 'backoff', inForceMs: 60_000, intervalMs: 'x'.repeat(5000), basis: { code: 'learning', items: '\u202e', spanMs: null }, failures: '\u200b', plannedAt: NOW },
    ];
    for (const why of hostile) {
      const v = describeSchedule(source, { nextPollAt: String(NOW + M), scheduleReason: why.reason, scheduleWhy: JSON.stringify(why) }, NOW);
      expect(v.reason.text).not.toMatch(/[<>]|NaN|undefined|\u202e|\u200b|xxxxx|until {2}/);
      expect(v.reason.text.length).toBeLessThan(200);
    }
  });

  it('a 5,000-character message stays the message: the code is never glued onto it', () => {
    const message = 'x'.repeat(5000);
    const h = describeHealth(source, { lastAttemptAt: new Date(NOW).toISOString(), lastCode: 'malformed_xml', lastMessage: message, consecutiveFailures: '1' }, { day: 0, week: 0 }, NOW);
    expect(h).toMatchObject({ code: 'malformed_xml', message });
    expect(h.summary.startsWith('1 failed poll in a row: xxx')).toBe(true);
  });
});
