import { execFile } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { planIngest, queueIngest } from '../../src/queue/queueIngest.ts';
import { pollJobId } from '../../src/schedule/chain.ts';
import { REDIS_URL } from '../helpers/redis.ts';
import { countSeen } from '../helpers/seen.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { workerRig, writeSourcesFile, type WorkerProcess, drained } from '../helpers/workerProcess.ts';

// Issue 8, "Lost items": a crash plus a changed feed (1) and a feed too large for one script call (2) must
// never leave validators that hide items. Real worker processes, real Redis, a local publisher.

const run = promisify(execFile);
/** Short locks so a killed worker's jobs are picked up again within a couple of seconds. */
const FAST = { SIGNAL_DESK_LOCK_MS: '1000', SIGNAL_DESK_STALLED_MS: '500' };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

/** A publisher whose feeds grow when the test says so; each version has its own ETag and answers 304 to it. */
async function growingFeeds(initial: Record<string, number>) {
  const counts = { ...initial };
  const etagOf = (id: string) => `"${id}-${counts[id]}"`;
  const server = await startServer((req: IncomingMessage, res: ServerResponse) => {
    const id = req.url!.slice('/feed/'.length);
    if (counts[id] === undefined) return res.writeHead(404).end();
    if (req.headers['if-none-match'] === etagOf(id)) return res.writeHead(304, { etag: etagOf(id) }).end();
    const items = Array.from({ length: counts[id]! }, (_, i) => ({ guid: `${id}-item-${i}`, title: `Story ${i} of ${id}`, link: `https://pub.example/${id}/${i}` }));
    res.writeHead(200, { 'content-type': 'application/rss+xml', etag: etagOf(id) }).end(rss(items, id));
  });
  return { server, counts };
}

async function setup(ids: string[], initial: number) {
  const feeds = await growingFeeds(Object.fromEntries(ids.map((id) => [id, initial])));
  const file = writeSourcesFile(ids.map((id) => ({ id, url: feeds.server.url(`/feed/${id}`) })));
  const rig = workerRig(file, FAST);
  cleanup.push(async () => {
    await rig.close();
    await feeds.server.close();
  });
  return { ...rig, file, feeds };
}


/** Every draft under the prefix, as source id → the item URLs it has drafts for (one entry per draft). */
async function draftsBySource(redis: Redis, prefix: string): Promise<Map<string, string[]>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:draft:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const out = new Map<string, string[]>();
  for (let i = 0; i < keys.length; i += 500) {
    for (const json of await redis.mget(...keys.slice(i, i + 500))) {
      const d = JSON.parse(json!) as { source: { id: string }; link: string };
      out.set(d.source.id, [...(out.get(d.source.id) ?? []), d.link]);
    }
  }
  return out;
}

function expectOneDraftPerItem(drafts: Map<string, string[]>, counts: Record<string, number>) {
  for (const [id, n] of Object.entries(counts)) {
    const urls = drafts.get(id) ?? [];
    expect({ id, drafts: urls.length }).toEqual({ id, drafts: n });
    expect(new Set(urls)).toEqual(new Set(Array.from({ length: n }, (_, i) => `https://pub.example/${id}/${i}`)));
  }
}

