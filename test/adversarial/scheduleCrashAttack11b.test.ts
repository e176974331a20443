import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { pollJobId } from '../../src/schedule/chain.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { workerRig, writeSourcesFile } from '../helpers/workerProcess.ts';

// The schedule's "why" (nextPollAt, scheduleReason, scheduleWhy) is saved with the next poll it explains. A
// worker killed between queueing that next poll and saving the state leaves the job queued; the retry plans
// again (the feed may answer otherwise now) and must not save a plan that the queued job does not follow.

const FAST = { SIGNAL_DESK_LOCK_MS: '1000', SIGNAL_DESK_STALLED_MS: '500' };
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

describe('schedule reasons after a crash between planning and saving', () => {
  it('killed at poll.afterNextQueued, the feed answers 503 Retry-After 2 h on the retry: the saved next poll time is when the queued poll runs', { timeout: 90_000 }, async () => {
    let mode: 'ok' | 'busy' = 'ok';
    const server = await startServer((_req: IncomingMessage, res: ServerResponse) => {
      if (mode === 'busy') return res.writeHead(503, { 'retry-after': '7200' }).end('busy');
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: 'one', title: 'One story', link: 'https://pub.example/one' }], 'x'));
    });
    const file = writeSourcesFile([{ id: 'why', url: server.url('/feed') }]);
    const t = workerRig(file, FAST);
    cleanup.push(async () => {
      await t.close();
      await server.close();
    });
    const doomed = t.spawn({ SIGNAL_DESK_FAILPOINTS: 'poll.afterNextQueued' });
    await t.poll.add('poll', { sourceId: 'why', seq: 1 }, { jobId: pollJobId('why', 1) });
    expect((await doomed.exited).signal).toBe('SIGKILL');
    expect(await t.poll.getJob(pollJobId('why', 2))).toBeDefined();

    mode = 'busy';
    t.spawn({ SIGNAL_DESK_LOCK_MS: '30000' });
    await expect.poll(async () => (await t.poll.getJob(pollJobId('why', 1)))?.getState(), { timeout: 45_000, interval: 200 }).toBe('completed');
    const state = await t.redis.hgetall(t.keys.sourceState('why'));
    const next = (await t.poll.getJob(pollJobId('why', 2)))!;
    // When BullMQ runs it: its score in the delayed set (milliseconds × 4096).
    const runsAt = Math.floor(Number(await t.redis.zscore(`${t.prefix}:poll:delayed`, next.id!)) / 4096);
    expect(state.nextJobId).toBe(pollJobId('why', 2));
    expect(state.lastStatus).toBe('503');
    // What the source's health says about its next poll is what will happen (within a second of rounding).
    expect(Math.abs(Number(state.nextPollAt) - runsAt), `saved ${new Date(Number(state.nextPollAt)).toISOString()} (${state.scheduleReason}), queued ${new Date(runsAt).toISOString()}`).toBeLessThan(1_000);
  });

  it('killed at poll.afterNextQueued, the feed is 410 Gone on the retry: the source is paused and the next poll the killed attempt queued is gone too', { timeout: 90_000 }, async () => {
    let mode: 'ok' | 'gone' = 'ok';
    const server = await startServer((_req: IncomingMessage, res: ServerResponse) => {
      if (mode === 'gone') return res.writeHead(410).end('gone');
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: 'one', title: 'One story', link: 'https://pub.example/one' }], 'x'));
    });
    const file = writeSourcesFile([{ id: 'gone', url: server.url('/feed') }]);
    const t = workerRig(file, FAST);
    cleanup.push(async () => {
      await t.close();
      await server.close();
    });
    const doomed = t.spawn({ SIGNAL_DESK_FAILPOINTS: 'poll.afterNextQueued' });
    await t.poll.add('poll', { sourceId: 'gone', seq: 1 }, { jobId: pollJobId('gone', 1) });
    expect((await doomed.exited).signal).toBe('SIGKILL');
    expect(await t.poll.getJob(pollJobId('gone', 2))).toBeDefined();

    mode = 'gone';
    t.spawn({ SIGNAL_DESK_LOCK_MS: '30000' });
    // 410 is a permanent failure: the retry fails the job (after saving the pause).
    await expect.poll(async () => ['completed', 'failed'].includes(String(await (await t.poll.getJob(pollJobId('gone', 1)))?.getState())), { timeout: 45_000, interval: 200 }).toBe(true);
    const state = await t.redis.hgetall(t.keys.sourceState('gone'));
    expect(state.pausedReason).toBeTruthy();
    expect(state.nextJobId ?? null).toBeNull();
    // Nothing left to poll the paused source at the old plan's time.
    const pending = (await t.poll.getJobs(['wait', 'delayed', 'prioritized'])).filter((j) => j.data?.sourceId === 'gone').map((j) => j.id);
    expect(pending).toEqual([]);
  });
});
