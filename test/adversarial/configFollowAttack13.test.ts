import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { rss, startServer, type TestServer } from '../helpers/httpServer.ts';
import { startRedis, startScheduling } from '../helpers/privateRedis.ts';
import { REDIS_URL } from '../helpers/redis.ts';
import { spawnWorker, watchProcess, workerRig, writeSourcesFile, type WorkerProcess, type WorkerRig } from '../helpers/workerProcess.ts';

// Issue 13 item 6: a worker process with an older sources file (or none) must not stop the polls of a source the
// scheduler's file has. Before the applied configuration in Redis, the worker failed y's chain poll for good
// ("source y is not in … any more"), and a reconcile run there stopped y's chain.

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

async function farm(): Promise<TestServer> {
  const server = await startServer((req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: `${req.url}-1`, title: `Story of ${req.url}`, link: `https://pub.example${req.url}/1` }], req.url!)));
  cleanup.push(() => server.close());
  return server;
}

const pollsOf = (server: TestServer, path: string) => server.requests.filter((r) => r.path === path).length;

/** A `run --no-scheduler` started with no sources file at all (none at the default path either). */
function spawnFileless(prefix: string): WorkerProcess {
  const dir = mkdtempSync(join(tmpdir(), 'sd-nofile-'));
  const child = spawn(process.execPath, [join(process.cwd(), 'bin/signal-desk.js'), 'run', '--no-scheduler'], {
    cwd: dir,
    env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: prefix, SIGNAL_DESK_SOURCES: join(dir, 'missing.yaml'), SIGNAL_DESK_RULES: join(dir, 'rules.yaml'), SIGNAL_DESK_CATEGORIES: join(dir, 'categories.yaml'), SIGNAL_DESK_ALLOW_PRIVATE: '127.0.0.1', SIGNAL_DESK_LOG_LEVEL: 'info', SIGNAL_DESK_HOST_CONCURRENCY: '64', SIGNAL_DESK_HOST_DELAY_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watchProcess(child);
}

/** The scheduler (file A: x and y) applies its file, then stops: only the follower is left to poll. */
async function schedulerAppliesThenStops(t: WorkerRig, fileA: string): Promise<void> {
  const scheduler = spawnWorker(t.prefix, fileA, {}, []);
  t.workers.push(scheduler);
  await expect.poll(async () => (await t.redis.hget(t.keys.configSources, 'version')) ?? '', { timeout: 30_000, interval: 100 }).toBe('1');
  await expect.poll(async () => (await t.redis.hget(t.keys.sourceState('y'), 'nextJobId')) ?? '', { timeout: 30_000, interval: 100 }).toMatch(/^p-y-/);
  scheduler.child.kill('SIGTERM');
  expect((await scheduler.exited).code).toBe(0);
}

/** y's chain poll, taken by the follower: it fetches y and queues y's next poll (the chain goes on). */
async function chainOfYGoesOn(t: WorkerRig, server: TestServer): Promise<void> {
  const first = (await t.redis.hget(t.keys.sourceState('y'), 'nextJobId'))!;
  const before = pollsOf(server, '/y');
  await (await Job.fromId(t.poll, first))!.promote();
  await expect.poll(async () => (await Job.fromId(t.poll, first))?.getState(), { timeout: 30_000, interval: 100 }).toBe('completed');
  expect(pollsOf(server, '/y')).toBe(before + 1);
  const next = await t.redis.hget(t.keys.sourceState('y'), 'nextJobId');
  expect(next).not.toBe(first);
  expect(await (await Job.fromId(t.poll, next!))?.getState()).toBe('delayed');
  // One-off polls of y too (sources poll y); and a reconcile run by the follower keeps y's chain.
  await t.poll.add('poll', { sourceId: 'y' }, { jobId: 'now-y' });
  await t.poll.add('reconcile', {}, { jobId: 'reconcile-now' });
  await expect.poll(async () => [await (await Job.fromId(t.poll, 'now-y'))?.getState(), await (await Job.fromId(t.poll, 'reconcile-now'))?.getState()], { timeout: 30_000, interval: 100 }).toEqual(['completed', 'completed']);
  expect(pollsOf(server, '/y')).toBe(before + 2);
  expect(await t.redis.sismember(t.keys.chained, 'y')).toBe(1);
  expect(await t.redis.hget(t.keys.sourceState('y'), 'nextJobId')).toBe(next);
  expect(await t.poll.getFailedCount()).toBe(0);
}

describe('attack 13.6: workers with another sources file, or none, against one scheduler', () => {
  it('a --no-scheduler worker whose file lacks y keeps polling y, from the configuration the scheduler applied', { timeout: 120_000 }, async () => {
    const server = await farm();
    const fileA = writeSourcesFile([{ id: 'x', url: server.url('/x') }, { id: 'y', url: server.url('/y') }]);
    const fileB = writeSourcesFile([{ id: 'x', url: server.url('/x') }]);
    const t = workerRig(fileB);
    cleanup.push(() => t.close());
    const follower = t.spawn();
    await schedulerAppliesThenStops(t, fileA);
    await expect.poll(() => follower.output(), { timeout: 30_000, interval: 100 }).toMatch(/following the sources configuration version 1/);
    await chainOfYGoesOn(t, server);
    // A source the applied configuration does not know still ends its chain.
    await t.poll.add('poll', { sourceId: 'gone', seq: 3 }, { jobId: 'p-gone-3' });
    await expect.poll(async () => (await Job.fromId(t.poll, 'p-gone-3'))?.getState(), { timeout: 30_000, interval: 100 }).toBe('failed');
    expect((await Job.fromId(t.poll, 'p-gone-3'))!.failedReason).toMatch(/not in the applied sources configuration \(version 1\)/);
  });

  it('a --no-scheduler worker with no sources file waits for the applied configuration, then polls from it', { timeout: 120_000 }, async () => {
    const server = await farm();
    const fileA = writeSourcesFile([{ id: 'x', url: server.url('/x') }, { id: 'y', url: server.url('/y') }]);
    const t = workerRig(fileA);
    cleanup.push(() => t.close());
    const fileless = spawnFileless(t.prefix);
    t.workers.push(fileless);
    await expect.poll(() => fileless.output(), { timeout: 30_000, interval: 100 }).toMatch(/no sources configuration in Redis yet/);
    expect(await t.poll.getWorkers()).toHaveLength(0);
    await schedulerAppliesThenStops(t, fileA);
    await expect.poll(async () => (await t.poll.getWorkers()).length, { timeout: 30_000, interval: 100 }).toBe(1);
    await chainOfYGoesOn(t, server);
  });
});

describe('attack 13.6: Redis restarted empty', () => {
  it('the scheduler writes its configuration again, numbered above the version it held', { timeout: 90_000 }, async () => {
    const redisServer = await startRedis(cleanup);
    const t = await startScheduling(cleanup, redisServer, { SIGNAL_DESK_STATE_CHECK_MS: '200' });
    await expect.poll(async () => (await t.client.hget(t.keys.configSources, 'version')) ?? '', { timeout: 30_000, interval: 100 }).toBe('1');
    const hash = await t.client.hget(t.keys.configSources, 'hash');
    await t.client.flushall();
    await expect.poll(async () => (await t.client.hget(t.keys.configSources, 'version')) ?? '', { timeout: 30_000, interval: 100 }).toBe('2');
    expect(await t.client.hget(t.keys.configSources, 'hash')).toBe(hash);
    await t.pollNow('alpha');
  });
});
