import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedis, pingRedis } from '../../src/queue/connection.ts';
import { checkRedisDurability } from '../../src/queue/redisDurability.ts';
import { ensureReconcile } from '../../src/queue/scheduler.ts';
import { watchRedisState, writeStateMarker, type RebuildTrigger, type Timer } from '../../src/queue/stateWatch.ts';
import { startLocalCluster } from '../helpers/cluster.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { freePort, rss, startServer } from '../helpers/httpServer.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';
import { spawnWorker, type WorkerProcess } from '../helpers/workerProcess.ts';

// Issue 8, item 3: a Redis that restarts empty (or is flushed) took the chains, the cron schedulers and the
// minute-by-minute reconcile with it, and a running `run` stayed alive and silent, polling nothing. And `run`
// started against an evicting or non-persisting Redis without a word of its own.

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

interface PrivateRedis {
  url: string;
  port: number;
  kill(): Promise<void>;
}

/** A redis-server of the test's own on a free port (or the given one), persisting nothing unless told. */
async function startRedis(args: string[] = [], port?: number): Promise<PrivateRedis> {
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'sd-redis-'));
  const child: ChildProcess = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...args], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${p}`;
  for (let i = 0; i < 100 && !(await pingRedis(url, 200)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!(await pingRedis(url, 500))) throw new Error(`redis-server on port ${p} did not start`);
  let killed: Promise<void> | undefined;
  const kill = () =>
    (killed ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }).then(() => rmSync(dir, { recursive: true, force: true })));
  cleanup.push(kill);
  return { url, port: p, kill };
}

async function until(what: string, fn: () => boolean | Promise<boolean>, output: () => string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await Promise.resolve().then(fn).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function sourcesFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sd-sources-')), 'sources.yaml');
  writeFileSync(file, text);
  return file;
}

function exitWithin(proc: WorkerProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> {
  return Promise.race([proc.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), ms))]);
}

function logLines(output: string): Record<string, unknown>[] {
  return output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A scheduling `run` (chains, cron schedulers, reconcile) on a private Redis, polling a local feed server. */
async function startScheduling(redisServer: PrivateRedis, env: Record<string, string>) {
  const prefix = testPrefix();
  const keys = createKeys(prefix);
  const polls = new Map<string, number>();
  const feed = await startServer((req, res) => {
    polls.set(req.url!, (polls.get(req.url!) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: `${req.url}-1`, title: 'One story', link: `https://pub.example${req.url}/1` }]));
  });
  cleanup.push(() => feed.close());
  // alpha polls in a chain of delayed jobs, beta on a cron job scheduler: Redis holds both.
  const file = sourcesFile(`sources:
  - id: alpha
    name: Alpha
    url: ${feed.url('/alpha.xml')}
    schedule: { every: 1m }
  - id: beta
    name: Beta
    url: ${feed.url('/beta.xml')}
    schedule: { cron: "* * * * *" }
`);
  const proc = spawnWorker(prefix, file, { REDIS_URL: redisServer.url, ...env }, ['--metrics-port', '0']);
  const client = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  client.on('error', () => undefined);
  const poll = new Queue('poll', { connection: client, prefix });
  poll.on('error', () => undefined);
  cleanup.push(async () => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await proc.exited;
    await poll.close();
    client.disconnect();
  });
  const out = proc.output;

  /** Waits until the source has a pending poll in Redis, runs it now (promotes the delayed job) and waits for the feed server to see it. */
  const pollNow = async (sourceId: string) => {
    const before = polls.get(`/${sourceId}.xml`) ?? 0;
    let job: Job | undefined;
    await until(`a pending poll of ${sourceId}`, async () => {
      const jobs = await poll.getJobs(['delayed', 'wait', 'active']);
      job = jobs.find((j) => j.data?.sourceId === sourceId);
      return job !== undefined;
    }, out);
    if (await job!.isDelayed()) await job!.promote().catch(() => undefined);
    await until(`${sourceId} polled`, () => (polls.get(`/${sourceId}.xml`) ?? 0) > before, out);
    // Finished, so that its next poll is queued before the test takes Redis away (not replayed after).
    await until(`${sourceId}'s poll finished`, async () => ['completed', 'failed'].includes(await job!.getState()), out);
  };
  const metrics = async () => {
    const url = /metrics at (http:\/\/\S+\/metrics)/.exec(out())![1]!;
    return (await fetch(url)).text();
  };
  await until('the schedules synced', async () => (await poll.getJobScheduler('reconcile-sources')) !== undefined && (await client.sismember(keys.chained, 'alpha')) === 1, out);
  return { prefix, keys, client, poll, proc, out, polls, pollNow, metrics };
}

