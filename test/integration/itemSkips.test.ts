import { PassThrough } from 'node:stream';
import { QueueEvents } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { formatSkipNote, formatSummary, pollOnce } from '../../src/cli/commands/run.ts';
import { parseFeed } from '../../src/parse/parseFeed.ts';
import { INGEST_QUEUE, IngestResult, type IngestJobData } from '../../src/queue/jobs.ts';
import { readHealth } from '../../src/schedule/healthStore.ts';
import { startServer, type TestServer } from '../helpers/httpServer.ts';
import { source, withPipeline, type Pipeline } from '../helpers/pipeline.ts';

// The parser reports every item; the draft stage skips an item with neither a title nor a link and counts it,
// once, in run --once's table, the metric and the source's health.

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const FEED = (origin: string) => `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${origin}/</link>
<item><title>Chip maker opens a plant</title><link>${origin}/a</link><guid>a</guid></item>
<item><category>Sport</category><pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate></item>
<item><description>&lt;p&gt;&lt;img src="/x.png"&gt;&lt;/p&gt;&lt;p&gt; &lt;/p&gt;</description><pubDate>Tue, 01 Dec 2026 11:00:00 GMT</pubDate></item>
<item><title>Court rules on export licences</title><link>${origin}/b</link><guid>b</guid></item>
</channel></rss>`;

/** A publisher whose feed changes its ETag on every request while its items stay the same. */
async function publisher(): Promise<TestServer & { body: () => string }> {
  let origin = '';
  let n = 0;
  const server = await startServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (path === '/feed.xml') return void res.writeHead(200, { 'content-type': 'application/rss+xml', etag: `"v${++n}"` }).end(FEED(origin));
    res.writeHead(404).end();
  });
  origin = server.origin;
  servers.push(server);
  return Object.assign(server, { body: () => FEED(origin) });
}

async function skippedMetric(p: Pipeline): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  return (await p.runtime.ctx.metrics.itemsSkipped.get()).values.map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value }));
}

const OFF = { SIGNAL_DESK_ENRICH: 'off' };

