import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import type { DraftSignal } from '../../src/drafts/schema.ts';
import { getDrafts } from '../../src/review/draftStore.ts';
import { DOCS_FIELD } from '../../src/stories/redisStore.ts';
import { StoryRecord } from '../../src/stories/storyRecord.ts';
import type { Keys } from '../../src/queue/keys.ts';
import type { Redis } from 'ioredis';
import { rss, startServer, type TestServer } from '../helpers/httpServer.ts';
import { drained, workerRig, writeSourcesFile, type WorkerRig } from '../helpers/workerProcess.ts';

// Issue 10, item 1: story decisions stay correct with many worker processes. Real `signal-desk run` processes,
// real Redis, local publishers. The stories queue runs at BullMQ global concurrency 1, so one decision at a time
// across every process; these tests prove the outcome, not the mechanism.

const FAST = { SIGNAL_DESK_LOCK_MS: '1000', SIGNAL_DESK_STALLED_MS: '500', SIGNAL_DESK_ENRICH: 'off' };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

type Item = { guid: string; title: string; link: string; description: string };

function feed(items: Item[]): string {
  // rss() has no description; the excerpt is what the clusterer reads besides the headline.
  return rss(items).replace(/<item>(.*?)<\/item>/gs, (whole, inner: string) => {
    const item = items.find((i) => inner.includes(`<guid>${i.guid}</guid>`));
    return item ? `<item>${inner}<description>${item.description}</description></item>` : whole;
  });
}

async function publishers(feeds: Record<string, (origin: string) => Item[]>): Promise<{ servers: TestServer[]; file: string }> {
  const servers: TestServer[] = [];
  const sources: { id: string; url: string }[] = [];
  for (const [id, items] of Object.entries(feeds)) {
    let origin = '';
    const server = await startServer((req, res) => {
      if (req.url === '/robots.txt') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed(items(origin)));
    });
    origin = server.origin;
    servers.push(server);
    sources.push({ id, url: server.url('/feed.xml') });
  }
  return { servers, file: writeSourcesFile(sources) };
}

function stories(t: WorkerRig): Queue {
  const q = new Queue('stories', { connection: t.redis, prefix: t.prefix });
  cleanup.push(() => q.close());
  return q;
}

async function allDrafts(redis: Redis, keys: Keys): Promise<DraftSignal[]> {
  return getDrafts(redis, keys, await redis.zrange(keys.review, 0, -1));
}

async function storyRecords(redis: Redis, prefix: string): Promise<StoryRecord[]> {
  const keys = await redis.keys(`${prefix}:story:*`);
  const raw = keys.length ? await redis.mget(...keys) : [];
  return raw.map((json) => StoryRecord.parse(JSON.parse(json!)));
}

/** Every draft in exactly one story record, listed once, and the record is the story its draft names. */
function expectConsistent(drafts: DraftSignal[], records: StoryRecord[]): void {
  const listed = records.flatMap((r) => r.members.map((m) => ({ story: r.id, draftId: m.draftId })));
  expect(listed.map((l) => l.draftId).sort()).toEqual(drafts.map((d) => d.id).sort());
  for (const d of drafts) expect(listed.find((l) => l.draftId === d.id)?.story).toBe(d.story?.id);
}

const HEADLINE = 'Nvidia unveils Blackwell Ultra GPU for AI data centers';
const EXCERPT = 'Nvidia on Tuesday unveiled its Blackwell Ultra GPU for AI data centers at its GTC developer conference in San Jose, California.';

