import { afterEach, describe, expect, it } from 'vitest';
import { getDraft } from '../../src/review/draftStore.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { workerRig, writeSourcesFile } from '../helpers/workerProcess.ts';

// A page whose reading kills the worker process, every time (here: the test kills it with SIGKILL the moment the
// page is asked for). BullMQ gives up on the job once it has stalled more than allowed: the draft must say so,
// not wait "pending" for ever.

const FAST = { SIGNAL_DESK_LOCK_MS: '1000', SIGNAL_DESK_STALLED_MS: '500', SIGNAL_DESK_ENRICH: 'on' };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

describe('an enrich job that stalls for good', () => {
  it('the worker killed while reading the page, again and again: the draft records the failure', { timeout: 180_000 }, async () => {
    let asked: () => void = () => undefined;
    let pageRequests = 0;
    const server = await startServer((req, res) => {
      if (req.url === '/robots.txt') return void res.writeHead(404).end();
      if (req.url === '/article') {
        pageRequests++;
        asked();
        return; // never answered: the worker is killed first
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: 'one', title: 'Killer page', link: server.url('/article') }]));
    });
    const file = writeSourcesFile([{ id: 'a', url: server.url('/feed') }]);
    const t = workerRig(file, FAST);
    cleanup.push(async () => {
      await t.close();
      await server.close();
    });

    await t.poll.add('poll', { sourceId: 'a' }, { jobId: 'poll-a' });
    for (let kill = 1; kill <= 3; kill++) {
      const pageAsked = new Promise<void>((resolve) => (asked = resolve));
      const w = t.spawn();
      await pageAsked;
      w.child.kill('SIGKILL');
      await w.exited;
    }
    expect(pageRequests).toBe(3);
    const [id] = await t.redis.zrange(t.keys.review, 0, -1);
    expect(id).toBeDefined();
    t.spawn();
    await expect.poll(async () => (await getDraft(t.redis, t.keys, id!))?.enrichment?.state ?? null, { timeout: 60_000, interval: 250 }).toBe('failed');
    const draft = await getDraft(t.redis, t.keys, id!);
    expect(draft?.enrichment?.reason).toMatch(/stopped while reading the page/);
    expect(draft?.status).toBe('pending');
  });
});
