import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { logLines, sourcesFile, startRedis, startScheduling } from '../helpers/privateRedis.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { checkRedisDurability } from '../../src/queue/redisDurability.ts';
import { ensureReconcile } from '../../src/queue/scheduler.ts';
import { watchRedisState, writeStateMarker, type RebuildTrigger, type Timer } from '../../src/queue/stateWatch.ts';
import { startLocalCluster } from '../helpers/cluster.ts';
import { createKeys } from '../../src/queue/keys.ts';
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

function exitWithin(proc: WorkerProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> {
  return Promise.race([proc.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), ms))]);
}

describe('Redis restarting empty while `run` runs', () => {
  it('FLUSHALL: the periodic check notices, rebuilds the schedulers and chains, logs it loudly and counts it; polling resumes', { timeout: 90_000 }, async () => {
    const redisServer = await startRedis(cleanup);
    const t = await startScheduling(cleanup, redisServer, { SIGNAL_DESK_STATE_CHECK_MS: '200' });
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
    const redisServer = await startRedis(cleanup);
    const t = await startScheduling(cleanup, redisServer, { SIGNAL_DESK_STATE_CHECK_MS: '3600000' });
    await t.pollNow('alpha');

    await redisServer.kill();
    await startRedis(cleanup, [], redisServer.port);
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
    const redisServer = await startRedis(cleanup, ['--maxmemory-policy', policy]);
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
    const redisServer = await startRedis(cleanup, args);
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
