import { describe, expect, it } from 'vitest';
import { seenDigests } from '../../src/dedupe/itemKey.ts';
import { rawDigest, SEEN_BUCKETS, seenBucketOf, toMinute, URL_BUCKETS, urlKeyOf } from '../../src/dedupe/seenIndex.ts';
import { checkSeenIndexForm, migrateSeenIndex } from '../../src/dedupe/migrateSeenIndex.ts';
import { commitDrafts, partitionSeen, readMappings, URL_SWEEP } from '../../src/dedupe/seenStore.ts';
import { countSeen, indexKeys, seenAt, useSeenRedis } from '../helpers/seen.ts';

const DAY = 86_400_000;
const setup = useSeenRedis();

const record = (source: string, n: number) => {
  const key = `guid:${source}-${n}`;
  return { ...seenDigests({ key, url: `https://${source}.example/2026/11/story-${n}` }), draftId: `d_${source}-${n}`, rank: 1, age: 1, json: '{}' };
};

describe('the bucketed seen index', () => {
  it('stays listpack-encoded and at most 100 bytes per seen item at 1,000 sources x 20 items', async () => {
    const { redis, keys } = setup();
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    const sources = Array.from({ length: 1000 }, (_, i) => `farm-${i}`);
    for (const s of sources) {
      const out = await commitDrafts(redis, keys, s, Array.from({ length: 20 }, (_, n) => record(s, n)), t0, 90 * DAY);
      expect(out.every((o) => o === 'created')).toBe(true);
    }
    // The default hash-max-listpack-entries is 128; a test server may allow more, so the sizes are checked too.
    const [, limit] = (await redis.config('GET', 'hash-max-listpack-entries')) as [string, string];
    let bytes = 0;
    let largest = 0;
    for (const key of [...indexKeys(keys, sources), keys.seenTrim]) {
      const type = await redis.type(key);
      if (type === 'none') continue;
      expect(type).toBe('hash');
      if (key !== keys.seenTrim) expect(await redis.object('ENCODING', key), key).toBe('listpack');
      largest = Math.max(largest, await redis.hlen(key));
      bytes += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    }
    expect(largest).toBeLessThanOrEqual(Math.min(128, Number(limit)));
    const perItem = bytes / 20_000;
    console.log(`seen index: ${perItem.toFixed(1)} bytes per seen item (1,000 x 20), largest bucket ${largest}`);
    expect(perItem).toBeLessThanOrEqual(100);
    expect(await countSeen(redis, keys, 'farm-7')).toBe(20);
    expect(await partitionSeen(redis, keys, 'farm-7', [record('farm-7', 3), record('farm-7', 99)], t0 + DAY)).toEqual([true, false]);
  }, 120_000);

  it('trims: an item is gone after the retention window plus one commit of its source, a URL within one full sweep of the URL buckets', async () => {
    const { redis, keys } = setup();
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const retention = 10 * DAY;
    const old = Array.from({ length: 200 }, (_, n) => record('a', n));
    await commitDrafts(redis, keys, 'a', old, t0, retention);
    expect(await countSeen(redis, keys, 'a')).toBe(200);
    // Still within the window: nothing trimmed.
    await commitDrafts(redis, keys, 'a', [record('a', 1000)], t0 + 9 * DAY, retention);
    expect(await countSeen(redis, keys, 'a')).toBe(201);
    // Past it: one commit of the source trims every bucket of its seen set.
    await commitDrafts(redis, keys, 'a', [record('a', 1001)], t0 + 11 * DAY, retention);
    expect(await countSeen(redis, keys, 'a')).toBe(2);
    // URL entries: swept URL_SWEEP buckets per commit call, so after URL_BUCKETS / URL_SWEEP calls none expired is left.
    const urlsLeft = async () => {
      let n = 0;
      for (const r of old) {
        const raw = rawDigest(r.urlHash!);
        if ((await redis.hexists(urlKeyOf(keys, raw), raw)) === 1) n++;
      }
      return n;
    };
    expect(await urlsLeft()).toBeGreaterThan(0);
    for (let i = 0; i < URL_BUCKETS / URL_SWEEP; i++) await commitDrafts(redis, keys, 'b', [record('b', i)], t0 + 11 * DAY, retention);
    expect(await urlsLeft()).toBe(0);
  });

  it('trims a bucket grown past listpack in bounded HSCAN steps, and still answers exactly', async () => {
    const { redis, keys } = setup();
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const items = Array.from({ length: 3000 }, (_, n) => record('big', n));
    await commitDrafts(redis, keys, 'big', items, t0, 10 * DAY);
    expect(await countSeen(redis, keys, 'big')).toBe(3000);
    expect(await redis.object('ENCODING', keys.seenBucket('big', 0))).toBe('hashtable');
    expect(await partitionSeen(redis, keys, 'big', items.slice(0, 5), t0 + DAY)).toEqual([true, true, true, true, true]);
    // Each commit reads at most TRIM_STEP entries of a large bucket: a few commits sweep it whole.
    let commits = 0;
    while (commits < 20 && (await countSeen(redis, keys, 'big')) > 5 + commits) await commitDrafts(redis, keys, 'big', [record('big', 10_000 + commits++)], t0 + 11 * DAY - 1000, 10 * DAY);
    expect(commits).toBeGreaterThan(1);
    expect(await countSeen(redis, keys, 'big')).toBe(5 + commits);
    expect(SEEN_BUCKETS).toBeGreaterThan(0);
    expect(seenBucketOf(rawDigest(items[0]!.itemHash))).toBeLessThan(SEEN_BUCKETS);
    expect(toMinute(t0 + 60_000) - toMinute(t0)).toBe(1);
  });

  it('migrateSeenIndex converts the old zsets and url-drafts hash, keeps newer writes, deletes the old keys, and is idempotent', async () => {
    const { redis, keys } = setup();
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    const a = [record('a', 1), record('a', 2)];
    const legacy = record('a', 3); // a URL seen before url mappings existed
    // The old layout: per-source zset of digests by last sighting (ms), seen-urls zset, url-drafts hash.
    await redis.zadd(keys.legacySeen('a'), t0, a[0]!.itemHash, t0 + 60_000, a[1]!.itemHash);
    await redis.zadd(keys.legacySeenUrls, t0, a[0]!.urlHash!, t0, a[1]!.urlHash!, t0, legacy.urlHash!);
    await redis.hset(keys.legacyUrlDrafts, a[0]!.urlHash!, a[0]!.draftId, a[1]!.urlHash!, a[1]!.draftId);
    for (const r of a) await redis.set(keys.draft(r.draftId), JSON.stringify({ source: { id: 'a' }, status: 'pending' }));
    // A worker already wrote the new index for one item after the upgrade, later: that sighting is kept.
    await commitDrafts(redis, keys, 'a', [a[1]!], t0 + DAY, 90 * DAY);

    // run warns at start while the old form is there, naming the command that converts it.
    expect(await checkSeenIndexForm(redis, keys)).toMatch(/old form .*run `signal-desk migrate` once/);
    expect(await migrateSeenIndex(redis, keys, t0 + DAY, { dryRun: true })).toEqual({ sources: 1, items: 2, urls: 3 });
    expect(await redis.exists(keys.legacySeen('a'), keys.legacySeenUrls, keys.legacyUrlDrafts)).toBe(3);
    expect(await migrateSeenIndex(redis, keys, t0 + DAY)).toEqual({ sources: 1, items: 2, urls: 3 });
    expect(await redis.exists(keys.legacySeen('a'), keys.legacySeenUrls, keys.legacyUrlDrafts)).toBe(0);
    expect(await checkSeenIndexForm(redis, keys)).toBeUndefined();
    expect(await migrateSeenIndex(redis, keys, t0 + DAY)).toEqual({ sources: 0, items: 0, urls: 0 });

    expect(await countSeen(redis, keys, 'a')).toBe(2);
    expect(await seenAt(redis, keys, 'a', a[0]!.itemHash)).toBe(toMinute(t0));
    expect(await seenAt(redis, keys, 'a', a[1]!.itemHash)).toBe(toMinute(t0 + DAY));
    expect(await partitionSeen(redis, keys, 'a', a, t0 + 2 * DAY)).toEqual([true, true]);
    const mappings = await readMappings(redis, keys, [a[0]!.urlHash!, a[1]!.urlHash!, legacy.urlHash!]);
    expect([...mappings.values()]).toEqual([a[0]!.draftId, a[1]!.draftId, '']);
    // Another source's item for a migrated URL is related coverage of its draft; the unmapped URL a duplicate.
    const b = { ...a[0]!, ...seenDigests({ key: 'guid:b-1', url: 'https://a.example/2026/11/story-1' }), draftId: 'd_b-1', coverage: JSON.stringify({ sourceId: 'b' }) };
    const c = { ...legacy, ...seenDigests({ key: 'guid:b-3', url: 'https://a.example/2026/11/story-3' }), draftId: 'd_b-3' };
    expect(await commitDrafts(redis, keys, 'b', [b, c], t0 + 2 * DAY, 90 * DAY)).toEqual(['related', 'duplicate']);
  });
});
