import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.ts';
import { seenDigests } from '../../src/dedupe/itemKey.ts';
import { recordCanonical } from '../../src/dedupe/recordCanonical.ts';
import { commitDrafts, COVERAGE_MAX } from '../../src/dedupe/seenStore.ts';
import { DraftSignal, type Coverage } from '../../src/drafts/schema.ts';
import { ageRank, reviewRank } from '../../src/drafts/score.ts';
import { toCoverageJson, toDraft, toStoredJson } from '../../src/drafts/toDraft.ts';
import type { FeedItem } from '../../src/parse/types.ts';
import { toJsonFeed } from '../../src/publish/feeds.ts';
import { toSignal } from '../../src/publish/signal.ts';
import { readSignals } from '../../src/publish/signalStore.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys, type Keys } from '../../src/queue/keys.ts';
import type { RedisClient } from '../../src/redisClient.ts';
import { Desk } from '../../src/review/desk.ts';
import { getAudit, getDraft, getDrafts } from '../../src/review/draftStore.ts';
import { EDITORIAL } from '../helpers/desk.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { source, withPipeline } from '../helpers/pipeline.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const editor = { name: 'ed', role: 'editor' as const };
const T0 = Date.parse('2026-11-27T10:00:00Z');

async function publish(redis: RedisClient, keys: Keys, id: string) {
  const desk = new Desk({ redis, keys, clock: fixedClock(T0), claimMs: 60_000 });
  const draft = (await getDraft(redis, keys, id))!;
  const edited = await desk.edit(editor, id, { version: draft.version, ...EDITORIAL });
  return desk.approve(editor, id, { version: edited.version });
}

describe('canonical identity across sources, end to end', () => {
  it('three feeds link one article (tracking parameters, clean, AMP cache): one draft, the two others as its coverage, counted as related; the signal links without tracking and lists them', async () => {
    const links: Record<string, string> = {
      '/a': 'https://news.example/story?id=7&amp;utm_source=rss&amp;utm_medium=feed&amp;fbclid=IwAR0abc',
      '/b': 'https://news.example/story?id=7',
      '/c': 'https://news-example.cdn.ampproject.org/c/s/news.example/story?id=7',
    };
    const server = await startServer((req, res) => {
      const link = links[req.url ?? ''];
      if (!link) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: `${req.url}-1`, title: `Story as told by ${req.url}`, link }]));
    });
    cleanups.push(() => server.close());
    await withPipeline([source('a', server.url('/a')), source('b', server.url('/b')), source('c', server.url('/c'))], async (p) => {
      const results = await p.once();
      expect(results.map((r) => r.newDrafts).sort()).toEqual([0, 0, 1]);
      const drafts = await p.drafts();
      expect(drafts).toHaveLength(1);
      const draft = drafts[0]!;
      expect(draft.link).toBe('https://news.example/story?id=7');
      // The two other sources, each once, with their own headline and cleaned link.
      expect(draft.coverage.map((c) => c.sourceId).sort()).toEqual(['a', 'b', 'c'].filter((id) => id !== draft.source.id));
      for (const c of draft.coverage) {
        expect(c.headline).toBe(`Story as told by /${c.sourceId}`);
        expect(c.sourceName).toBe(c.sourceId.toUpperCase());
        expect(c.link).toBe('https://news.example/story?id=7');
      }
      // Counted: the ingest jobs report it, and so does the items metric.
      const ingests = await p.runtime.ctx.queues.ingest.getCompleted();
      expect(ingests.reduce((n, j) => n + ((j.returnvalue as { related?: number }).related ?? 0), 0)).toBe(2);
      const metric = await p.runtime.ctx.metrics.items.get();
      expect(metric.values.find((v) => v.labels.kind === 'related')?.value).toBe(2);
      // The stored draft JSON never holds coverage: it is joined from its own list.
      const keys = createKeys(p.settings.prefix);
      const redis = p.runtime.ctx.redis;
      expect(JSON.parse((await redis.get(keys.draft(draft.id)))!)).not.toHaveProperty('coverage');
      expect(await redis.llen(keys.coverage(draft.id))).toBe(2);

      // Polled again: nothing new, no coverage twice.
      await p.once();
      expect((await p.drafts())[0]!.coverage).toHaveLength(2);

      // Published: the link carries no tracking parameter, related lists the two other sources.
      const { signal } = await publish(redis, keys, draft.id);
      expect(signal.link).toBe('https://news.example/story?id=7');
      expect(signal.related.map((r) => r.sourceName).sort()).toEqual(draft.coverage.map((c) => c.sourceName).sort());
      const [stored] = await readSignals(redis, keys, 1);
      expect(stored!.signal.related).toHaveLength(2);
      const feed = JSON.stringify(toJsonFeed([stored!.signal], { title: 't', baseUrl: 'https://desk.example' }));
      expect(feed).not.toMatch(/utm_|fbclid|ampproject/);
      // After the approval (a desk write), the coverage is still there and still not in the draft JSON.
      expect(JSON.parse((await redis.get(keys.draft(draft.id)))!)).not.toHaveProperty('coverage');
      expect((await getDraft(redis, keys, draft.id))!.coverage).toHaveLength(2);
    });
  });

  it('the same source listing the article twice (another guid) is a plain duplicate, never its own coverage', async () => {
    const server = await startServer((_req, res) =>
      res.writeHead(200).end(rss([
        { guid: 'one', title: 'Story', link: 'https://news.example/x?utm_source=rss' },
        { guid: 'two', title: 'Story again', link: 'https://news.example/x' },
      ])),
    );
    cleanups.push(() => server.close());
    await withPipeline([source('a', server.url('/a'))], async (p) => {
      const [r] = await p.once();
      expect(r).toMatchObject({ newDrafts: 1, duplicates: 1 });
      const drafts = await p.drafts();
      expect(drafts).toHaveLength(1);
      expect(drafts[0]!.coverage).toEqual([]);
    });
  });
});

