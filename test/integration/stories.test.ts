import type { IncomingMessage, ServerResponse } from 'node:http';
import { Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { reviewRank } from '../../src/drafts/score.ts';
import type { DraftSignal } from '../../src/drafts/schema.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { StoryResult } from '../../src/queue/jobs.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { runOnce } from '../../src/queue/runOnce.ts';
import { getAudit, getDrafts } from '../../src/review/draftStore.ts';
import { storyJobId } from '../../src/stories/queueStories.ts';
import { getStoryRecords } from '../../src/stories/storyRecords.ts';
import { formatSummary } from '../../src/cli/commands/run.ts';
import { startServer, type TestServer } from '../helpers/httpServer.ts';
import { source, withPipeline, type Pipeline } from '../helpers/pipeline.ts';

// Issue 10: the story stage in the workers, end to end on real Redis: ingest → annotate → stories.

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

type Item = { guid: string; title: string; path: string; description: string };

/** A publisher whose feed (at /feed.xml) the test changes; pages by path, each answered by `page` (default: an article). */
async function publisher(items: Item[], page?: (path: string) => Promise<string | undefined>): Promise<TestServer & { items: Item[] }> {
  let origin = '';
  const server = await startServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (path === '/robots.txt') return void res.writeHead(404).end();
    if (path === '/feed.xml') {
      const body = `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${origin}/</link>${items
        .map((i) => `<item><title>${i.title}</title><link>${origin}${i.path}</link><guid>${i.guid}</guid><description>${i.description}</description></item>`)
        .join('')}</channel></rss>`;
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body);
    }
    void (async () => {
      const html = (await page?.(path)) ?? `<!doctype html><html lang="en"><head><title>Page</title></head><body><p>Body.</p></body></html>`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    })();
  });
  origin = server.origin;
  servers.push(server);
  return Object.assign(server, { items });
}

async function drafts(p: Pipeline): Promise<Map<string, DraftSignal>> {
  const { redis, keys } = p.runtime.ctx;
  const all = await getDrafts(redis, keys, await redis.zrange(keys.review, 0, -1));
  return new Map(all.map((d) => [d.link ? new URL(d.link).pathname : d.id, d]));
}

const OFF = { SIGNAL_DESK_ENRICH: 'off' };

