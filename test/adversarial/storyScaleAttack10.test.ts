import type { Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { commitDrafts } from '../../src/dedupe/seenStore.ts';
import { ageRank, reviewRank } from '../../src/drafts/score.ts';
import { toDraft } from '../../src/drafts/toDraft.ts';
import { createLogger } from '../../src/log.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { getDrafts } from '../../src/review/draftStore.ts';
import { startRuntime } from '../../workers/runtime.ts';
import { createStoryProcessor } from '../../workers/storyProcessor.ts';
import { dropPrefix, testPrefix, testSettings } from '../helpers/redis.ts';

// Attack 10 (story stage at scale): one wire headline syndicated N times by one publisher (10,000 items with one
// headline). Each placement re-read (and re-scored) every member of the story, members × copies draft reads: the
// story queue (one decision at a time for the whole desk) took ~100 ms a draft and growing. A copy that brings no
// new (publisher, headline) pair changes no other member's score, so only the placed draft is written.

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

describe('one publisher, one headline, 300 copies', () => {
  it('places them all in one story reading each draft a bounded number of times', { timeout: 120_000 }, async () => {
    const prefix = testPrefix();
    const rt = await startRuntime(testSettings(prefix, { SIGNAL_DESK_ENRICH: 'off' }), [], { workers: false, logger: createLogger('silent') });
    cleanup.push(async () => {
      await rt.stop();
      await dropPrefix(prefix);
    });
    const keys = createKeys(prefix);
    const N = 300;
    const src = { id: 'wire', name: 'Wire', url: 'https://wire.example/feed', weight: 0.8, category: undefined, tags: [] };
    const now = Date.now();
    const drafts = Array.from({ length: N }, (_, n) =>
      toDraft({ key: `k${n}`, guid: `g${n}`, url: `https://wire.example/n/${n}`, title: 'Nvidia unveils Blackwell Ultra GPU for AI data centers', author: null, publishedAt: new Date(now - (N - n) * 1000).toISOString(), updatedAt: null, categories: [], summary: null }, src, new Date(now).toISOString()),
    );
    await commitDrafts(rt.ctx.redis, keys, 'wire', drafts.map((d) => ({ itemHash: `h-${d.id}`, urlHash: undefined, draftId: d.id, rank: reviewRank(d.score, d.discoveredAt), age: ageRank(d.publishedAt, d.discoveredAt), json: JSON.stringify(d) })), now, 86_400_000);
    // A second publisher's copy at the end: it does change every member's coverage breadth.
    const other = toDraft({ key: 'kx', guid: 'gx', url: 'https://daily.example/x', title: 'Nvidia unveils Blackwell Ultra GPU for AI data centers', author: null, publishedAt: new Date(now).toISOString(), updatedAt: null, categories: [], summary: null }, { ...src, id: 'daily', name: 'Daily', url: 'https://daily.example/feed' }, new Date(now).toISOString());
    await commitDrafts(rt.ctx.redis, keys, 'daily', [{ itemHash: 'h-x', urlHash: undefined, draftId: other.id, rank: reviewRank(other.score, other.discoveredAt), age: ageRank(other.publishedAt, other.discoveredAt), json: JSON.stringify(other) }], now, 86_400_000);

    let read = 0;
    // Draft keys read, by MGET on the client or in a pipeline (review/draftStore.ts getDrafts).
    type Mget = { mget: (...args: unknown[]) => unknown };
    const counted = <T extends Mget>(target: T): T => {
      const mget = target.mget.bind(target);
      target.mget = (...args: unknown[]) => {
        read += args.flat().filter((k) => typeof k === 'string' && k.startsWith(`${prefix}:draft:`)).length;
        return mget(...args);
      };
      return target;
    };
    const redis = counted(rt.ctx.redis as unknown as Mget & { pipeline: (...args: unknown[]) => Mget });
    const pipeline = redis.pipeline.bind(redis);
    redis.pipeline = (...args: unknown[]) => counted(pipeline(...args));
    const place = createStoryProcessor(rt.ctx);
    for (let i = 0; i < N; i += 100) await place({ id: `j${i}`, data: { draftIds: drafts.slice(i, i + 100).map((d) => d.id), reason: 'new' }, attemptsMade: 0, opts: {} } as unknown as Job);
    await place({ id: 'jx', data: { draftIds: [other.id], reason: 'new' }, attemptsMade: 0, opts: {} } as unknown as Job);

    const placed = await getDrafts(rt.ctx.redis, keys, [...drafts.map((d) => d.id), other.id]);
    expect(new Set(placed.map((d) => d.story?.id)).size).toBe(1);
    // Every member's breadth counts the second publisher (it was re-scored once more, at the end).
    expect(placed.every((d) => d.scoreBreakdown.some((c) => /1 other publisher/.test(c.detail)))).toBe(true);
    // Bounded: a few reads per draft, not members × copies (that was about N² / 2 = 45,000).
    expect(read).toBeLessThan(12 * N);
  });
});
