import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/queue/keys.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { spawnWorker, writeSourcesFile, type WorkerProcess } from '../helpers/workerProcess.ts';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

/** A publisher on one host that answers slowly and records how many requests it serves at once, and when. */
async function slowPublisher(ms: number) {
  const stats = { inFlight: 0, maxInFlight: 0, starts: [] as number[] };
  const server = await startServer((req, res) => {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    stats.starts.push(Date.now());
    setTimeout(() => {
      stats.inFlight--;
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: req.url!, title: 'x', link: `https://pub.example${req.url}` }]));
    }, ms);
  });
  return { server, stats };
}

async function twoWorkers(sourceCount: number, serverUrl: (p: string) => string, env: Record<string, string>, beforeQueueing?: (redis: Redis, prefix: string) => Promise<void>) {
  const prefix = testPrefix();
  const sources = Array.from({ length: sourceCount }, (_, i) => ({ id: `s-${i}`, url: serverUrl(`/feed/${i}`) }));
  const file = writeSourcesFile(sources);
  const workers: WorkerProcess[] = [0, 1].map(() => spawnWorker(prefix, file, { SIGNAL_DESK_POLL_CONCURRENCY: '8', SIGNAL_DESK_LOG_LEVEL: 'warn', ...env }));
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const poll = new Queue('poll', { connection: redis, prefix });
  cleanup.push(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await poll.close();
    await redis.quit();
    await dropPrefix(prefix);
  });
  // Both processes up (their poll workers connected), however slow the machine: a fixed wait let one process take every job.
  await until('both worker processes up', async () => (await poll.getWorkersCount()) >= 2, 45_000);
  await beforeQueueing?.(redis, prefix);
  await poll.addBulk(sources.map((s) => ({ name: 'poll', data: { sourceId: s.id, runId: 'politeness' } })));
  return { poll, sources, workers };
}

async function until(what: string, fn: () => boolean | Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('per-host politeness, shared by worker processes', () => {
  it('never has more than SIGNAL_DESK_HOST_CONCURRENCY requests in flight to one host, across two processes', { timeout: 60_000 }, async () => {
    const { server, stats } = await slowPublisher(300);
    cleanup.push(() => server.close());
    const { poll } = await twoWorkers(10, server.url, { SIGNAL_DESK_HOST_CONCURRENCY: '2', SIGNAL_DESK_HOST_DELAY_MS: '0' });
    await until('all polls', async () => (await poll.getCompletedCount()) === 10);
    expect(stats.starts).toHaveLength(10);
    // Two processes with 8 workers each could send all ten at once; the shared cap allows two.
    expect(stats.maxInFlight).toBe(2);
    const completed = await poll.getCompleted();
    expect(new Set(completed.map((j) => j.processedBy?.split(':')[1])).size).toBe(2);
  });

  it('spaces requests to one host by SIGNAL_DESK_HOST_DELAY_MS, across two processes', { timeout: 60_000 }, async () => {
    const { server, stats } = await slowPublisher(10);
    cleanup.push(() => server.close());
    const gap = 400;
    // The last turn at this host was reserved for `seed`, a moment from now, by "another process": every request
    // must wait its turn after it. Each turn is at least `gap` after the one before, so the k-th request to arrive
    // can come no earlier than seed + k × gap. A loaded machine only makes requests later than their turn, never
    // earlier, so these are lower bounds that hold however slow it is; without the shared spacing all six would
    // arrive at once, well before seed + 6 × gap.
    let seed = 0;
    const { poll } = await twoWorkers(6, server.url, { SIGNAL_DESK_HOST_CONCURRENCY: '8', SIGNAL_DESK_HOST_DELAY_MS: String(gap) }, async (redis, prefix) => {
      seed = Date.now() + 300;
      await redis.set(createKeys(prefix).hostNext('127.0.0.1'), String(seed), 'PX', 60_000);
    });
    await until('all polls', async () => (await poll.getCompletedCount()) === 6);
    const starts = [...stats.starts].sort((a, b) => a - b);
    expect(starts).toHaveLength(6);
    // Timers may fire a millisecond or two early.
    starts.forEach((t, i) => expect(t - seed, `request ${i + 1} of 6, ${t - seed} ms after the seeded turn`).toBeGreaterThanOrEqual((i + 1) * gap - 5));
  });
});
