import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seenDigests } from '../../src/dedupe/itemKey.ts';
import { recordCanonical } from '../../src/dedupe/recordCanonical.ts';
import { commitDrafts } from '../../src/dedupe/seenStore.ts';
import { ageRank, reviewRank } from '../../src/drafts/score.ts';
import { toCoverageJson, toDraft, toStoredJson } from '../../src/drafts/toDraft.ts';
import type { FeedItem } from '../../src/parse/types.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { getDraft, getDrafts } from '../../src/review/draftStore.ts';
import { haveRedisBinaries, startLocalCluster, type LocalCluster } from '../helpers/cluster.ts';
import { testPrefix } from '../helpers/redis.ts';

// The coverage writes (commit script, canonical claim and fold) and the joined reads declare every key they
// touch, so they run on Redis Cluster as on one server.
const available = haveRedisBinaries();
if (!available) console.warn('coverage cluster test: SKIPPED, redis-server and redis-cli are not installed (apt-get install redis-server)');

describe.skipIf(!available)('related coverage on a real Redis Cluster (three masters)', () => {
  let cluster: LocalCluster;
  beforeAll(async () => {
    cluster = await startLocalCluster();
  }, 30_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('commits coverage, claims and folds canonical URLs, joins coverage on read', { timeout: 60_000 }, async () => {
    const redis = createRedis(cluster.url);
    const keys = createKeys(testPrefix());
    const now = Date.parse('2026-11-27T10:00:00Z');
    let n = 0;
    const commit = async (sourceId: string, url: string) => {
      const item: FeedItem = { key: `guid:${++n}`, guid: `${n}`, url, title: `Story ${n}`, author: null, publishedAt: null, updatedAt: null, categories: [], summary: null };
      const d = toDraft(item, { id: sourceId, name: sourceId, url: `https://${sourceId}.example/feed`, weight: 0.5, tags: [] }, new Date(now).toISOString());
      const [outcome] = await commitDrafts(redis, keys, sourceId, [{ ...seenDigests(item), draftId: d.id, rank: reviewRank(d.score, d.discoveredAt), age: ageRank(d.publishedAt, d.discoveredAt), json: toStoredJson(d), coverage: toCoverageJson(d) }], now, 86_400_000);
      return { id: d.id, outcome };
    };
    try {
      const a = await commit('a', 'https://news.example/x');
      expect((await commit('b', 'https://news.example/x?utm_source=rss')).outcome).toBe('related');
      const c = await commit('c', 'https://news.example/amp/x');
      expect(await recordCanonical(redis, keys, c.id, 'https://news.example/x', now)).toEqual({ foldedInto: a.id });
      const [da] = await getDrafts(redis, keys, [a.id]);
      expect(da!.coverage.map((e) => e.sourceId)).toEqual(['b', 'c']);
      expect((await getDraft(redis, keys, c.id))!.status).toBe('merged');
    } finally {
      await redis.quit();
    }
  });
});