describe('Redis restarting empty while `run` runs', () => {
  it('FLUSHALL: the periodic check notices, rebuilds the schedulers and chains, logs it loudly and counts it; polling resumes', { timeout: 90_000 }, async () => {
    const redisServer = await startRedis();
    const t = await startScheduling(redisServer, { SIGNAL_DESK_STATE_CHECK_MS: '200' });
    await t.pollNow('alpha');
    await t.pollNow('beta');
    expect(t.out()).not.toContain('Redis lost');

    await t.client.flushall();
    // Polling resumes: both sources are polled again (new requests at the feed server).
    await t.pollNow('alpha');
    await t.pollNow('beta');
    expect(await t.poll.getJobScheduler('reconcile-sources')).toBeDefined();
    expect(await t.poll.getJobScheduler('poll-beta')).toBeDefined();

    const rebuilds = logLines(t.out()).filter((l) => String(l.msg).startsWith("Redis lost Signal Desk's state"));
    expect(rebuilds).toHaveLength(1);
    expect(rebuilds[0]).toMatchObject({
      level: 50,
      trigger: 'timer',
      lost: [`marker key ${t.keys.stateMarker}`, 'job scheduler reconcile-sources'],
      rebuilt: { schedulers: ['reconcile-sources'], cron_sources: ['beta'], chains_started: ['alpha'] },
    });
    expect(String(rebuilds[0]!.msg)).toContain('noticed by the periodic check');
    expect(String(rebuilds[0]!.msg)).toContain('Running Redis for production');
    expect(await t.metrics()).toMatch(/^signal_desk_redis_state_rebuilds_total\{trigger="timer"\} 1$/m);
  });

  it('killed and restarted empty on the same port: the reconnect alone triggers the rebuild (the timer is far off)', { timeout: 90_000 }, async () => {
    const redisServer = await startRedis();
    const t = await startScheduling(redisServer, { SIGNAL_DESK_STATE_CHECK_MS: '3600000' });
    await t.pollNow('alpha');

    await redisServer.kill();
    await startRedis([], redisServer.port);
    await t.pollNow('alpha');
    await t.pollNow('beta');

    const rebuilds = logLines(t.out()).filter((l) => String(l.msg).startsWith("Redis lost Signal Desk's state"));
    expect(rebuilds).toHaveLength(1);
    const rebuild = rebuilds[0]!;
    expect(rebuild).toMatchObject({ level: 50, trigger: 'reconnect', rebuilt: { chains_started: ['alpha'], cron_sources: ['beta'] } });
    expect(String(rebuild.msg)).toContain('noticed after a reconnect');
    expect(await t.metrics()).toMatch(/^signal_desk_redis_state_rebuilds_total\{trigger="reconnect"\} 1$/m);
    expect(t.proc.child.exitCode).toBeNull();
  });
});

