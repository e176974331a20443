import { describe, expect, it } from 'vitest';
import { seenDigests } from '../../src/dedupe/itemKey.ts';
import { seenBucketKeys, SEEN_EPOCH, toMinute, TRIM_STEP } from '../../src/dedupe/seenIndex.ts';
import { commitDrafts, partitionSeen } from '../../src/dedupe/seenStore.ts';
import { useSeenRedis } from '../helpers/seen.ts';

const DAY = 86_400_000;
const setup = useSeenRedis();

const record = (source: string, n: number) => ({
  ...seenDigests({ key: `guid:${source}-${n}`, url: `https://${source}.example/2026/11/story-${n}` }),
  draftId: `d_${source}-${n}`,
  rank: 1,
  age: 1,
  json: JSON.stringify({ id: `d_${source}-${n}`, source: { id: source }, status: 'pending' }),
});

describe('attack 13: the bucketed seen index', () => {
  it('a 5,000-item feed that shrinks to 100: those stay seen; the expired rest takes several commits (HSCAN steps), not the first one after expiry', async () => {
    const { redis, keys } = setup();
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    const R = 10 * DAY;
    const all = Array.from({ length: 5000 }, (_, n) => record('big', n));
    expect((await commitDrafts(redis, keys, 'big', all, t0, R)).every((o) => o === 'created')).toBe(true);
    for (const k of seenBucketKeys(keys, 'big')) expect(await redis.hlen(k)).toBeGreaterThan(TRIM_STEP);
    const kept = all.slice(0, 100);
    const expired = async (now: number) => {
      let n = 0;
      for (const k of seenBucketKeys(keys, 'big')) for (const v of await redis.hvals(k)) if (Number(v) < toMinute(now - R)) n++;
      return n;
    };
    // Polls that list only 100 of them from day 1 on: those 100 are refreshed, the 4,900 others expire after day 10.
    for (let d = 1; d <= 11; d++) expect((await partitionSeen(redis, keys, 'big', kept, t0 + d * DAY)).every(Boolean)).toBe(true);
    const left: number[] = [];
    for (let c = 0; c < 4; c++) {
      const now = t0 + 11 * DAY + c * 60_000;
      await commitDrafts(redis, keys, 'big', [record('big', 10_000 + c)], now, R);
      left.push(await expired(now));
      expect((await partitionSeen(redis, keys, 'big', kept, now)).every(Boolean)).toBe(true);
    }
    // docs/architecture.md used to say "gone at the first commit of its source after SIGNAL_DESK_SEEN_DAYS": with
    // 2,500 entries a bucket is read TRIM_STEP at a time, so the first commit leaves most of them.
    expect(left[0]).toBeGreaterThan(1000);
    expect(left[3]).toBe(0);
  }, 60_000);

  it('minute values leave listpack 24-bit integers (signed) in December 2035, not 2051', () => {
    expect(toMinute(Date.UTC(2035, 11, 13, 10, 7))).toBe(2 ** 23 - 1);
    expect(toMinute(Date.UTC(2035, 11, 13, 10, 8))).toBeGreaterThan(2 ** 23 - 1);
    expect(SEEN_EPOCH).toBe(Date.UTC(2020, 0, 1));
  });
});
