import { describe, expect, it } from 'vitest';
import { freshnessFloorMs } from '../../src/schedule/cacheHints.ts';
import { planNextPoll, publishingGapMs, type PlanInput } from '../../src/schedule/planNextPoll.ts';

const M = 60_000;
const H = 60 * M;
const NOW = Date.parse('2026-11-27T12:00:00Z');
const base: PlanInput = {
  now: NOW,
  kind: 'ok',
  code: 'ok',
  baseMs: 15 * M,
  minMs: 5 * M,
  maxMs: 24 * H,
  adaptive: true,
  previousIntervalMs: undefined,
  failures: 0,
  itemDates: [],
  freshnessMs: undefined,
  retryAfterMs: undefined,
  outage: false,
  backoffCapMs: 6 * H,
  random: 0.5, // no jitter
};
const plan = (over: Partial<PlanInput>) => planNextPoll({ ...base, ...over });
const hourly = Array.from({ length: 10 }, (_, i) => NOW - i * H);

describe('planNextPoll', () => {
  it.each([
    ['no dates: the configured interval', {}, 15 * M, 'interval'],
    ['an hourly feed: about an hour', { itemDates: hourly }, H, 'interval'],
    ['a feed publishing every minute: not below the minimum', { itemDates: Array.from({ length: 10 }, (_, i) => NOW - i * M) }, 5 * M, 'interval'],
    ['a feed publishing monthly: not above the maximum', { itemDates: [NOW - 1 * 86_400_000, NOW - 29 * 86_400_000] }, 24 * H, 'interval'],
    ['304: keeps the interval it had', { kind: 'not_modified' as const, previousIntervalMs: 2 * H }, 2 * H, 'interval'],
    ['adaptive off: the configured interval', { adaptive: false, itemDates: hourly }, 15 * M, 'interval'],
    ['<ttl> or max-age longer than the interval wins', { freshnessMs: 3 * H }, 3 * H, 'freshness'],
    ['Retry-After longer than the interval wins', { kind: 'rate_limited' as const, retryAfterMs: 2 * H }, 2 * H, 'retry-after'],
  ])('%s', (_name, over, delay, reason) => {
    const p = plan(over);
    expect(p.delayMs).toBe(delay);
    expect(p.nextAt).toBe(NOW + delay);
    expect(p.reason).toBe(reason);
  });

  it('backs off exponentially from the first retry up to the cap, and a success resets it', () => {
    const delays: number[] = [];
    let failures = 0;
    for (let n = 0; n < 12; n++) {
      const p = plan({ kind: 'transient', code: 'timeout', failures });
      delays.push(p.delayMs!);
      failures = p.failures;
    }
    // First retry: a quarter of the 15-minute interval; then doubling.
    expect(delays.slice(0, 7)).toEqual([3.75 * M, 7.5 * M, 15 * M, 30 * M, H, 2 * H, 4 * H]);
    expect(Math.max(...delays)).toBe(6 * H);
    expect(delays.at(-1)).toBe(6 * H);
    expect(failures).toBe(12);
    const recovered = plan({ kind: 'ok', failures });
    expect(recovered).toMatchObject({ failures: 0, delayMs: 15 * M, reason: 'interval' });
  });

  it('no number of failures stops a source: 404 and not-a-feed back off like the others', () => {
    for (const code of ['not_found', 'forbidden', 'not_a_feed']) {
      const p = plan({ kind: 'permanent', code, failures: 100 });
      expect(p.nextAt).toBe(NOW + 6 * H);
      expect(p.pause).toBeUndefined();
    }
  });

  it('410 Gone pauses the source with the reason', () => {
    const p = plan({ kind: 'permanent', code: 'gone' });
    expect(p.nextAt).toBeNull();
    expect(p.pause).toContain('410 Gone');
  });

  it('during our own outage a failure does not count against the source', () => {
    const p = plan({ kind: 'transient', code: 'network', failures: 3, outage: true });
    expect(p).toMatchObject({ failures: 3, delayMs: 5 * M, reason: 'outage' });
  });

  it('jitters by at most ±10%, spreading sources that share an interval', () => {
    expect(plan({ random: 0 }).delayMs).toBe(13.5 * M);
    expect(plan({ random: 0.999999 }).delayMs).toBeCloseTo(16.5 * M, -2);
    // Jitter never pushes a backoff past its cap.
    expect(plan({ kind: 'transient', code: 'timeout', failures: 30, random: 0.99 }).delayMs).toBe(6 * H);
  });
});

describe('publishingGapMs', () => {
  it('ignores future dates, dates older than 30 days, and needs two', () => {
    expect(publishingGapMs([NOW + H, NOW - 40 * 86_400_000, NOW - H], NOW)).toBeUndefined();
    expect(publishingGapMs([NOW - H, NOW - 3 * H], NOW)).toBe(2 * H);
  });
});

describe('freshnessFloorMs', () => {
  it.each([
    ['max-age', { 'cache-control': 'public, max-age=1800' }, null, 30 * M],
    ['max-age wins over Expires', { 'cache-control': 'max-age=60', expires: new Date(NOW + 2 * H).toUTCString() }, null, M],
    ['Expires', { expires: new Date(NOW + 2 * H).toUTCString() }, null, 2 * H],
    ['an invalid Expires means expired', { expires: '0' }, null, undefined],
    ['RSS <ttl> in minutes', {}, 90, 90 * M],
    ['the largest hint wins', { 'cache-control': 'max-age=600' }, 60, H],
    ['capped at a day', { 'cache-control': 'max-age=99999999' }, null, 86_400_000],
    ['no hint', {}, null, undefined],
  ])('%s', (_name, headers, ttl, expected) => {
    expect(freshnessFloorMs(headers, ttl, NOW)).toBe(expected);
  });
});