describe('watchRedisState', () => {
  it('on each tick of its (injected) timer checks the marker and the reconcile scheduler, and rebuilds only when one is gone', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('poll', { connection: redis, prefix });
    let tick: () => void = () => undefined;
    const timer: Timer = { every: (_ms, fn) => ((tick = fn), () => (tick = () => undefined)) };
    const rebuilds: { trigger: RebuildTrigger; lost: string[] }[] = [];
    const watch = watchRedisState({
      redis,
      markerKey: keys.stateMarker,
      queue,
      intervalMs: 180_000,
      timer,
      rebuild: async (trigger, lost) => {
        rebuilds.push({ trigger, lost });
        await ensureReconcile(queue);
        await writeStateMarker(redis, keys.stateMarker, 0, 'test');
      },
      onError: (err) => {
        throw err;
      },
    });
    cleanup.push(async () => {
      watch.stop();
      await queue.close();
      await redis.quit();
      await dropPrefix(prefix);
    });
    await ensureReconcile(queue);
    await writeStateMarker(redis, keys.stateMarker, 0, 'test');
    expect(await watch.check('timer')).toEqual([]);

    await redis.del(keys.stateMarker);
    tick();
    await expect.poll(() => rebuilds.length).toBe(1);
    expect(rebuilds[0]).toEqual({ trigger: 'timer', lost: [`marker key ${keys.stateMarker}`] });
    expect(await watch.check('timer')).toEqual([]);

    await queue.removeJobScheduler('reconcile-sources');
    expect(await watch.check('timer')).toEqual(['job scheduler reconcile-sources']);
    expect(rebuilds).toHaveLength(2);
    expect(await queue.getJobScheduler('reconcile-sources')).toBeDefined();

    watch.stop();
    await redis.del(keys.stateMarker);
    tick();
    expect(rebuilds).toHaveLength(2);
  });
});

describe('`run` checks Redis eviction and persistence at start', () => {
  it.each(['allkeys-lru', 'volatile-ttl'])('refuses maxmemory-policy %s, naming it and what to set, before it writes anything', { timeout: 60_000 }, async (policy) => {
    const redisServer = await startRedis(['--maxmemory-policy', policy]);
    const proc = spawnWorker(testPrefix(), sourcesFile('sources: []\n'), { REDIS_URL: redisServer.url }, []);
    cleanup.push(async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
      await proc.exited;
    });
    const exit = await exitWithin(proc, 30_000);
    expect(exit, proc.output()).toEqual({ code: 1, signal: null });
    expect(proc.output()).toContain(`Redis at 127.0.0.1:${redisServer.port}: field "maxmemory-policy": is "${policy}"`);
    expect(proc.output()).toContain('Set `maxmemory-policy noeviction`');
    const client = new Redis(redisServer.url);
    try {
      expect(await client.dbsize()).toBe(0);
    } finally {
      client.disconnect();
    }
  });

  it.each([
    { persistence: 'none', args: [] as string[], warns: 'persists nothing (appendonly no, save "")' },
    { persistence: 'RDB only', args: ['--save', '3600 1'], warns: 'persists by RDB snapshots only' },
    { persistence: 'AOF', args: ['--appendonly', 'yes', '--appendfsync', 'everysec'], warns: null },
    { persistence: 'CONFIG disabled', args: ['--rename-command', 'CONFIG', ''], warns: 'could not check eviction and persistence of Redis' },
  ])('persistence $persistence: starts, and warns when its state would not survive a restart', { timeout: 60_000 }, async ({ args, warns }) => {
    const redisServer = await startRedis(args);
    const proc = spawnWorker(testPrefix(), sourcesFile('sources: []\n'), { REDIS_URL: redisServer.url }, ['--once']);
    const exit = await exitWithin(proc, 30_000);
    expect(exit, proc.output()).toEqual({ code: 0, signal: null });
    const warnings = logLines(proc.output()).filter((l) => l.check === 'redis-durability');
    if (warns === null) {
      expect(warnings).toEqual([]);
    } else {
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 40 });
      expect(String(warnings[0]!.msg)).toContain(warns);
      expect(String(warnings[0]!.msg)).toContain(`127.0.0.1:${redisServer.port}`);
    }
  });

  it('on a Redis Cluster, checks every master', { timeout: 60_000 }, async () => {
    const cluster = await startLocalCluster();
    cleanup.push(() => cluster.stop());
    const client = createRedis(cluster.url);
    cleanup.push(async () => void client.disconnect());
    const findings = await checkRedisDurability(client);
    expect(findings.refusals).toEqual([]);
    // The helper's cluster persists nothing: one warning per master, each naming it.
    const ports = cluster.url.replace('redis+cluster://', '').split(',');
    expect(findings.warnings).toHaveLength(3);
    for (const hostPort of ports) expect(findings.warnings.filter((w) => w.includes(`Redis at ${hostPort} persists nothing`))).toHaveLength(1);
  });
});
