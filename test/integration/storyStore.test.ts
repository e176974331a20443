import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/queue/keys.ts';
import { DOCS_FIELD, POSTINGS_MAX, RedisStoryStore } from '../../src/stories/redisStore.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';

// The clusterer's state on real Redis: what a story decision reads back, and how it expires with the window.

const HOUR = 3_600_000;
const WINDOW = 72 * HOUR;
const T0 = Date.parse('2026-03-01T12:00:00Z');

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

function rig() {
  const prefix = testPrefix();
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const keys = createKeys(prefix);
  cleanup.push(async () => {
    await redis.quit();
    await dropPrefix(prefix);
  });
  return { redis, keys, store: new RedisStoryStore(redis, keys, WINDOW) };
}

const sig = (id: string, at: number, extra: Record<string, unknown> = {}) => ({ id, firstAt: at, lastAt: at, size: 1, ...extra });

describe('RedisStoryStore', () => {
  it('reads back what a decision committed: signature, postings most recent first, document frequencies', async () => {
    const { store } = rig();
    await store.commit({ signature: sig('s_a', T0, { terms: { nvidia: 1 } }), indexTerms: ['nvidia', 'gpu'], observedTerms: ['nvidia', 'gpu', 'launch'], itemId: 'd_a' }, T0);
    await store.commit({ signature: sig('s_b', T0 + HOUR), indexTerms: ['nvidia'], observedTerms: ['nvidia'], itemId: 'd_b' }, T0 + HOUR);

    const postings = await store.postings(['nvidia', 'gpu', 'absent'], T0 - WINDOW, 10);
    expect(postings.get('nvidia')).toEqual(['s_b', 's_a']);
    expect(postings.get('gpu')).toEqual(['s_a']);
    expect(postings.has('absent')).toBe(false);
    expect((await store.postings(['nvidia'], T0 - WINDOW, 1)).get('nvidia')).toEqual(['s_b']);

    const [a] = await store.signatures(['s_a', 's_missing']);
    expect(a).toEqual(sig('s_a', T0, { terms: { nvidia: 1 } }));
    expect(await store.signatures(['s_missing'])).toEqual([]);

    const { docs, df } = await store.docFrequencies(['nvidia', 'gpu', 'launch', 'unseen']);
    expect(docs).toBe(2);
    expect(Object.fromEntries(df)).toEqual({ nvidia: 2, gpu: 1, launch: 1 });
    expect(await store.placedStory('d_a')).toBe('s_a');
    expect(await store.placedStory('d_never')).toBeUndefined();
  });

  it('a retried commit of the same item counts its terms once and keeps its story', async () => {
    const { store } = rig();
    const write = { signature: sig('s_a', T0), indexTerms: ['chip'], observedTerms: ['chip', 'fab'], itemId: 'd_a' };
    await store.commit(write, T0);
    await store.commit(write, T0);
    const { docs, df } = await store.docFrequencies(['chip', 'fab']);
    expect(docs).toBe(1);
    expect(Object.fromEntries(df)).toEqual({ chip: 1, fab: 1 });
    expect((await store.postings(['chip'], 0, 10)).get('chip')).toEqual(['s_a']);
  });

  it('a story with no addition within the window is no candidate: read by `since`, trimmed on the next write, keys expire', async () => {
    const { store, redis, keys } = rig();
    await store.commit({ signature: sig('s_old', T0), indexTerms: ['fab'], observedTerms: ['fab'], itemId: 'd_old' }, T0);
    const later = T0 + WINDOW + HOUR;
    expect((await store.postings(['fab'], later - WINDOW, 10)).has('fab')).toBe(false);
    await store.commit({ signature: sig('s_new', later), indexTerms: ['fab'], observedTerms: ['fab'], itemId: 'd_new' }, later);
    expect(await redis.zrange(keys.storyTerms('fab'), 0, -1)).toEqual(['s_new']);
    for (const key of [keys.storyTerms('fab'), keys.storySignature('s_new'), keys.storyItem('d_new')]) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(WINDOW - 60_000);
      expect(ttl).toBeLessThanOrEqual(WINDOW);
    }
  });

  it('stays bounded: at most POSTINGS_MAX stories under one term, and a 5,000-character term is keyed by its digest', async () => {
    const { store, redis, keys } = rig();
    const pipeline = redis.pipeline();
    for (let i = 0; i < POSTINGS_MAX + 50; i++) pipeline.zadd(keys.storyTerms('same'), T0 + i, `s_${i}`);
    await pipeline.exec();
    const long = 'x'.repeat(5000);
    await store.commit({ signature: sig('s_last', T0 + 10_000), indexTerms: ['same', long], observedTerms: ['same', long], itemId: 'd_last' }, T0 + 10_000);
    expect(await redis.zcard(keys.storyTerms('same'))).toBe(POSTINGS_MAX);
    expect((await store.postings(['same'], 0, 1)).get('same')).toEqual(['s_last']);
    expect((await store.postings([long], 0, 5)).get(long)).toEqual(['s_last']);
    expect(await redis.exists(keys.storyTerms(long))).toBe(0);
    expect(await redis.hget(keys.storyDf, DOCS_FIELD)).toBe('1');
  });

  it('a signature that is not JSON (or lacks its fields) is left out, not thrown', async () => {
    const { store, redis, keys } = rig();
    await redis.set(keys.storySignature('s_bad'), '{not json');
    await redis.set(keys.storySignature('s_half'), JSON.stringify({ id: 's_half' }));
    await store.commit({ signature: sig('s_ok', T0), indexTerms: [], observedTerms: [], itemId: 'd_ok' }, T0);
    expect((await store.signatures(['s_bad', 's_half', 's_ok'])).map((s) => s.id)).toEqual(['s_ok']);
  });
});