describe('story decisions across worker processes', () => {
  it('two processes, two items of one story from two publishers at the same moment: one story, not two', { timeout: 120_000 }, async () => {
    // The same event, as two publishers word it identically (headline and excerpt), each on its own site. The
    // same link would not do: ingest folds one publisher's item into the other's draft as related coverage.
    const pubs = await publishers({
      wire: (o) => [{ guid: 'w1', title: HEADLINE, link: `${o}/2026/nvidia-blackwell-ultra`, description: EXCERPT }],
      daily: (o) => [{ guid: 'd1', title: HEADLINE, link: `${o}/tech/nvidia-unveils-blackwell-ultra`, description: EXCERPT }],
    });
    const t = workerRig(pubs.file, { ...FAST, SIGNAL_DESK_POLL_CONCURRENCY: '1' });
    const q = stories(t);
    cleanup.push(async () => {
      await t.close();
      await Promise.all(pubs.servers.map((s) => s.close()));
    });
    t.spawn();
    t.spawn();
    await expect.poll(async () => (await q.getWorkers()).length, { timeout: 30_000, interval: 100 }).toBe(2);
    expect(await q.getGlobalConcurrency()).toBe(1);

    // Both story jobs are queued before either is taken: when the queue resumes, both processes reach for them at once.
    await q.pause();
    await t.poll.addBulk([
      { name: 'poll', data: { sourceId: 'wire' }, opts: { jobId: 'race-wire' } },
      { name: 'poll', data: { sourceId: 'daily' }, opts: { jobId: 'race-daily' } },
    ]);
    await expect.poll(async () => q.getWaitingCount(), { timeout: 40_000, interval: 100 }).toBe(2);
    await q.resume();
    await expect.poll(async () => (await q.getCompletedCount()) === 2 && (await drained(q)), { timeout: 40_000, interval: 200 }).toBe(true);

    const drafts = await allDrafts(t.redis, t.keys);
    expect(drafts.map((d) => d.source.id).sort()).toEqual(['daily', 'wire']);
    const records = await storyRecords(t.redis, t.prefix);
    expectConsistent(drafts, records);
    // The outcome: one story holding both publishers' items.
    expect(new Set(drafts.map((d) => d.story?.id)).size).toBe(1);
    expect(records).toHaveLength(1);
    expect(records[0]!.members.map((m) => m.sourceId).sort()).toEqual(['daily', 'wire']);
  });

  it.each(['stories.afterPlace', 'stories.afterRecord'])('killed at %s: the retry places every draft once, no duplicate story or member', { timeout: 120_000 }, async (failpoint) => {
    const pubs = await publishers({
      wire: (o) => [
        { guid: 'w1', title: 'Samsung starts mass production of HBM4 memory', link: `${o}/a/1`, description: 'Samsung Electronics began mass production of HBM4 memory chips at its Pyeongtaek plant.' },
        { guid: 'w2', title: 'Dutch court rules on ASML export licences', link: `${o}/a/2`, description: 'A court in The Hague ruled on export licences for ASML lithography machines bound for China.' },
      ],
    });
    const t = workerRig(pubs.file, FAST);
    const q = stories(t);
    cleanup.push(async () => {
      await t.close();
      await Promise.all(pubs.servers.map((s) => s.close()));
    });
    const doomed = t.spawn({ SIGNAL_DESK_FAILPOINTS: failpoint });
    await t.poll.add('poll', { sourceId: 'wire' }, { jobId: 'poll-wire' });
    expect((await doomed.exited).signal).toBe('SIGKILL');
    // Killed in the middle of its story job: the decision (and at afterRecord the story record) written, the draft not.
    const before = await allDrafts(t.redis, t.keys);
    expect(before).toHaveLength(2);
    expect(before.every((d) => d.story === null)).toBe(true);
    expect(await t.redis.keys(`${t.prefix}:story-item:*`)).toHaveLength(1);

    t.spawn();
    await expect.poll(async () => (await q.getCompletedCount()) === 1 && (await drained(q)), { timeout: 40_000, interval: 200 }).toBe(true);
    const drafts = await allDrafts(t.redis, t.keys);
    expect(drafts.every((d) => d.story !== null)).toBe(true);
    const records = await storyRecords(t.redis, t.prefix);
    expectConsistent(drafts, records);
    expect(records.map((r) => r.members.length)).toEqual([1, 1]);
    expect(records.every((r) => r.members[0]!.why === 'started the story')).toBe(true);
    // The clusterer's document count saw each draft once, the crashed attempt's included.
    expect(await t.redis.hget(t.keys.storyDf, DOCS_FIELD)).toBe('2');
    for (const d of drafts) expect(await t.redis.get(t.keys.storyItem(d.id))).toBe(d.story!.id);
    // Each draft's story was written once (one "story" audit entry each).
    for (const d of drafts) {
      const audit = (await t.redis.lrange(t.keys.audit(d.id), 0, -1)).map((e) => JSON.parse(e) as { actor: string; action: string });
      expect(audit.filter((e) => e.actor === 'stories' && e.action === 'story')).toHaveLength(1);
    }
  });

  it.each([
    ['ingest.afterCommit', 0],
    ['ingest.afterAnnotateQueued', 1],
  ])('killed at %s: the retried ingest queues the annotate job once (the same id), each draft is placed once', { timeout: 120_000 }, async (failpoint, queuedBeforeKill) => {
    const pubs = await publishers({
      wire: (o) => [
        { guid: 'w1', title: 'Arm unveils a new server chip design', link: `${o}/c/1`, description: 'Arm showed a new server chip design for data centers.' },
        { guid: 'w2', title: 'Micron raises its memory price outlook', link: `${o}/c/2`, description: 'Micron raised its outlook for memory prices next quarter.' },
      ],
    });
    const t = workerRig(pubs.file, FAST);
    const q = stories(t);
    const annotate = new Queue('annotate', { connection: t.redis, prefix: t.prefix });
    cleanup.push(async () => {
      await annotate.close();
      await t.close();
      await Promise.all(pubs.servers.map((s) => s.close()));
    });
    // Annotate jobs wait until the retry has run: the killed attempt's annotate job (if it queued one) is still there.
    await annotate.pause();
    const doomed = t.spawn({ SIGNAL_DESK_FAILPOINTS: failpoint });
    await t.poll.add('poll', { sourceId: 'wire' }, { jobId: 'poll-wire' });
    expect((await doomed.exited).signal).toBe('SIGKILL');
    expect(await annotate.getWaitingCount()).toBe(queuedBeforeKill);

    t.spawn();
    await expect.poll(async () => t.ingest.getCompletedCount(), { timeout: 40_000, interval: 200 }).toBe(1);
    expect(await annotate.getJobCountByTypes('waiting', 'completed', 'active', 'delayed')).toBe(1);
    await annotate.resume();
    await expect.poll(async () => (await q.getCompletedCount()) === 1 && (await drained(q)) && (await drained(annotate)), { timeout: 40_000, interval: 200 }).toBe(true);
    const drafts = await allDrafts(t.redis, t.keys);
    expect(drafts).toHaveLength(2);
    expect(drafts.every((d) => d.story !== null)).toBe(true);
    expectConsistent(drafts, await storyRecords(t.redis, t.prefix));
  });
});
