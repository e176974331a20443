import { afterEach, describe, expect, it } from 'vitest';
import { seenDigests } from '../../src/dedupe/itemKey.ts';
import { commitDrafts, partitionSeen } from '../../src/dedupe/seenStore.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { startServer } from '../helpers/httpServer.ts';
import { source, withPipeline } from '../helpers/pipeline.ts';
import { countSeen, seenAt } from '../helpers/seen.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';

const DAY = 86_400_000;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('the seen index', () => {
  it('forgets items unseen for longer than the retention window, keeps those still sighted, never re-drafts', async () => {
    const prefix = testPrefix();
    const redis = createRedis(REDIS_URL);
    cleanups.push(() => dropPrefix(prefix), () => redis.quit());
    const keys = createKeys(prefix);
    const record = (key: string) => ({ ...seenDigests({ key, url: `https://pub.example/${key}` }), draftId: `d_${key.padEnd(16, '0')}`, rank: 1, age: 1, json: `{"k":"${key}"}` });
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const retention = 90 * DAY;

    expect(await commitDrafts(redis, keys, 'src', [record('evergreen'), record('onetime')], t0, retention)).toEqual(['created', 'created']);
    // Day 60: the evergreen item is still in the feed; its sighting is refreshed.
    expect(await partitionSeen(redis, keys, 'src', [seenDigests({ key: 'evergreen', url: 'https://pub.example/evergreen' })], t0 + 60 * DAY)).toEqual([true]);
    // Day 100: the one-time item has not been sighted for 100 days and is forgotten; the evergreen one stays.
    await commitDrafts(redis, keys, 'src', [record('later')], t0 + 100 * DAY, retention);
    expect(await countSeen(redis, keys, 'src')).toBe(2);
    expect(await seenAt(redis, keys, 'src', record('onetime').itemHash)).toBeNull();
    expect(await seenAt(redis, keys, 'src', record('evergreen').itemHash)).not.toBeNull();
    // Forgotten is not re-drafted: its draft still exists, so the commit makes no second one.
    expect(await commitDrafts(redis, keys, 'src', [record('onetime')], t0 + 101 * DAY, retention)).toEqual(['duplicate']);
    expect(await redis.zcard(keys.review)).toBe(3);
  });
});

describe('de-duplication across sources and bad job data', () => {
  it('the same article (tracking parameters aside) from two sources makes one draft, the other source as its coverage', async () => {
    const server = await startServer((req, res) => {
      const link = req.url === '/a' ? 'https://pub.example/story?utm_source=a' : 'https://PUB.example/story?utm_medium=rss#top';
      res.writeHead(200).end(`<rss version="2.0"><channel><title>t</title><item><guid>${req.url}-1</guid><title>Story</title><link>${link}</link></item></channel></rss>`);
    });
    cleanups.push(() => server.close());
    await withPipeline([source('a', server.url('/a')), source('b', server.url('/b'))], async (p) => {
      const results = await p.once();
      expect(results.map((r) => r.newDrafts).sort()).toEqual([0, 1]);
      const drafts = await p.drafts();
      expect(drafts).toHaveLength(1);
      expect(drafts[0]!.coverage).toHaveLength(1);
      expect(drafts[0]!.coverage[0]!.sourceId).not.toBe(drafts[0]!.source.id);
    });
  });

  it('a job whose data does not match its schema fails at once, naming the field', async () => {
    await withPipeline([], async (p) => {
      const job = await p.runtime.ctx.queues.poll.add('poll', { source: 'oops' }, { attempts: 3 });
      await expect.poll(() => job.getState(), { timeout: 5000 }).toBe('failed');
      const failed = await p.runtime.ctx.queues.poll.getJob(job.id!);
      expect(failed!.attemptsMade).toBe(1);
      expect(failed!.failedReason).toMatch(/poll job data is invalid: sourceId/);
    });
  });
});
