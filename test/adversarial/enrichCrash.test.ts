import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { getDraft } from '../../src/review/draftStore.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { workerRig, writeSourcesFile, drained } from '../helpers/workerProcess.ts';

// Issue 9, item 1: a draft is enriched whatever kills the worker between its commit and its enrich job.
// Real worker processes, real Redis, a local publisher serving the feed and the article page.

const FAST = { SIGNAL_DESK_LOCK_MS: '1000', SIGNAL_DESK_STALLED_MS: '500' };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});


describe('enrichment survives kill -9 between the commit and the enrich job', () => {
  it.each(['ingest.afterCommit', 'ingest.afterEnrichQueued'])('killed at %s: the retry still enriches the draft, once', { timeout: 120_000 }, async (failpoint) => {
    let pageRequests = 0;
    const server = await startServer((req, res) => {
      if (req.url === '/robots.txt') return void res.writeHead(404).end();
      if (req.url === '/article') {
        pageRequests++;
        return void res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end('<html lang="en"><head><title>Chip story</title><meta property="og:site_name" content="Local News"><meta name="author" content="Ada Lovelace"></head><body><p>Body.</p></body></html>');
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: 'one', title: 'Chip story', link: server.url('/article') }]));
    });
    const file = writeSourcesFile([{ id: 'a', url: server.url('/feed') }]);
    const t = workerRig(file, FAST);
    const enrich = new Queue('enrich', { connection: t.redis, prefix: t.prefix });
    cleanup.push(async () => {
      await enrich.close();
      await t.close();
      await server.close();
    });

    const doomed = t.spawn({ SIGNAL_DESK_FAILPOINTS: failpoint });
    await t.poll.add('poll', { sourceId: 'a' }, { jobId: 'poll-a' });
    expect((await doomed.exited).signal).toBe('SIGKILL');
    const [id] = await t.redis.zrange(t.keys.review, 0, -1);
    expect(id).toBeDefined();
    expect((await getDraft(t.redis, t.keys, id!))?.enrichment).toBeNull();

    t.spawn();
    await expect.poll(async () => (await getDraft(t.redis, t.keys, id!))?.enrichment?.state ?? null, { timeout: 40_000, interval: 200 }).toBe('done');
    await expect.poll(async () => (await drained(t.ingest)) && (await drained(enrich)), { timeout: 20_000, interval: 200 }).toBe(true);
    const draft = await getDraft(t.redis, t.keys, id!);
    expect(draft?.enrichment?.authors?.value).toEqual(['Ada Lovelace']);
    expect(draft?.enrichment?.siteName?.value).toBe('Local News');
    expect(await t.redis.zcard(t.keys.review)).toBe(1);
    expect(pageRequests).toBe(1);
  });
});
