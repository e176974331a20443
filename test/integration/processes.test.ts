import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestResult } from '../../src/queue/jobs.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';
import { rss, startServer, type TestServer } from '../helpers/httpServer.ts';
import { spawnWorker, workerRig, writeSourcesFile } from '../helpers/workerProcess.ts';

// Each source publishes its own 20 articles (the same URL in two sources would be de-duplicated across them).
const itemsOf = (path: string) => Array.from({ length: 20 }, (_, i) => ({ guid: `item-${i}`, title: `Story ${i}`, link: `https://pub.example${path}/${i}` }));

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

async function setup(sourceCount: number) {
  const server = await startServer((req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(itemsOf(req.url!), req.url!)));
  const sources = Array.from({ length: sourceCount }, (_, i) => ({ id: `src-${i}`, url: server.url(`/feed/${i}`) }));
  const file = writeSourcesFile(sources);
  const rig = workerRig(file);
  cleanup.push(async () => {
    await rig.close();
    await server.close();
  });
  return { ...rig, server, sources, file };
}

async function drained(q: Queue): Promise<boolean> {
  const c = await q.getJobCounts('wait', 'active', 'delayed', 'prioritized');
  return Object.values(c).every((n) => n === 0);
}

describe('worker processes against one Redis', () => {
  it('two processes polling the same sources at once make one draft per item', { timeout: 60_000 }, async () => {
    const t = await setup(10);
    t.workers.push(spawnWorker(t.prefix, t.file), spawnWorker(t.prefix, t.file));
    // Both processes are listening before the jobs arrive (on a loaded machine one can start seconds later).
    await expect.poll(async () => (await t.poll.getWorkers()).length, { timeout: 30_000, interval: 100 }).toBe(2);
    // Every source is polled four times concurrently, so both processes fetch and ingest the same items.
    await t.poll.addBulk(t.sources.flatMap((s) => [0, 1, 2, 3].map((n) => ({ name: 'poll', data: { sourceId: s.id }, opts: { jobId: `dup-${s.id}-${n}` } }))));
    await expect.poll(async () => (await drained(t.poll)) && (await drained(t.ingest)) && (await t.poll.getCompletedCount()) === 40, { timeout: 40_000, interval: 200 }).toBe(true);
    expect(await t.redis.zcard(t.keys.review)).toBe(10 * 20);
    const draftKeys = await t.redis.keys(`${t.prefix}:draft:*`);
    expect(draftKeys).toHaveLength(200);
    // Both processes really took jobs.
    const workersSeen = new Set((await t.poll.getCompleted(0, 100)).map((j) => j.processedBy));
    expect(workersSeen.size).toBe(2);
  });

  it('a worker killed right after committing drafts: the retry finds them, the draft exists exactly once', { timeout: 60_000 }, async () => {
    const t = await setup(1);
    const fast = { SIGNAL_DESK_LOCK_MS: '1000', SIGNAL_DESK_STALLED_MS: '500' };
    const doomed = spawnWorker(t.prefix, t.file, { ...fast, SIGNAL_DESK_FAILPOINTS: 'ingest.afterCommit' });
    t.workers.push(doomed);
    await t.poll.add('poll', { sourceId: 'src-0' }, { jobId: 'kill-me' });
    expect((await doomed.exited).signal).toBe('SIGKILL');
    // Drafts were committed before the crash; the ingest job is left active with an expiring lock.
    expect(await t.redis.zcard(t.keys.review)).toBe(20);
    expect(await t.ingest.getActiveCount()).toBe(1);

    t.workers.push(spawnWorker(t.prefix, t.file, fast));
    await expect.poll(async () => t.ingest.getCompletedCount(), { timeout: 20_000, interval: 200 }).toBe(1);
    const [done] = await t.ingest.getCompleted();
    expect(IngestResult.parse(done!.returnvalue)).toEqual({ created: [], duplicates: 20, related: 0, skipped: {} });
    expect(await t.redis.zcard(t.keys.review)).toBe(20);
    expect(await t.redis.keys(`${t.prefix}:draft:*`)).toHaveLength(20);
  });

  it('a worker killed after queueing the next poll of a chain: the retry queues the same one, the chain does not fork', { timeout: 60_000 }, async () => {
    const t = await setup(1);
    const fast = { SIGNAL_DESK_LOCK_MS: '1000', SIGNAL_DESK_STALLED_MS: '500' };
    const doomed = spawnWorker(t.prefix, t.file, { ...fast, SIGNAL_DESK_FAILPOINTS: 'poll.afterNextQueued' });
    t.workers.push(doomed);
    await t.poll.add('poll', { sourceId: 'src-0', seq: 1 }, { jobId: 'p-src-0-1', attempts: 1 });
    expect((await doomed.exited).signal).toBe('SIGKILL');
    // The next poll is queued (delayed), the state does not know it yet, and the killed job is left active.
    expect((await t.poll.getJob('p-src-0-2'))?.data).toEqual({ sourceId: 'src-0', seq: 2 });
    expect(await t.redis.hget(t.keys.sourceState('src-0'), 'nextJobId')).toBeNull();

    t.workers.push(spawnWorker(t.prefix, t.file, fast));
    await expect.poll(async () => t.redis.hget(t.keys.sourceState('src-0'), 'nextJobId'), { timeout: 20_000, interval: 200 }).toBe('p-src-0-2');
    // The retry records the chain's next poll before its job is finished: once it is, nothing of it is left pending.
    await expect.poll(async () => (await t.poll.getJob('p-src-0-1'))?.getState(), { timeout: 20_000, interval: 200 }).toBe('completed');
    // One chain: exactly one pending poll for the source, and the drafts exactly once.
    const pending = (await t.poll.getJobs(['wait', 'delayed', 'active'])).filter((j) => j.data.sourceId === 'src-0');
    expect(pending.map((j) => j.id)).toEqual(['p-src-0-2']);
    await expect.poll(async () => t.redis.zcard(t.keys.review), { timeout: 20_000, interval: 200 }).toBe(20);
  });

  it('a worker killed after queueing items but before saving validators loses nothing and duplicates nothing', { timeout: 60_000 }, async () => {
    const t = await setup(1);
    const fast = { SIGNAL_DESK_LOCK_MS: '1000', SIGNAL_DESK_STALLED_MS: '500' };
    const doomed = spawnWorker(t.prefix, t.file, { ...fast, SIGNAL_DESK_FAILPOINTS: 'poll.afterEnqueue', SIGNAL_DESK_INGEST_CONCURRENCY: '1' });
    t.workers.push(doomed);
    await t.poll.add('poll', { sourceId: 'src-0' }, { jobId: 'kill-poll' });
    expect((await doomed.exited).signal).toBe('SIGKILL');
    expect(await t.redis.hget(t.keys.sourceState('src-0'), 'etag')).toBeNull();

    t.workers.push(spawnWorker(t.prefix, t.file, fast));
    await expect.poll(async () => (await t.poll.getCompletedCount()) === 1 && (await drained(t.ingest)), { timeout: 20_000, interval: 200 }).toBe(true);
    expect(await t.redis.zcard(t.keys.review)).toBe(20);
    expect(await t.redis.keys(`${t.prefix}:draft:*`)).toHaveLength(20);
  });

  it('SIGTERM during a hanging fetch exits promptly and hands the job back, not stuck active', { timeout: 60_000 }, async () => {
    const prefix = testPrefix();
    const hang: TestServer = await startServer(() => {});
    const file = writeSourcesFile([{ id: 'hang', url: hang.url('/feed') }]);
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const poll = new Queue('poll', { connection: redis, prefix });
    cleanup.push(async () => {
      await poll.close();
      await redis.quit();
      await hang.close();
      await dropPrefix(prefix);
    });
    const w = spawnWorker(prefix, file, { SIGNAL_DESK_FETCH_TIMEOUT_MS: '60000' });
    const job = await poll.add('poll', { sourceId: 'hang' });
    await expect.poll(() => hang.requests.length, { timeout: 15_000 }).toBe(1);
    const started = Date.now();
    w.child.kill('SIGTERM');
    const { code } = await w.exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await poll.getActiveCount()).toBe(0);
    expect(['waiting', 'delayed', 'wait']).toContain(await job.getState());
    expect((await poll.getJob(job.id!))!.attemptsMade).toBe(0);
  });
});
