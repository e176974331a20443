import type { ServerResponse } from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/queue/keys.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';
import { spawnWorker, writeSourcesFile } from '../helpers/workerProcess.ts';

// Issue 8, item 5: `run --once` died at once on SIGTERM (rc 143 from the signal itself), leaving its poll
// active in BullMQ until the stall check. Now it stops like `run`: the workers close, the active poll is
// handed back and removed (it saved nothing), the summary says what finished, and the exit code is
// 128 + the signal (143), as documented.

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

async function until(what: string, fn: () => boolean | Promise<boolean>, output: () => string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await Promise.resolve().then(fn).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const SHUTDOWN_MS = 20_000;

/** A run --once with one source done and one being fetched, stopped by `signal`: it must end like `run` does. */
async function interruptRun(signal: 'SIGTERM' | 'SIGINT', code: number): Promise<void> {
    const prefix = testPrefix();
    const held: ServerResponse[] = [];
    // /fast answers at once; /slow holds its response until the test ends.
    const feed = await startServer((req, res) => {
      if (req.url === '/slow.xml') return void held.push(res);
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([1, 2, 3].map((i) => ({ guid: `fast-${i}`, title: `Fast story ${i}`, link: `https://pub.example/fast/${i}` }))));
    });
    const file = writeSourcesFile([
      { id: 'fast', url: feed.url('/fast.xml') },
      { id: 'slow', url: feed.url('/slow.xml') },
    ]);
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const poll = new Queue('poll', { connection: redis, prefix });
    const proc = spawnWorker(prefix, file, { SIGNAL_DESK_SHUTDOWN_MS: String(SHUTDOWN_MS), SIGNAL_DESK_FETCH_TIMEOUT_MS: '60000' }, ['--once']);
    cleanup.push(async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
      await proc.exited;
      for (const res of held) res.destroy();
      await feed.close();
      await poll.close();
      await redis.quit();
      await dropPrefix(prefix);
    });

    await until('fast done, slow being fetched', () => proc.output().includes('fast: ok, 3 new') && held.length === 1, proc.output);
    const runJobs = async (states: Parameters<Queue['getJobs']>[0]) => (await poll.getJobs(states)).filter((j) => j.id?.startsWith('once-'));
    expect((await runJobs(['active'])).map((j) => j.data.sourceId)).toEqual(['slow']);

    proc.child.kill(signal);
    const exit = await Promise.race([proc.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), SHUTDOWN_MS))]);
    expect(exit, proc.output()).toEqual({ code, signal: null });

    // Nothing of that run is left active (or waiting to be polled by a later worker).
    expect(await runJobs(['active', 'wait', 'delayed', 'prioritized'])).toEqual([]);
    // The summary says what finished and what did not.
    const table = proc.output();
    expect(table).toMatch(/fast\s+│?\s*ok\s/);
    expect(table).toMatch(/slow\s+│?\s*cancelled \(interrupted\)/);
    expect(table).toContain('2 sources, 3 new drafts, 0 failed, 1 cancelled (run interrupted)');
    expect(await redis.zcard(createKeys(prefix).review)).toBe(3);
    // The interrupted poll saved nothing: the next run polls the slow source afresh.
    expect(await redis.hget(createKeys(prefix).sourceState('slow'), 'lastAttemptAt')).toBeNull();
}

describe('run --once on SIGTERM', () => {
  it('stops gracefully within SIGNAL_DESK_SHUTDOWN_MS: exit 143, the finished source reported, no job of the run left active or queued', { timeout: 90_000 }, async () => {
    await interruptRun('SIGTERM', 143);
  });
});

// The README promises the same for SIGINT (Ctrl-C at a terminal): 128 + 2.
describe('run --once on SIGINT', () => {
  it('stops gracefully within SIGNAL_DESK_SHUTDOWN_MS: exit 130, the finished source reported, no job of the run left active or queued', { timeout: 90_000 }, async () => {
    await interruptRun('SIGINT', 130);
  });
});
