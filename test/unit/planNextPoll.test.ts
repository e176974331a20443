import { describe, expect, it } from 'vitest';
import { freshnessFloorMs } from '../../src/schedule/cacheHints.ts';
import { foldHistory, hasHistory, planNextPoll, publishingGapMs, type PlanInput } from '../../src/schedule/planNextPoll.ts';

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
  // A source with a publishing history (the rules of a new source are tested apart, below).
  history: { items: 50, from: NOW - 7 * 86_400_000, to: NOW - H },
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
    ['no dates: the configured interval', {}, 15 * M, 'configured'],
    ['an hourly feed: about an hour', { itemDates: hourly }, H, 'adaptive'],
    ['a feed publishing every minute: not below the minimum', { itemDates: Array.from({ length: 10 }, (_, i) => NOW - i * M) }, 5 * M, 'adaptive'],
    ['a feed publishing monthly: not above the maximum', { itemDates: [NOW - 1 * 86_400_000, NOW - 29 * 86_400_000] }, 24 * H, 'adaptive'],
    ['304: keeps the interval it had', { kind: 'not_modified' as const, previousIntervalMs: 2 * H }, 2 * H, 'adaptive'],
    ['adaptive off: the configured interval', { adaptive: false, itemDates: hourly }, 15 * M, 'configured'],
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
    expect(recovered).toMatchObject({ failures: 0, delayMs: 15 * M, reason: 'configured' });
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

describe('planNextPoll: the reason it picked is the decision, with its facts', () => {
  it.each([
    ['adaptive, with the gap measured', { itemDates: hourly }, { reason: 'adaptive', inForceMs: H, basis: { code: 'adaptive', gapMs: H } }],
    ['adaptive, held at the minimum', { itemDates: Array.from({ length: 10 }, (_, i) => NOW - i * M) }, { reason: 'adaptive', inForceMs: 5 * M, basis: { code: 'adaptive', gapMs: M, bound: 'min' } }],
    ['backoff, with the failures', { kind: 'transient' as const, code: 'timeout', failures: 2 }, { reason: 'backoff', failures: 3, inForceMs: 4 * 3.75 * M }],
    ['Retry-After, with the time asked', { kind: 'rate_limited' as const, retryAfterMs: 2 * H }, { reason: 'retry-after', retryAt: NOW + 2 * H, inForceMs: 2 * H }],
    ['max-age, with the hint', { freshnessMs: 3 * H, freshnessFrom: 'max-age' as const }, { reason: 'freshness', freshness: { from: 'max-age', ms: 3 * H }, inForceMs: 3 * H }],
    ['<ttl>', { freshnessMs: 3 * H, freshnessFrom: 'ttl' as const }, { reason: 'freshness', freshness: { from: 'ttl', ms: 3 * H } }],
    ['410: paused, nothing in force', { kind: 'permanent' as const, code: 'gone' }, { reason: 'paused', inForceMs: null }],
  ])('%s', (_name, over, why) => {
    const p = plan({ ...over, random: 0.9 }); // jitter on: the stored delay in force is the one before jitter
    expect(p.why).toMatchObject({ ...why, plannedAt: NOW });
    expect(p.why.reason).toBe(p.reason);
  });
});

describe('a new source keeps its configured interval until it has a publishing history', () => {
  const fresh = { history: undefined };

  it('one poll of a 15m source listing 3 items 8 h apart stays at 15m (not 8 h)', () => {
    const p = plan({ ...fresh, itemDates: [NOW - H, NOW - 9 * H, NOW - 17 * H] });
    expect(p).toMatchObject({ delayMs: 15 * M, intervalMs: 15 * M, reason: 'learning' });
    expect(p.why.basis).toEqual({ code: 'learning', items: 3, spanMs: 16 * H });
    expect(p.history).toEqual({ items: 3, from: NOW - 17 * H, to: NOW - H });
  });

  it('many items within a few hours are not a day of history either', () => {
    expect(plan({ ...fresh, itemDates: hourly }).reason).toBe('learning');
  });

  it('five dated items over a day in one feed are a history: it adapts', () => {
    const dates = Array.from({ length: 5 }, (_, i) => NOW - i * 8 * H); // every 8 h over 32 h
    const p = plan({ ...fresh, itemDates: dates });
    expect(p).toMatchObject({ delayMs: 8 * H, reason: 'adaptive', why: { basis: { code: 'adaptive', gapMs: 8 * H } } });
  });

  it('the history builds up over polls (injected clock): learning until 5 items over a day, then adaptive', () => {
    // A feed that lists its newest 3 items and publishes one every 2 hours; polled at whatever the plan says.
    const published = (now: number) => [0, 1, 2].map((k) => Math.floor(now / (2 * H)) * 2 * H - k * 2 * H);
    let now = NOW;
    let history: PlanInput['history'];
    let previousIntervalMs: number | undefined;
    const reasons: string[] = [];
    for (let n = 0; n < 200 && reasons.at(-1) !== 'adaptive'; n++) {
      const p = plan({ now, history, previousIntervalMs, itemDates: published(now) });
      reasons.push(p.reason);
      history = p.history;
      previousIntervalMs = p.intervalMs;
      if (p.reason === 'learning') expect(p.delayMs).toBe(15 * M);
      now = p.nextAt!;
    }
    expect(reasons.at(-1)).toBe('adaptive');
    expect(reasons.slice(0, -1).every((r) => r === 'learning')).toBe(true);
    // It adapted at the first poll whose history spanned a day: 4 h of dates on the first poll, 20 h of polling.
    expect(history!.to - history!.from).toBeGreaterThanOrEqual(24 * H);
    expect(history!.items).toBeGreaterThanOrEqual(5);
    expect(now - NOW).toBeGreaterThanOrEqual(20 * H);
    expect(now - NOW).toBeLessThanOrEqual(22 * H + 2 * H);
    expect(previousIntervalMs).toBe(2 * H);
  });

  it('the same items listed again are not counted twice', () => {
    const dates = [NOW - H, NOW - 2 * H, NOW - 3 * H];
    const once = foldHistory(undefined, dates, NOW);
    expect(foldHistory(once, dates, NOW + H)).toEqual(once);
    expect(foldHistory(once, [NOW + 30 * M, ...dates], NOW + H)).toEqual({ items: 4, from: NOW - 3 * H, to: NOW + 30 * M });
    expect(hasHistory({ items: 5, from: NOW - 24 * H, to: NOW })).toBe(true);
    expect(hasHistory({ items: 4, from: NOW - 48 * H, to: NOW })).toBe(false);
  });

  it('adaptive: false keeps the configured interval whatever the history', () => {
    expect(plan({ adaptive: false, itemDates: hourly })).toMatchObject({ delayMs: 15 * M, reason: 'configured' });
  });

  it('a 304 keeps the interval in force and the reason it was picked for', () => {
    const p = plan({ kind: 'not_modified', previousIntervalMs: 15 * M, previousBasis: { code: 'learning', items: 3, spanMs: 16 * H }, history: { items: 3, from: NOW - 17 * H, to: NOW - H } });
    expect(p).toMatchObject({ delayMs: 15 * M, reason: 'learning' });
  });
});