describe('items that cannot be signals are skipped by the draft stage, and counted once', () => {
  it('a category-only and a markup-only item: parsed, skipped with "no title or link", counted in run --once, health and the metric; a second poll adds nothing', async () => {
    const pub = await publisher();
    const parsed = await parseFeed(Buffer.from(pub.body()), { url: pub.url('/feed.xml') });
    expect(parsed.items).toHaveLength(4);
    expect(parsed.skipped).toBe(0);
    expect(parsed.items.map((i) => i.key)).toEqual(['guid:a', expect.stringMatching(/^content:/), expect.stringMatching(/^content:/), 'guid:b']);
    expect(parsed.items[1]).toMatchObject({ title: null, url: null, summary: null, categories: ['Sport'] });
    expect(parsed.items[2]).toMatchObject({ title: null, url: null, summary: null });

    const wire = source('wire', pub.url('/feed.xml'));
    await withPipeline([wire], async (p) => {
      const { redis, keys, clock } = p.runtime.ctx;
      const out = new PassThrough();
      let printed = '';
      out.on('data', (c: Buffer) => (printed += c.toString()));
      expect(await pollOnce(p.runtime, [wire], out)).toBe(0);

      const drafts = await p.drafts();
      expect(drafts.map((d) => d.title).sort()).toEqual(['Chip maker opens a plant', 'Court rules on export licences']);
      const [header, , row] = printed.split('\n');
      const at = header!.indexOf(' skipped ') + 1;
      expect(at).toBeGreaterThan(0);
      expect(row!.slice(at, at + 'skipped'.length).trim()).toBe('2');
      expect(printed).toContain('skipped: no title or link 2\n');

      const health = async () => (await readHealth(redis, keys, [wire], clock.now()))[0]!;
      expect(await health()).toMatchObject({ skippedItems24h: 2, skippedItems7d: 2, skippedByReason: { no_title_or_link: 2 } });
      expect(await skippedMetric(p)).toEqual([{ labels: { source: 'wire', reason: 'no_title_or_link' }, value: 2 }]);
      expect(await redis.zcard(keys.skips('wire'))).toBe(2);
      expect(await redis.pttl(keys.skips('wire'))).toBeGreaterThan(7 * 86_400_000);

      // The next poll: a changed ETag, the same items. The table says what this poll skipped; nothing is counted twice.
      const [again] = await p.once();
      expect(again).toMatchObject({ outcome: 'ok', newDrafts: 0, duplicates: 2, skipped: { no_title_or_link: 2 } });
      expect(pub.requests.filter((r) => r.path === '/feed.xml')).toHaveLength(2);
      expect(pub.requests[1]!.headers['if-none-match']).toBe('"v1"');
      expect(await health()).toMatchObject({ skippedItems24h: 2, skippedItems7d: 2, skippedByReason: { no_title_or_link: 2 } });
      expect(await skippedMetric(p)).toEqual([{ labels: { source: 'wire', reason: 'no_title_or_link' }, value: 2 }]);
      expect(formatSkipNote([again!])).toBe('skipped: no title or link 2');
      expect(formatSummary([again!])).toMatch(/dropped +skipped +error/);
    }, OFF);
  });

  it("a source's filters: the items they leave out are skipped as filtered, in words", async () => {
    const pub = await publisher();
    const wire = source('wire', pub.url('/feed.xml'), { filters: { exclude: ['court'] } });
    await withPipeline([wire], async (p) => {
      const [summary] = await p.once();
      expect(summary).toMatchObject({ newDrafts: 1, skipped: { no_title_or_link: 2, filtered: 1 } });
      expect(formatSkipNote([summary!])).toBe("skipped: no title or link 2, filtered out by the source's rules 1");
      const { redis, keys, clock } = p.runtime.ctx;
      expect((await readHealth(redis, keys, [wire], clock.now()))[0]).toMatchObject({ skippedItems24h: 3, skippedByReason: { no_title_or_link: 2, filtered: 1 } });
    }, OFF);
  });

  it('an ingest job with an item that has neither title nor link (queued by an older version): no draft, counted once, even when the job runs again', async () => {
    await withPipeline([source('wire', 'https://wire.example/feed')], async (p) => {
      const { redis, keys, clock, queues, settings } = p.runtime.ctx;
      const item = { guid: null, url: null, title: null, author: null, publishedAt: '2026-12-01T10:00:00.000Z', updatedAt: null, categories: ['Sport'], summary: null };
      const data: IngestJobData = {
        source: { id: 'wire', name: 'WIRE', url: 'https://wire.example/feed', weight: 1, tags: [] },
        discoveredAt: new Date(clock.now()).toISOString(),
        items: [
          { ...item, key: 'content:aaaaaaaaaaaaaaaaaaaaaa', itemHash: 'h-skip', urlHash: null },
          { ...item, key: 'guid:ok', guid: 'ok', title: 'A real headline', categories: [], itemHash: 'h-ok', urlHash: null },
        ],
      };
      const events = new QueueEvents(INGEST_QUEUE, { connection: redis.duplicate(), prefix: settings.prefix });
      await events.waitUntilReady();
      try {
        const job = await queues.ingest.add('ingest', data, { jobId: 'ingest-skip-test' });
        expect(IngestResult.parse(await job.waitUntilFinished(events))).toMatchObject({ created: [expect.any(String)], skipped: { no_title_or_link: 1 } });
        // The same job again, as BullMQ retries it.
        await job.retry('completed');
        expect(IngestResult.parse(await job.waitUntilFinished(events))).toMatchObject({ created: [], duplicates: 1, skipped: { no_title_or_link: 1 } });
      } finally {
        await events.close();
      }
      expect((await p.drafts()).map((d) => d.title)).toEqual(['A real headline']);
      expect(await redis.zrange(keys.skips('wire'), 0, -1)).toEqual(['no_title_or_link:h-skip']);
      expect((await readHealth(redis, keys, [source('wire', 'https://wire.example/feed')], clock.now()))[0]).toMatchObject({ skippedItems24h: 1, skippedItems7d: 1 });
      expect(await skippedMetric(p)).toEqual([{ labels: { source: 'wire', reason: 'no_title_or_link' }, value: 1 }]);
    }, OFF);
  });
});
