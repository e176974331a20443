import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Desk } from '../../src/review/desk.ts';
import { fixedClock } from '../../src/clock.ts';
import { listReview } from '../../src/review/reviewStore.ts';
import { runOnce } from '../../src/queue/runOnce.ts';
import { syncSources } from '../../src/schedule/chain.ts';
import { startRuntime } from '../../workers/runtime.ts';
import { haveRedisBinaries, startLocalCluster, type LocalCluster } from '../helpers/cluster.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { source } from '../helpers/pipeline.ts';
import { testPrefix, testSettings } from '../helpers/redis.ts';

const available = haveRedisBinaries();
if (!available) console.warn('cluster test: SKIPPED, redis-server and redis-cli are not installed (apt-get install redis-server)');

describe.skipIf(!available)('on a real Redis Cluster (three masters)', () => {
  let cluster: LocalCluster;
  beforeAll(async () => {
    cluster = await startLocalCluster();
  }, 30_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('polls, de-duplicates, drafts, schedules and publishes: every multi-key script stays in one slot', { timeout: 60_000 }, async () => {
    const server = await startServer((req, res) => res.writeHead(200).end(rss([1, 2, 3].map((i) => ({ guid: `${req.url}-${i}`, title: `Story ${i} of ${req.url}`, link: `https://pub.example${req.url}/${i}` })))));
    const settings = testSettings(testPrefix(), { REDIS_URL: cluster.url });
    const sources = [source('one', server.url('/one')), source('two', server.url('/two'))];
    const runtime = await startRuntime(settings, sources);
    try {
      const first = await runOnce(runtime.ctx, sources);
      expect(first.map((s) => [s.sourceId, s.outcome, s.newDrafts])).toEqual([['one', 'ok', 3], ['two', 'ok', 3]]);
      const again = await runOnce(runtime.ctx, sources);
      expect(again.map((s) => s.newDrafts)).toEqual([0, 0]);

      const { redis, keys, queues } = runtime.ctx;
      const drafts = await listReview(redis, keys, 100);
      expect(drafts).toHaveLength(6);

      // The desk's write scripts (claim, versioned apply with the stream append).
      const desk = new Desk({ redis, keys, clock: fixedClock(Date.now()), claimMs: 60_000 });
      const editor = { name: 'ed', role: 'editor' as const };
      const id = drafts[0]!.id;
      await desk.claim(editor, id);
      const edited = await desk.edit(editor, id, { version: 1, category: 'Infra', horizon: 'Short term', whyNow: 'Now.', whyImportant: 'Because.', editorialConfidence: 90, structuralImpact: 30 });
      await desk.approve(editor, id, { version: edited.version });
      expect(await redis.xlen(keys.signals)).toBe(1);
      // The search index's scripts (rebuild, query) and facets, in the same slot.
      // (The approval merged the draft's story's other pending members: search each status.)
      for (const status of ['pending', 'approved', 'merged'] as const) {
        const ids = await redis.zrange(keys.byScore(status), 0, -1);
        expect((await desk.list(editor, { q: 'stor', status })).drafts.map((d) => d.id).sort(), status).toEqual(ids.sort());
        const two = (await desk.list(editor, { q: 'stor', source: 'two', status })).drafts;
        expect(two.every((d) => d.source.id === 'two'), status).toBe(true);
      }
      expect((await desk.list(editor, { q: 'stor', source: 'two', status: 'merged' })).drafts.length + (await desk.list(editor, { q: 'stor', source: 'two', status: 'approved' })).drafts.length).toBe(3);
      expect((await desk.facets(editor, { status: 'merged' })).sources.map((s) => s.id).sort()).toEqual(['one', 'two']);

      // Chains of polls.
      const report = await syncSources({ redis, keys, queue: queues.poll, settings, now: Date.now(), random: () => 0 }, sources);
      expect(report.started.sort()).toEqual(['one', 'two']);
    } finally {
      await runtime.stop();
      await server.close();
    }
  });
});