/** Deterministic randomness (mulberry32), so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('lost items: a crash plus a changed feed (issue 8, item 1)', () => {
  it('killed after queueing 30 items, the feed grows to 40 before the retry: all 40 drafts, once each, and the saved ETag is the one of those 40', { timeout: 60_000 }, async () => {
    const t = await setup(['grow'], 30);
    const doomed = t.spawn({ SIGNAL_DESK_FAILPOINTS: 'poll.afterEnqueue' });
    await t.poll.add('poll', { sourceId: 'grow' }, { jobId: 'crash-poll' });
    expect((await doomed.exited).signal).toBe('SIGKILL');
    // The 30 items are queued; the validators are not saved.
    expect(await t.redis.hget(t.keys.sourceState('grow'), 'etag')).toBeNull();

    t.feeds.counts.grow = 40;
    // The survivor keeps the default 30 s lock (it is never killed): a loaded machine delaying its renewals
    // cannot stall its own jobs. It takes the killed worker's 1 s-locked job within a stall check.
    t.spawn({ SIGNAL_DESK_LOCK_MS: '30000' });
    await expect.poll(async () => (await t.poll.getCompletedCount()) === 1 && (await drained(t.ingest)), { timeout: 30_000, interval: 200 }).toBe(true);
    expect(await t.redis.hget(t.keys.sourceState('grow'), 'etag')).toBe('"grow-40"');
    expectOneDraftPerItem(await draftsBySource(t.redis, t.prefix), { grow: 40 });
    expect(await t.redis.zcard(t.keys.review)).toBe(40);

    // The next poll is a 304 and has nothing to add: nothing was hidden behind the ETag.
    await t.poll.add('poll', { sourceId: 'grow' }, { jobId: 'after' });
    await expect.poll(async () => (await t.poll.getJob('after'))?.returnvalue?.outcome ?? null, { timeout: 20_000, interval: 200 }).toBe('not_modified');
    expect(await t.redis.zcard(t.keys.review)).toBe(40);
  });

  it('killed at poll.afterNextQueued in 5 chained sources, the feeds grow before the retry: every item one draft, each ETag the last one, each chain one next poll', { timeout: 90_000 }, async () => {
    // poll.afterNextQueued: the items are queued and the chain's next poll too, the source's state (validators,
    // next job) not yet written. The retry reads a changed feed; it must queue the new items and keep one chain.
    const ids = Array.from({ length: 5 }, (_, i) => `chain-${i}`);
    const t = await setup(ids, 12);
    const doomed = t.spawn({ SIGNAL_DESK_FAILPOINTS: 'poll.afterNextQueued' });
    await t.poll.addBulk(ids.map((id) => ({ name: 'poll', data: { sourceId: id, seq: 1 }, opts: { jobId: pollJobId(id, 1) } })));
    expect((await doomed.exited).signal).toBe('SIGKILL');
    const killedAt = await Promise.all(ids.map(async (id) => (await t.poll.getJob(pollJobId(id, 2))) !== undefined));
    expect(killedAt, 'at least one poll reached the failpoint (its next poll is queued)').toContain(true);

    // Every feed changes before the retry: three grow, one grows a lot, one stays.
    for (const [i, id] of ids.entries()) t.feeds.counts[id] = [20, 21, 30, 12, 16][i]!;
    // The survivor keeps the default 30 s lock: it takes the killed worker's 1 s-locked jobs within a stall check,
    // and its own polls do not stall when a loaded machine delays its lock renewals (see pipelineAttack.test.ts).
    t.spawn({ SIGNAL_DESK_LOCK_MS: '30000' });
    const first = async () => Promise.all(ids.map(async (id) => (await t.poll.getJob(pollJobId(id, 1)))?.getState()));
    await expect.poll(async () => (await first()).every((s) => s === 'completed') && (await drained(t.ingest)), { timeout: 45_000, interval: 200 }).toBe(true);

    expectOneDraftPerItem(await draftsBySource(t.redis, t.prefix), t.feeds.counts);
    expect(await t.redis.zcard(t.keys.review)).toBe(Object.values(t.feeds.counts).reduce((a, b) => a + b, 0));
    for (const id of ids) {
      expect(await t.redis.hget(t.keys.sourceState(id), 'etag'), id).toBe(`"${id}-${t.feeds.counts[id]}"`);
      expect(await t.redis.hget(t.keys.sourceState(id), 'nextJobId'), id).toBe(pollJobId(id, 2));
    }
    const pending = (await t.poll.getJobs(['wait', 'delayed', 'active', 'prioritized'])).map((j) => j.id).sort();
    expect(pending).toEqual(ids.map((id) => pollJobId(id, 2)).sort());

    // A poll now is a 304 for each source and adds nothing: nothing was hidden behind a saved ETag.
    await t.poll.addBulk(ids.map((id) => ({ name: 'poll', data: { sourceId: id }, opts: { jobId: `after-${id}` } })));
    await expect.poll(async () => Promise.all(ids.map(async (id) => (await t.poll.getJob(`after-${id}`))?.returnvalue?.outcome ?? null)), { timeout: 30_000, interval: 200 }).toEqual(ids.map(() => 'not_modified'));
    expectOneDraftPerItem(await draftsBySource(t.redis, t.prefix), t.feeds.counts);
  });

  it('an ingest job BullMQ gives up on (its worker died three times) is never hidden behind a 304: the next poll fetches the whole feed', { timeout: 90_000 }, async () => {
    const t = await setup(['stall'], 12);
    // The poll completes (validators saved) before any worker takes the ingest job.
    await t.ingest.pause();
    const first = t.spawn({ SIGNAL_DESK_FAILPOINTS: 'ingest.beforeCommit' });
    await t.poll.add('poll', { sourceId: 'stall' }, { jobId: 'first' });
    await expect.poll(async () => (await t.poll.getJob('first'))?.returnvalue?.candidates ?? null, { timeout: 20_000, interval: 100 }).toBe(12);
    expect(await t.redis.hget(t.keys.sourceState('stall'), 'etag')).toBe('"stall-12"');
    await t.ingest.resume();
    expect((await first.exited).signal).toBe('SIGKILL');
    for (let i = 0; i < 2; i++) expect((await t.spawn({ SIGNAL_DESK_FAILPOINTS: 'ingest.beforeCommit' }).exited).signal).toBe('SIGKILL');
    // Stalled three times: the next worker (never killed, so the default 30 s lock) fails the job without running it.
    t.spawn({ SIGNAL_DESK_LOCK_MS: '30000' });
    await expect.poll(() => t.ingest.getFailedCount(), { timeout: 30_000, interval: 200 }).toBe(1);
    expect((await t.ingest.getFailed())[0]!.failedReason).toMatch(/stalled/);
    expect(await t.redis.zcard(t.keys.review)).toBe(0);

    const before = t.feeds.server.requests.length;
    await t.poll.add('poll', { sourceId: 'stall' }, { jobId: 'second' });
    await expect.poll(async () => (await t.poll.getJob('second'))?.returnvalue?.outcome ?? null, { timeout: 20_000, interval: 100 }).toBe('ok');
    expect(t.feeds.server.requests.slice(before).map((r) => r.headers['if-none-match'] ?? null)).toEqual([null]);
    await expect.poll(() => t.redis.zcard(t.keys.review), { timeout: 20_000, interval: 200 }).toBe(12);
    expectOneDraftPerItem(await draftsBySource(t.redis, t.prefix), { stall: 12 });
  });

  it('kill -9 at random points while 10 feeds grow: every item ends as exactly one draft', { timeout: 120_000 }, async () => {
    const random = seeded(8);
    const ids = Array.from({ length: 10 }, (_, i) => `feed-${i}`);
    const t = await setup(ids, 20);
    // Five kills: two at a random moment, three at failpoints (after committing drafts, after queueing the
    // items); the last one is after queueing, so that what the feeds add before the retry is never polled again.
    const kills: ({ failpoint: string } | { afterMs: number })[] = [
      { afterMs: 300 + Math.round(random() * 1500) },
      { failpoint: 'ingest.afterCommit' },
      { failpoint: 'poll.afterEnqueue' },
      { afterMs: 300 + Math.round(random() * 1500) },
      { failpoint: 'poll.afterEnqueue' },
    ];
    // One worker process at a time, so that the doomed one really takes the jobs.
    const ready = async (w: WorkerProcess) => {
      await expect.poll(() => w.output().includes('running; SIGTERM'), { timeout: 30_000, interval: 50 }).toBe(true);
      return w;
    };
    let round = 0;
    const pollRound = async () => {
      round++;
      await t.poll.addBulk(ids.map((id) => ({ name: 'poll', data: { sourceId: id }, opts: { jobId: `r${round}-${id}` } })));
      return round;
    };
    const finished = async (r: number) => {
      const states = await Promise.all(ids.map(async (id) => (await t.poll.getJob(`r${r}-${id}`))?.getState()));
      return states.every((s) => s === 'completed' || s === 'failed');
    };
    const grow = () => {
      // Some feeds grow, some do not, between the crash and the retry as well as between rounds.
      for (const id of ids) if (random() < 0.6) t.feeds.counts[id]! += 1 + Math.floor(random() * 5);
    };
    let steady: WorkerProcess | undefined;
    for (const kill of kills) {
      grow();
      if ('failpoint' in kill) {
        if (steady) {
          steady.child.kill('SIGTERM');
          await steady.exited;
        }
        // The doomed process may meet its failpoint before it says it is running: an ingest job the stopped one
        // left queued reaches it first. That is the kill this step is for.
        const doomed = t.spawn({ SIGNAL_DESK_FAILPOINTS: kill.failpoint });
        await expect.poll(() => doomed.output().includes('running; SIGTERM') || doomed.child.exitCode !== null || doomed.child.signalCode !== null, { timeout: 30_000, interval: 50 }).toBe(true);
        await pollRound();
        const died = await Promise.race([doomed.exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 20_000))]);
        expect(died).toBe(true);
      } else {
        steady = await ready(steady ?? t.spawn());
        await pollRound();
        await new Promise((resolve) => setTimeout(resolve, kill.afterMs));
        steady.child.kill('SIGKILL');
        await steady.exited;
      }
      grow();
      steady = await ready(t.spawn());
      await expect.poll(() => finished(round), { timeout: 30_000, interval: 100 }).toBe(true);
    }
    // The feeds stop growing; whatever the crashes left queued runs, then every source is polled twice more.
    await expect.poll(async () => (await drained(t.poll)) && (await drained(t.ingest)), { timeout: 30_000, interval: 200 }).toBe(true);
    for (let i = 0; i < 2; i++) {
      const r = await pollRound();
      await expect.poll(async () => (await finished(r)) && (await drained(t.ingest)), { timeout: 30_000, interval: 200 }).toBe(true);
    }
    expectOneDraftPerItem(await draftsBySource(t.redis, t.prefix), t.feeds.counts);
    const total = Object.values(t.feeds.counts).reduce((a, b) => a + b, 0);
    expect(await t.redis.zcard(t.keys.review)).toBe(total);
  });
});

const cli = (prefix: string, args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['bin/signal-desk.js', ...args], {
    env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: prefix, SIGNAL_DESK_ALLOW_PRIVATE: '127.0.0.1', SIGNAL_DESK_LOG_LEVEL: 'warn', SIGNAL_DESK_HOST_DELAY_MS: '0', ...env },
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('lost items: large feeds (issue 8, item 2)', () => {
  it('a 100,000-item feed through run --once becomes 100,000 drafts; the next run is a 304 with nothing lost', { timeout: 300_000 }, async () => {
    const t = await setup(['huge'], 100_000);
    const started = Date.now();
    const first = await cli(t.prefix, ['run', '--once', '--sources', t.file], { SIGNAL_DESK_MAX_BYTES: String(64 * 1024 * 1024), SIGNAL_DESK_FETCH_TIMEOUT_MS: '120000' });
    const ms = Date.now() - started;
    console.log(`100,000-item feed: run --once took ${ms} ms`);
    expect(first.code, first.stderr).toBe(0);
    expect(await t.redis.zcard(t.keys.review)).toBe(100_000);
    expect(await t.redis.zcard(t.keys.byAge('pending'))).toBe(100_000);
    expect(await countSeen(t.redis, t.keys, 'huge')).toBe(100_000);
    expect(await t.redis.hget(t.keys.sourceState('huge'), 'etag')).toBe('"huge-100000"');
    const second = await cli(t.prefix, ['run', '--once', '--sources', t.file], { SIGNAL_DESK_MAX_BYTES: String(64 * 1024 * 1024), SIGNAL_DESK_FETCH_TIMEOUT_MS: '120000' });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('not_modified');
    expect(await t.redis.zcard(t.keys.review)).toBe(100_000);
  });

  it('a large poll queued twice with the same items (a re-run after a crash) is one flow: one parent, one job per chunk', async () => {
    const t = await setup([], 0);
    const items = Array.from({ length: 2500 }, (_, i) => ({ key: `guid:${i}`, guid: `${i}`, url: `https://pub.example/${i}`, title: `Story ${i}`, author: null, publishedAt: null, updatedAt: null, categories: [], summary: null, itemHash: `h${i}`, urlHash: `u${i}` }));
    const data = { source: { id: 's', name: 'S', url: 'https://pub.example/feed', weight: 1, tags: [] }, discoveredAt: '2026-11-27T06:00:00.000Z', items };
    const plan = planIngest('p-s-1', data);
    expect(await queueIngest(t.ingest, plan)).toBe(plan.id);
    // The re-run's feed lists the same items in another order.
    expect(await queueIngest(t.ingest, planIngest('p-s-1', { ...data, items: [...items].reverse() }))).toBe(plan.id);
    expect(await t.ingest.getJobCounts('wait', 'waiting-children')).toEqual({ wait: 3, 'waiting-children': 1 });
    expect((await t.ingest.getJob(plan.id))!.name).toBe('ingest-poll');
    expect((await t.ingest.getWaiting()).map((j) => j.data.items.length).sort((a, b) => b - a)).toEqual([1000, 1000, 500]);
  });

  it('an ingest that fails for good shows in the health, clears the ETag, and the next poll refetches and drafts the items', { timeout: 120_000 }, async () => {
    const t = await setup(['broken'], 25);
    // A real failure inside the commit script: the review queue key holds a string (WRONGTYPE on ZADD).
    await t.redis.set(t.keys.review, 'not a sorted set');
    const first = await cli(t.prefix, ['run', '--once', '--sources', t.file]);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('ingest_failed');
    expect(await t.redis.hget(t.keys.sourceState('broken'), 'etag')).toBeNull();
    const status = await cli(t.prefix, ['sources', 'status', '--json', '--sources', t.file]);
    const [health] = JSON.parse(status.stdout) as { id: string; state: string; summary: string; lastCode: string }[];
    expect(health).toMatchObject({ id: 'broken', state: 'failing', lastCode: 'ingest_failed' });
    expect(health!.summary).toMatch(/drafts/);
    expect(health!.summary).toMatch(/WRONGTYPE/);
    const table = await cli(t.prefix, ['sources', 'status', '--sources', t.file]);
    expect(table.stdout).toMatch(/broken\s+failing/);

    // Repaired: the next poll sends no validators, gets the whole feed, and the drafts are written.
    await t.redis.del(t.keys.review);
    const requestsBefore = t.feeds.server.requests.length;
    const second = await cli(t.prefix, ['run', '--once', '--sources', t.file]);
    expect(second.code, second.stderr).toBe(0);
    expect(t.feeds.server.requests.slice(requestsBefore).map((r) => r.headers['if-none-match'] ?? null)).toEqual([null]);
    expect(await t.redis.zcard(t.keys.review)).toBe(25);
    const after = JSON.parse((await cli(t.prefix, ['sources', 'status', '--json', '--sources', t.file])).stdout) as { state: string }[];
    expect(after[0]!.state).toBe('ok');
    expect(await t.redis.hget(t.keys.sourceState('broken'), 'etag')).toBe('"broken-25"');
  });
});
