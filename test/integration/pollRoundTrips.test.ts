import { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { beginPoll } from '../../src/schedule/beginPoll.ts';
import { syncSources } from '../../src/schedule/chain.ts';
import { finishPoll } from '../../src/schedule/finishPoll.ts';
import { startRuntime } from '../../workers/runtime.ts';
import { createPollProcessor } from '../../workers/pollProcessor.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { source } from '../helpers/pipeline.ts';
import { dropPrefix, testPrefix, testSettings } from '../helpers/redis.ts';

const T0 = Date.parse('2026-11-27T06:00:00Z');
const MIN = 60_000;

async function withRedis(fn: (r: ReturnType<typeof createRedis>, keys: ReturnType<typeof createKeys>) => Promise<void>): Promise<void> {
  const prefix = testPrefix();
  const redis = createRedis(testSettings(prefix).redisUrl);
  try {
    await fn(redis, createKeys(prefix));
  } finally {
    await redis.quit();
    await dropPrefix(prefix);
  }
}

// Issue 13: a poll reads once before it fetches (beginPoll) and writes once after (finishPoll). Each fold keeps a
// promise the separate writes kept; these tests hold the folded scripts to them.
describe('finishPoll: the one write after a poll', () => {
  it('a chain started again while the poll fetched keeps its own next poll, and the poll still records its health', async () => {
    await withRedis(async (redis, keys) => {
      await redis.hset(keys.sourceState('a'), { nextJobId: 'poll-a-900', nextPollAt: '1', pollSeq: '4' });
      const written = await finishPoll(redis, keys, {
        sourceId: 'a',
        now: T0,
        code: 'not_modified',
        update: { lastCode: 'not_modified', consecutiveFailures: '0', lastMessage: null },
        chain: { owners: ['poll-a-4', 'poll-a-5'], fields: { nextJobId: 'poll-a-5', nextPollAt: String(T0 + MIN) } },
        newItems: { discoveredAt: T0, itemHashes: [] },
      });
      expect(written).toEqual({ ownsChain: false, owner: 'poll-a-900' });
      expect(await redis.hgetall(keys.sourceState('a'))).toEqual({ nextJobId: 'poll-a-900', nextPollAt: '1', pollSeq: '4', lastCode: 'not_modified', consecutiveFailures: '0' });
    });
  });

  it('the chain it owns moves on; a state that lost its owner (Redis restarted empty) is taken', async () => {
    await withRedis(async (redis, keys) => {
      await redis.hset(keys.sourceState('a'), { nextJobId: 'poll-a-4' });
      const chain = { owners: ['poll-a-4', 'poll-a-5'], fields: { nextJobId: 'poll-a-5', nextPollAt: String(T0 + MIN), scheduleReason: 'configured' } };
      expect(await finishPoll(redis, keys, { sourceId: 'a', now: T0, code: 'ok', update: {}, chain, newItems: { discoveredAt: T0, itemHashes: [] } })).toEqual({ ownsChain: true, owner: 'poll-a-5' });
      expect(await finishPoll(redis, keys, { sourceId: 'b', now: T0, code: 'ok', update: {}, chain: { ...chain, owners: ['poll-b-4', 'poll-b-5'], fields: { nextJobId: 'poll-b-5' } }, newItems: { discoveredAt: T0, itemHashes: [] } })).toEqual({ ownsChain: true, owner: 'poll-b-5' });
      expect(await redis.hget(keys.sourceState('a'), 'scheduleReason')).toBe('configured');
    });
  });

  it('ends an ingest failure only when it was recorded before the feed was read, never one recorded later', async () => {
    await withRedis(async (redis, keys) => {
      const base = { now: T0, code: 'ok', update: {}, newItems: { discoveredAt: T0, itemHashes: [] } };
      await redis.hset(keys.sourceState('early'), { ingestFailedAt: '2026-11-27T05:59:00.000Z', ingestError: 'boom' });
      await redis.hset(keys.sourceState('late'), { ingestFailedAt: '2026-11-27T06:00:01.000Z', ingestError: 'a newer failure' });
      await finishPoll(redis, keys, { ...base, sourceId: 'early', clearFailureSince: '2026-11-27T06:00:00.000Z' });
      await finishPoll(redis, keys, { ...base, sourceId: 'late', clearFailureSince: '2026-11-27T06:00:00.000Z' });
      expect(await redis.hgetall(keys.sourceState('early'))).toEqual({});
      expect(await redis.hgetall(keys.sourceState('late'))).toEqual({ ingestFailedAt: '2026-11-27T06:00:01.000Z', ingestError: 'a newer failure' });
    });
  });

  it('indexes every new item of a 2,500-item poll (written in chunks) and forgets those older than 8 days', async () => {
    await withRedis(async (redis, keys) => {
      await redis.zadd(keys.sourceNew('big'), T0 - 9 * 86_400_000, 'ancient', T0 - 7 * 86_400_000, 'last-week');
      const itemHashes = Array.from({ length: 2500 }, (_, i) => `h${i}`);
      await finishPoll(redis, keys, { sourceId: 'big', now: T0, code: 'ok', update: {}, newItems: { discoveredAt: T0, itemHashes } });
      expect(await redis.zcard(keys.sourceNew('big'))).toBe(2501);
      expect(await redis.zscore(keys.sourceNew('big'), 'ancient')).toBeNull();
      expect(await redis.zscore(keys.sourceNew('big'), 'h2499')).toBe(String(T0));
    });
  });

  it('keeps the outage window to ten minutes, each source once by its latest poll, and beginPoll reads it back', async () => {
    await withRedis(async (redis, keys) => {
      const poll = (sourceId: string, now: number, code: string) => finishPoll(redis, keys, { sourceId, now, code, update: {}, newItems: { discoveredAt: now, itemHashes: [] } });
      await poll('old', T0 - 12 * MIN, 'timeout');
      await poll('a', T0 - 5 * MIN, 'timeout');
      await poll('b', T0 - 4 * MIN, 'dns');
      await poll('b', T0 - 3 * MIN, 'ok');
      await poll('c', T0 - 1 * MIN, 'network');
      expect(await redis.zrange(keys.pollsRecent, 0, -1)).toEqual(['a', 'b', 'c']);
      expect(await redis.zrange(keys.pollsNetFailed, 0, -1)).toEqual(['a', 'c']);
      expect((await beginPoll(redis, keys, 'b', T0)).outage).toEqual({ polled: 3, networkFailed: 2, counted: true, failedCounted: false });
      expect((await beginPoll(redis, keys, 'new', T0)).outage).toEqual({ polled: 3, networkFailed: 2, counted: false, failedCounted: false });
      // Six minutes on, a's poll has left the window: b (ok) and c (network) remain, and a is not counted.
      expect((await beginPoll(redis, keys, 'a', T0 + 6 * MIN)).outage).toEqual({ polled: 2, networkFailed: 1, counted: false, failedCounted: false });
    });
  });
});

describe('round trips of one poll', () => {
  it('a 304 and an all-seen 200 in a chain each send at most 6 Redis commands of their own, BullMQ’s next poll included', async () => {
    let etag = '"v1"';
    const body = rss(Array.from({ length: 20 }, (_, i) => ({ guid: `g${i}`, title: `Item ${i}`, link: `https://pub.example/${i}`, date: new Date(T0 - i * 3_600_000).toUTCString() })));
    const server = await startServer((req, res) => (req.headers['if-none-match'] === etag ? res.writeHead(304, { etag }).end() : res.writeHead(200, { etag, 'content-type': 'application/rss+xml' }).end(body)));
    const prefix = testPrefix();
    const settings = testSettings(prefix);
    const clock = fixedClock(T0);
    const src = source('rt', server.url('/feed'), { schedule: { every: '20m', adaptive: false } });
    // No workers: the test runs each poll's job through the poll processor itself, so only the poll's commands count:
    // a 304 sends the start read, the host turn (take, give back), the next poll (is it queued already? add it) and
    // the finish write; an all-seen 200 adds the seen partition.
    const runtime = await startRuntime(settings, [src], { workers: false, clock, random: () => 0.5 });
    const { ctx } = runtime;
    const keys = createKeys(prefix);
    const process = createPollProcessor(ctx);
    let sent: string[] = [];
    const send = ctx.redis.sendCommand.bind(ctx.redis) as (...args: unknown[]) => unknown;
    ctx.redis.sendCommand = ((...args: unknown[]) => {
      sent.push(String((args[0] as { name: string }).name));
      return send(...args);
    }) as typeof ctx.redis.sendCommand;
    const poll = async () => {
      const id = await ctx.redis.hget(keys.sourceState('rt'), 'nextJobId');
      const job = await Job.fromId(ctx.queues.poll, id!);
      sent = [];
      const result = (await process(job!)) as { outcome: string; alreadySeen: number };
      const commands = sent;
      clock.set(clock.now() + 20 * MIN);
      return { result, commands };
    };
    try {
      await syncSources({ redis: ctx.redis, keys, queue: ctx.queues.poll, settings, now: clock.now(), random: () => 0.5 }, [src]);
      const first = await poll();
      expect(first.result.outcome).toBe('ok');
      // The first poll's items, as the ingest stage would have committed them: the next 200 finds them all seen.
      const ingest = (await ctx.queues.ingest.getJobs(['waiting', 'prioritized']))[0]!;
      const { createIngestProcessor } = await import('../../workers/ingestProcessor.ts');
      await createIngestProcessor(ctx)(ingest);
      const notModified = await poll();
      expect(notModified.result.outcome).toBe('not_modified');
      expect(notModified.commands.length, notModified.commands.join(' ')).toBeLessThanOrEqual(6);
      etag = '"v2"';
      const allSeen = await poll();
      expect(allSeen.result).toMatchObject({ outcome: 'ok', alreadySeen: 20 });
      expect(allSeen.commands.length, allSeen.commands.join(' ')).toBeLessThanOrEqual(7);
      // Still one chain: the state names the poll queued last, and it waits.
      const next = await Job.fromId(ctx.queues.poll, (await ctx.redis.hget(keys.sourceState('rt'), 'nextJobId'))!);
      expect(await next!.getState()).toBe('delayed');
    } finally {
      await runtime.stop();
      await server.close();
      await dropPrefix(prefix);
    }
  });
});
