import { afterEach, describe, expect, it } from 'vitest';
import { getDrafts } from '../../src/review/draftStore.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { workerRig, writeSourcesFile, drained } from '../helpers/workerProcess.ts';

// Issue 9, item 4: a second source's item for an article that has a draft is recorded as coverage exactly once,
// whatever kills the worker that commits it. Real worker processes, real Redis, a local publisher.

const FAST = { SIGNAL_DESK_LOCK_MS: '1000', SIGNAL_DESK_STALLED_MS: '500' };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});


describe('related coverage survives kill -9', () => {
  it.each(['ingest.afterCommit', 'ingest.beforeCommit'])('killed at %s while committing the second source: one draft, one coverage entry, after the retry and after another poll', { timeout: 120_000 }, async (failpoint) => {
    const server = await startServer((req, res) => {
      const link = req.url === '/a' ? 'https://news.example/story' : 'https://news.example/story?utm_source=rss&fbclid=x';
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: `${req.url}-1`, title: `Story via ${req.url}`, link }]));
    });
    const file = writeSourcesFile([
      { id: 'a', url: server.url('/a') },
      { id: 'b', url: server.url('/b') },
    ]);
    const t = workerRig(file, FAST);
    cleanup.push(async () => {
      await t.close();
      await server.close();
    });

    const first = t.spawn();
    await t.poll.add('poll', { sourceId: 'a' }, { jobId: 'poll-a' });
    await expect.poll(() => t.redis.zcard(t.keys.review), { timeout: 20_000, interval: 100 }).toBe(1);
    await expect.poll(() => drained(t.ingest), { timeout: 20_000, interval: 100 }).toBe(true);
    first.child.kill('SIGTERM');
    await first.exited;

    const doomed = t.spawn({ SIGNAL_DESK_FAILPOINTS: failpoint });
    await t.poll.add('poll', { sourceId: 'b' }, { jobId: 'poll-b' });
    expect((await doomed.exited).signal).toBe('SIGKILL');

    t.spawn();
    await expect.poll(async () => (await drained(t.ingest)) && (await t.ingest.getCompletedCount()) === 2, { timeout: 30_000, interval: 200 }).toBe(true);
    const [id] = await t.redis.zrange(t.keys.review, 0, -1);
    const covered = async () => (await getDrafts(t.redis, t.keys, [id!]))[0]!.coverage;
    expect(await t.redis.zcard(t.keys.review)).toBe(1);
    expect((await covered()).map((c) => [c.sourceId, c.link])).toEqual([['b', 'https://news.example/story']]);

    // Polled again (the feed unchanged): still one entry.
    await t.poll.add('poll', { sourceId: 'b' }, { jobId: 'poll-b-again' });
    await expect.poll(async () => (await t.poll.getJob('poll-b-again'))?.returnvalue?.outcome ?? null, { timeout: 20_000, interval: 200 }).toBe('ok');
    await expect.poll(() => drained(t.ingest), { timeout: 20_000, interval: 100 }).toBe(true);
    expect(await covered()).toHaveLength(1);
    expect(await t.redis.llen(t.keys.coverage(id!))).toBe(1);
  });
});