/** Drafts committed the way the ingest worker does, on real Redis. */
function harness() {
  const prefix = testPrefix();
  const redis = createRedis(REDIS_URL);
  cleanups.push(() => dropPrefix(prefix), () => redis.quit());
  const keys = createKeys(prefix);
  let n = 0;
  const commit = async (sourceId: string, url: string, at = T0) => {
    const item: FeedItem = { key: `guid:${sourceId}-${++n}`, guid: `${sourceId}-${n}`, url, title: `Story from ${sourceId}`, author: null, publishedAt: null, updatedAt: null, categories: [], summary: null };
    const d = toDraft(item, { id: sourceId, name: sourceId.toUpperCase(), url: `https://${sourceId}.example/feed`, weight: 0.5, tags: [] }, new Date(at).toISOString());
    const [outcome] = await commitDrafts(redis, keys, sourceId, [{ ...seenDigests(item), draftId: d.id, rank: reviewRank(d.score, d.discoveredAt), age: ageRank(d.publishedAt, d.discoveredAt), json: toStoredJson(d), coverage: toCoverageJson(d) }], at, 90 * 86_400_000);
    return { id: d.id, outcome };
  };
  return { redis, keys, commit };
}

describe('recordCanonical (the enrich stage found the page\'s rel=canonical)', () => {
  it('folds a draft that came from an AMP path link into the draft of the canonical article: coverage moved, merged by "enrichment", out of the queue', async () => {
    const { redis, keys, commit } = harness();
    const a = await commit('a', 'https://news.example/2026/story.html');
    const b = await commit('b', 'https://news.example/amp/2026/story.html');
    expect([a.outcome, b.outcome]).toEqual(['created', 'created']);
    // A third source had linked B's AMP URL: coverage of B, which follows B into A.
    expect((await commit('c', 'https://news.example/amp/2026/story.html?utm_source=tw')).outcome).toBe('related');

    expect(await recordCanonical(redis, keys, a.id, 'https://news.example/2026/story.html', T0 + 1000)).toEqual({});
    expect(await recordCanonical(redis, keys, b.id, 'https://news.example/2026/story.html', T0 + 2000)).toEqual({ foldedInto: a.id });

    const [da, db] = await getDrafts(redis, keys, [a.id, b.id]);
    expect(db).toMatchObject({ status: 'merged', mergedInto: a.id, decision: { action: 'merge', by: 'enrichment' } });
    expect(da!.status).toBe('pending');
    expect(da!.coverage.map((c) => [c.sourceId, c.link])).toEqual([
      ['b', 'https://news.example/amp/2026/story.html'],
      ['c', 'https://news.example/amp/2026/story.html'],
    ]);
    expect(await redis.zrange(keys.review, 0, -1)).toEqual([a.id]);
    expect((await getAudit(redis, keys, b.id)).at(-1)).toMatchObject({ actor: 'enrichment', action: 'merge', into: a.id });

    // Retried (the enrich job ran twice): nothing appended twice, nothing changed.
    await recordCanonical(redis, keys, b.id, 'https://news.example/2026/story.html', T0 + 3000);
    expect((await getDraft(redis, keys, a.id))!.coverage).toHaveLength(2);
    expect((await getDraft(redis, keys, b.id))!.version).toBe(db!.version);

    // Both URLs keep their marks: a later item linking either one is coverage of A, never a new draft.
    expect((await commit('d', 'https://news.example/2026/story.html#top')).outcome).toBe('related');
    expect((await commit('e', 'https://news.example/amp/2026/story.html')).outcome).toBe('related');
    expect((await getDraft(redis, keys, a.id))!.coverage.map((c) => c.sourceId)).toEqual(['b', 'c', 'd', 'e']);
  });

  it('claims the canonical URL for a draft whose own link was a variant, so a later link to the canonical URL is its coverage', async () => {
    const { redis, keys, commit } = harness();
    const b = await commit('b', 'https://news.example/story.amp.html');
    expect(await recordCanonical(redis, keys, b.id, 'https://news.example/story.html', T0)).toEqual({});
    expect((await commit('a', 'https://news.example/story.html?utm_campaign=x')).outcome).toBe('related');
    expect((await getDraft(redis, keys, b.id))!.coverage.map((c) => c.sourceId)).toEqual(['a']);
  });

  it('never folds into a draft an editor already published: the variant stays in the queue and says who holds the article', async () => {
    const { redis, keys, commit } = harness();
    const a = await commit('a', 'https://news.example/p.html');
    const b = await commit('b', 'https://news.example/amp/p.html');
    await recordCanonical(redis, keys, a.id, 'https://news.example/p.html', T0);
    await publish(redis, keys, a.id);
    expect(await recordCanonical(redis, keys, b.id, 'https://news.example/p.html', T0 + 1000)).toEqual({ heldBy: { draftId: a.id, status: 'approved' } });
    expect((await getDraft(redis, keys, b.id))!.status).toBe('pending');
    expect((await getDraft(redis, keys, a.id))!.coverage).toEqual([]);
  });

  it('an item linking a draft an editor merged away becomes coverage of the draft it was merged into', async () => {
    const { redis, keys, commit } = harness();
    const a = await commit('a', 'https://news.example/one');
    const b = await commit('b', 'https://news.example/two');
    const desk = new Desk({ redis, keys, clock: fixedClock(T0), claimMs: 60_000 });
    await desk.merge(editor, b.id, { version: 1, into: a.id });
    expect((await commit('c', 'https://news.example/two')).outcome).toBe('related');
    expect((await getDraft(redis, keys, a.id))!.coverage.map((c) => c.sourceId)).toEqual(['c']);
    // The signal lists the editor's merge once, and the pipeline's coverage beside it.
    const { signal } = await publish(redis, keys, a.id);
    expect(signal.related.map((r) => r.sourceName)).toEqual(['B', 'C']);
  });

  it('caps a draft\'s coverage list', async () => {
    const { redis, keys, commit } = harness();
    const a = await commit('a', 'https://news.example/big');
    for (let i = 0; i < COVERAGE_MAX + 5; i++) await commit(`s${i}`, 'https://news.example/big');
    expect(await redis.llen(keys.coverage(a.id))).toBe(COVERAGE_MAX);
  });
});