describe('the story stage in the workers', () => {
  it('places each new draft in a story: the draft names it, the story lists it with why, run --once counts it, the desk hears of it', async () => {
    const pub = await publisher([
      { guid: 'a', title: 'Samsung starts mass production of HBM4 memory', path: '/a', description: 'Samsung Electronics began mass production of HBM4 memory chips.' },
      { guid: 'b', title: 'Dutch court rules on ASML export licences', path: '/b', description: 'A court in The Hague ruled on export licences for ASML machines.' },
    ]);
    await withPipeline([source('wire', pub.url('/feed.xml'))], async (p) => {
      const { redis, keys, queues } = p.runtime.ctx;
      expect(await queues.stories.getGlobalConcurrency()).toBe(1);
      const listener = redis.duplicate();
      const events: { type: string; draftId: string; storyId: string }[] = [];
      await listener.subscribe(keys.deskEvents);
      listener.on('message', (_c, m: string) => events.push(JSON.parse(m) as (typeof events)[number]));
      try {
        const [summary] = await p.once();
        expect(summary).toMatchObject({ newDrafts: 2, stories: 2, storyPending: 0, dropped: {} });
        expect(formatSummary([summary!])).toMatch(/stories.*dropped/);

        const byPath = await drafts(p);
        const a = byPath.get('/a')!;
        expect(a.story).toEqual({ id: expect.stringMatching(/^s_/), pinned: false, blocked: [] });
        const records = await getStoryRecords(redis, keys, [...byPath.values()].map((d) => d.story!.id));
        expect(records.size).toBe(2);
        expect(records.get(a.story!.id)!.members).toEqual([
          { draftId: a.id, sourceId: 'wire', sourceName: 'WIRE', headline: a.headline, link: a.link, addedAt: expect.any(String), publishedAt: a.publishedAt, why: 'started the story' },
        ]);
        // A system write: audited as the story stage, the review index rank follows the score.
        expect((await getAudit(redis, keys, a.id)).filter((e) => e.actor === 'stories').map((e) => e.action)).toEqual(['story']);
        expect(Number(await redis.zscore(keys.byScore('pending'), a.id))).toBe(reviewRank(a.score, a.discoveredAt));
        await expect.poll(() => events.filter((e) => e.type === 'story').map((e) => e.draftId).sort(), { timeout: 5000 }).toEqual([...byPath.values()].map((d) => d.id).sort());
        expect(events.find((e) => e.type === 'story' && e.draftId === a.id)?.storyId).toBe(a.story!.id);
      } finally {
        await listener.quit();
      }
    }, OFF);
  });

  it('a story job run again (a redelivery, a second queueing) changes nothing: every draft already has its story', async () => {
    const pub = await publisher([{ guid: 'a', title: 'TSMC opens its Arizona fab', path: '/a', description: 'TSMC opened its first Arizona fab on Tuesday.' }]);
    await withPipeline([source('wire', pub.url('/feed.xml'))], async (p) => {
      const { queues } = p.runtime.ctx;
      await p.once();
      const [a] = [...(await drafts(p)).values()];
      // The same drafts under the same id: BullMQ keeps one job.
      expect((await queues.stories.getJob(storyJobId([a!.id], 'new')))?.data).toEqual({ draftIds: [a!.id], reason: 'new' });
      const again = await queues.stories.add('stories', { draftIds: [a!.id], reason: 'new' }, { jobId: 'redelivered' });
      const result = StoryResult.parse(await waitDone(p, again));
      expect(result).toEqual({ assigned: [], skipped: 1 });
      const [after] = [...(await drafts(p)).values()];
      expect(after).toEqual(a);
      expect((await getStoryRecords(p.runtime.ctx.redis, p.runtime.ctx.keys, [a!.story!.id])).get(a!.story!.id)!.members).toHaveLength(1);
    }, OFF);
  });

  it('an enriched draft is annotated and placed again; alone in its story, it moves to the story its page matches', { timeout: 60_000 }, async () => {
    // B's headline says little; its page's description says what A says. B is placed before its page is read
    // (the page answers once B has a story), then re-placed with the page's description and keywords.
    let pipeline: Pipeline | undefined;
    const pageOf: Record<string, string> = {};
    const pub = await publisher(
      [{ guid: 'a', title: 'Nvidia unveils Blackwell Ultra GPU for AI data centers', path: '/a', description: 'Nvidia unveiled its Blackwell Ultra GPU for AI data centers at its GTC conference in San Jose.' }],
      async (path) => {
        if (path === '/b' && pipeline) {
          const keys = createKeys(pipeline.settings.prefix);
          const redis = createRedis(pipeline.settings.redisUrl);
          try {
            for (let i = 0; i < 200; i++) {
              const all = await getDrafts(redis, keys, await redis.zrange(keys.review, 0, -1));
              if (all.find((d) => d.link?.endsWith('/b'))?.story) break;
              await new Promise((r) => setTimeout(r, 50));
            }
          } finally {
            await redis.quit();
          }
        }
        return pageOf[path];
      },
    );
    pageOf['/b'] = `<!doctype html><html lang="en"><head><title>Keynote</title><meta name="description" content="Nvidia unveiled its Blackwell Ultra GPU for AI data centers at its GTC conference in San Jose."><meta name="keywords" content="Nvidia, Blackwell Ultra, GPU, GTC"></head><body><p>Body.</p></body></html>`;
    await withPipeline([source('wire', pub.url('/feed.xml')), source('daily', pub.url('/feed.xml'))], async (p) => {
      pipeline = p;
      await runOnce(p.runtime.ctx, [source('wire', pub.url('/feed.xml'))]);
      const a = (await drafts(p)).get('/a')!;
      pub.items.splice(0, 1, { guid: 'b', title: 'What we saw in San Jose this week', path: '/b', description: 'Our reporter was in the room.' });
      const [summary] = await runOnce(p.runtime.ctx, [source('daily', pub.url('/feed.xml'))]);
      expect(summary).toMatchObject({ newDrafts: 1, enriched: 1 });
      const { queues, redis, keys } = p.runtime.ctx;
      const b0 = (await drafts(p)).get('/b')!;
      // Annotated again with its page, then placed again.
      await expect.poll(async () => (await queues.stories.getJob(storyJobId([b0.id], 'enriched')))?.isCompleted() ?? false, { timeout: 20_000, interval: 100 }).toBe(true);
      const b = (await drafts(p)).get('/b')!;
      expect(b.enrichment?.state).toBe('done');
      expect(b.story?.id).toBe(a.story!.id);
      const records = await getStoryRecords(redis, keys, [a.story!.id, `s_${b.id.slice(2)}`]);
      expect(records.get(a.story!.id)!.members.map((m) => m.draftId)).toEqual([a.id, b.id]);
      expect(records.has(`s_${b.id.slice(2)}`)).toBe(false);
    }, { SIGNAL_DESK_ENRICH: 'on' });
  });
});

async function waitDone(p: Pipeline, job: Job): Promise<unknown> {
  for (let i = 0; i < 200; i++) {
    const j = await Job.fromId(p.runtime.ctx.queues.stories, job.id!);
    if (j && (await j.isCompleted())) return j.returnvalue;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('story job did not finish');
}