describe('toSignal links', () => {
  const base = (over: Partial<DraftSignal>): DraftSignal => {
    const item: FeedItem = { key: 'k', guid: 'g', url: 'https://news.example/x?utm_source=rss&id=1', title: 'T', author: null, publishedAt: null, updatedAt: null, categories: [], summary: null };
    return { ...toDraft(item, { id: 's', name: 'S', url: 'https://s.example/feed', weight: 0.5, tags: [] }, new Date(T0).toISOString()), ...EDITORIAL, ...over } as DraftSignal;
  };
  const coverage = (sourceName: string, link: string): Coverage => ({ sourceId: sourceName.toLowerCase(), sourceName, headline: `${sourceName} story`, link, at: new Date(T0).toISOString(), publishedAt: null });

  it('links to the canonical URL the page declared, without tracking parameters', () => {
    const canonical = DraftSignal.shape.enrichment.parse({ state: 'done', canonicalUrl: { value: 'https://news.example/canonical?utm_medium=x', rule: 'link:canonical' } });
    expect(toSignal(base({ enrichment: canonical }), new Date(T0).toISOString(), 'ed').link).toBe('https://news.example/canonical');
  });

  it('without one, links to the feed link with tracking parameters removed (also for a draft stored before links were cleaned)', () => {
    expect(toSignal(base({}), new Date(T0).toISOString(), 'ed').link).toBe('https://news.example/x?id=1');
    expect(toSignal(base({ link: 'https://news.example/x?fbclid=1&b=2&a=1' }), new Date(T0).toISOString(), 'ed').link).toBe('https://news.example/x?b=2&a=1');
  });

  it('lists coverage after editor merges, less the sources a merge already lists', () => {
    const d = base({
      related: [{ draftId: 'd_AAAAAAAAAAAAAAAA', headline: 'Merged', sourceName: 'M', link: 'https://m.example/a' }],
      coverage: [coverage('M', 'https://m.example/other'), coverage('N', 'https://m.example/a?utm_source=x'), coverage('O', 'https://o.example/a?gclid=1')],
    });
    expect(toSignal(d, new Date(T0).toISOString(), 'ed').related).toEqual([
      { headline: 'Merged', sourceName: 'M', link: 'https://m.example/a' },
      { headline: 'N story', sourceName: 'N', link: 'https://m.example/a' },
      { headline: 'O story', sourceName: 'O', link: 'https://o.example/a' },
    ]);
  });
});
