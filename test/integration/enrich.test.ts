import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Source } from '../../src/config/sourceSchema.ts';
import type { DraftSignal } from '../../src/drafts/schema.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { getAudit, getDrafts } from '../../src/review/draftStore.ts';
import { rss, startServer, type TestServer } from '../helpers/httpServer.ts';
import { source, withPipeline, type Pipeline } from '../helpers/pipeline.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

type Page = { status?: number; headers?: Record<string, string>; body: string | Buffer };

/** A publisher: a feed at /feed.xml (with summaries), pages by path, robots.txt. */
async function publisher(pages: Record<string, Page>, robots = 'User-agent: *\nAllow: /\n', feed?: (origin: string) => string): Promise<TestServer> {
  let origin = '';
  const server = await startServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (path === '/feed.xml') return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed ? feed(origin) : itemsFeed(origin, Object.keys(pages)));
    if (path === '/robots.txt') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(robots);
    const page = pages[path];
    if (!page) return void res.writeHead(404).end();
    res.writeHead(page.status ?? 200, { 'content-type': 'text/html; charset=utf-8', ...page.headers }).end(page.body);
  });
  origin = server.origin;
  servers.push(server);
  return server;
}

/** Enrichment on, whatever the test settings default to. */
const ON = { SIGNAL_DESK_ENRICH: 'on' };

const SUMMARY = 'The feed summary of this item runs to well over twenty characters, as feed summaries do.';

function itemsFeed(origin: string, paths: string[]): string {
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${origin}/</link>${paths
    .map((p, i) => `<item><title>Item ${i} ${p}</title><link>${origin}${p}?utm_source=rss</link><guid>${p}</guid><description>${SUMMARY}</description></item>`)
    .join('')}</channel></rss>`;
}

function article(o: { title: string; head?: string; body?: string }): string {
  return `<!doctype html><html lang="en"><head><title>${o.title} | Site</title>${o.head ?? ''}</head><body><article><p>${o.body ?? 'Words of the article body, enough of them to make some shingles for the copy guard to use later on.'}</p></article></body></html>`;
}

const pagePaths = (server: TestServer) => server.requests.map((r) => r.path.split('?')[0]).filter((p) => p !== '/feed.xml' && p !== '/robots.txt');

/** Waits (real time, bounded) until no draft's enrichment is pending; returns the drafts by link path. */
async function settled(p: Pipeline): Promise<Map<string, DraftSignal>> {
  const redis = createRedis(p.settings.redisUrl);
  const keys = createKeys(p.settings.prefix);
  try {
    for (let i = 0; i < 200; i++) {
      const ids = await redis.zrange(keys.review, 0, -1);
      const drafts = await getDrafts(redis, keys, ids);
      if (drafts.length > 0 && drafts.every((d) => d.enrichment && d.enrichment.state !== 'pending')) {
        return new Map(drafts.map((d) => [d.link ? new URL(d.link).pathname : d.id, d]));
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('enrichment still pending');
  } finally {
    await redis.quit();
  }
}

describe('enrichment, end to end with real workers', () => {
  it('fills drafts with the page metadata and its provenance, obeys robots directives, records non-HTML and robots.txt refusals', async () => {
    const server = await publisher(
      {
        '/ld.html': { body: article({ title: 'LD', head: '<meta property="og:title" content="The OG title"><link rel="canonical" href="/ld.html">' }) },
        '/nosnippet.html': { body: article({ title: 'Quiet', head: '<meta name="robots" content="nosnippet">' }) },
        '/short.html': { body: article({ title: 'Short' }), headers: { 'x-robots-tag': 'max-snippet:20' } },
        '/doc.pdf': { body: Buffer.from('%PDF-1.4 not html'), headers: { 'content-type': 'application/pdf' } },
        '/private/secret.html': { body: article({ title: 'Secret' }) },
      },
      'User-agent: *\nDisallow: /private/\n',
    );
    await withPipeline([source('pub', server.url('/feed.xml'))], async (p) => {
      const [summary] = await p.once();
      expect(summary!.newDrafts).toBe(5);
      const drafts = await settled(p);
      const ld = drafts.get('/ld.html')!;
      expect(ld.enrichment).toMatchObject({ state: 'done', title: { value: 'The OG title', rule: 'meta:og:title' }, canonicalUrl: { value: server.url('/ld.html') } });
      expect(ld.excerpt).toBe(SUMMARY);

      const quiet = drafts.get('/nosnippet.html')!;
      expect(quiet.excerpt).toBeNull();
      expect(quiet.enrichment!.robots).toMatchObject({ nosnippet: true });
      expect(quiet.enrichment!.robots!.applied.join(' ')).toMatch(/nosnippet/);

      const short = drafts.get('/short.html')!;
      expect(short.excerpt).toBe(SUMMARY.slice(0, 20).trim());
      expect(short.enrichment!.robots).toMatchObject({ maxSnippet: 20 });
      expect(short.enrichment!.robots!.applied.join(' ')).toMatch(/max-snippet:20/);

      const pdf = drafts.get('/doc.pdf')!;
      expect(pdf.enrichment).toMatchObject({ state: 'non_html', contentType: 'application/pdf' });
      expect(pdf.enrichment!.reason).toMatch(/PDF/);
      expect(pdf.excerpt).toBe(SUMMARY);

      const secret = drafts.get('/private/secret.html')!;
      expect(secret.enrichment!.state).toBe('refused');
      expect(secret.enrichment!.reason).toMatch(/robots\.txt .*disallows \/private\/secret\.html/);
      expect(pagePaths(server)).not.toContain('/private/secret.html');
      // One request per page; the draft keeps its review place and status, the write is audited.
      expect(pagePaths(server).sort()).toEqual(['/doc.pdf', '/ld.html', '/nosnippet.html', '/short.html']);
      expect([...drafts.values()].every((d) => d.status === 'pending')).toBe(true);
      const redis = createRedis(p.settings.redisUrl);
      const audit = await getAudit(redis, createKeys(p.settings.prefix), ld.id);
      await redis.quit();
      // The story stage (and the annotate stage) write their own fields as system actors too; enrichment wrote once.
      expect(audit.filter((a) => a.actor === 'enrichment').map((a) => [a.actor, a.action])).toEqual([['enrichment', 'enriched']]);
    }, ON);
  });

  it('per-source enrich: false and SIGNAL_DESK_ENRICH=off mark drafts disabled and fetch no page', async () => {
    const server = await publisher({ '/a.html': { body: article({ title: 'A' }) } });
    await withPipeline([source('quiet', server.url('/feed.xml'), { enrich: false })], async (p) => {
      await p.once();
      const drafts = await settled(p);
      expect(drafts.get('/a.html')!.enrichment).toMatchObject({ state: 'disabled', reason: expect.stringMatching(/enrich: false/) });
    }, ON);
    const other = await publisher({ '/b.html': { body: article({ title: 'B' }) } });
    await withPipeline([source('off', other.url('/feed.xml'))], async (p) => {
      await p.once();
      const drafts = await settled(p);
      expect(drafts.get('/b.html')!.enrichment).toMatchObject({ state: 'disabled', reason: expect.stringMatching(/SIGNAL_DESK_ENRICH=off/) });
    }, { SIGNAL_DESK_ENRICH: 'off' });
    expect(pagePaths(server)).toEqual([]);
    expect(pagePaths(other)).toEqual([]);
  });

  it('the same article from two sources is fetched once', async () => {
    const site = await publisher({ '/story.html': { body: article({ title: 'Story', head: '<meta property="og:title" content="Story">' }) } });
    const feed = (title: string) => (origin: string) => rss([{ title, link: `${site.url('/story.html')}?utm_medium=${origin.length}`, guid: title }]);
    const a = await publisher({}, undefined, feed('From A'));
    const b = await publisher({}, undefined, feed('From B'));
    const sources: Source[] = [source('a', a.url('/feed.xml')), source('b', b.url('/feed.xml'))];
    await withPipeline(sources, async (p) => {
      await p.once([sources[0]!]);
      await settled(p);
      await p.once([sources[1]!]);
      const drafts = [...(await settled(p)).values()];
      expect(drafts.filter((d) => d.enrichment?.state === 'done')).toHaveLength(1);
      expect(pagePaths(site)).toEqual(['/story.html']);
    }, ON);
  });
});

describe('run --once and enrichment', () => {
  it('the summary table counts enriched drafts, and says what is still pending when the wait is over', async () => {
    const { pollOnce } = await import('../../src/cli/commands/run.ts');
    const { runOnce } = await import('../../src/queue/runOnce.ts');
    const server = await publisher({ '/a.html': { body: article({ title: 'A' }) } });
    await withPipeline([source('pub', server.url('/feed.xml'))], async (p) => {
      let out = '';
      const sink = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream;
      await pollOnce(p.runtime, [source('pub', server.url('/feed.xml'))], sink);
      expect(out).toMatch(/^source\s+outcome\s+new\s+duplicates\s+related\s+enriched\s+stories\s+dropped\s+skipped\s+error$/m);
      expect(out).toMatch(/^pub\s+ok\s+1\s+0\s+0\s+1\/1\s+1\s*$/m);
    }, ON);
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const slow = await startServer((req, res) => {
      if (req.url === '/feed.xml') return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ title: 'Slow', link: `${slow.origin}/slow.html`, guid: 's' }]));
      if (req.url === '/robots.txt') return void res.writeHead(404).end();
      void held.then(() => res.writeHead(200, { 'content-type': 'text/html' }).end(article({ title: 'Slow' })));
    });
    servers.push(slow);
    await withPipeline([source('slow', slow.url('/feed.xml'))], async (p) => {
      const [summary] = await runOnce(p.runtime.ctx, [source('slow', slow.url('/feed.xml'))], undefined, { enrichWaitMs: 0 });
      expect(summary).toMatchObject({ newDrafts: 1, enriched: 0, enrichPending: 1 });
      release();
      const drafts = await settled(p);
      expect(drafts.get('/slow.html')!.enrichment!.state).toBe('done');
    }, ON);
  });
});

describe('transient page failures', () => {
  it('a 503 is retried and then read; a page that keeps failing is recorded as failed after a bounded number of requests', async () => {
    let flaky = 0;
    let broken = 0;
    const server = await startServer((req, res) => {
      const path = req.url ?? '';
      if (path === '/feed.xml') return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ title: 'Flaky', link: `${server.origin}/flaky.html`, guid: 'f' }, { title: 'Broken', link: `${server.origin}/broken.html`, guid: 'b' }]));
      if (path === '/robots.txt') return void res.writeHead(404).end();
      if (path === '/flaky.html') return void (++flaky < 3 ? res.writeHead(503).end() : res.writeHead(200, { 'content-type': 'text/html' }).end(article({ title: 'Flaky', head: '<meta property="og:title" content="Back">' })));
      broken++;
      res.writeHead(500).end();
    });
    servers.push(server);
    await withPipeline([source('t', server.url('/feed.xml'))], async (p) => {
      await p.once();
      const drafts = await settled(p);
      expect(drafts.get('/flaky.html')!.enrichment).toMatchObject({ state: 'done', title: { value: 'Back' } });
      expect(flaky).toBe(3);
      expect(drafts.get('/broken.html')!.enrichment).toMatchObject({ state: 'failed', reason: 'HTTP 500: server error' });
      expect(broken).toBe(3);
    }, ON);
  });
});

describe('enrichment in a real signal-desk process', () => {
  it('run --once as a process: drafts enriched, the table says so', { timeout: 60_000 }, async () => {
    const { spawnWorker, writeSourcesFile } = await import('../helpers/workerProcess.ts');
    const { dropPrefix, testPrefix } = await import('../helpers/redis.ts');
    const server = await publisher({ '/one.html': { body: article({ title: 'One', head: '<meta property="og:title" content="One, from its page"><meta property="og:site_name" content="The Site">' }) } });
    const prefix = testPrefix();
    const file = writeSourcesFile([{ id: 'proc', url: server.url('/feed.xml') }]);
    try {
      const w = spawnWorker(prefix, file, ON, ['--once']);
      expect((await w.exited).code).toBe(0);
      expect(w.output()).toMatch(/^proc\s+ok\s+1\s+0\s+0\s+1\/1\s+1\s*$/m);
      const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
      const keys = createKeys(prefix);
      const [draft] = await getDrafts(redis, keys, await redis.zrange(keys.review, 0, -1));
      await redis.quit();
      expect(draft!.enrichment).toMatchObject({ state: 'done', title: { value: 'One, from its page', rule: 'meta:og:title' } });
      expect(pagePaths(server)).toEqual(['/one.html']);
    } finally {
      await dropPrefix(prefix);
    }
  });
});

describe('politeness shared with polls', () => {
  it('with one request per host at a time, page fetches and the feed poll to that host never overlap', async () => {
    let inFlight = 0;
    let most = 0;
    const paths = ['/p1.html', '/p2.html', '/p3.html', '/p4.html'];
    const server = await startServer((req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      const done = () => void (inFlight--, undefined);
      res.on('finish', done);
      const path = req.url ?? '';
      setTimeout(() => {
        if (path === '/feed.xml') return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(paths.map((p) => ({ title: p, link: `${server.origin}${p}`, guid: p }))));
        if (path === '/robots.txt') return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'text/html' }).end(article({ title: path }));
      }, 30);
    });
    servers.push(server);
    const sources = [source('polite', server.url('/feed.xml'))];
    await withPipeline(sources, async (p) => {
      await p.once();
      // A second poll while the pages are read: it waits its turn like they do.
      await p.once();
      const drafts = await settled(p);
      expect([...drafts.values()].every((d) => d.enrichment!.state === 'done')).toBe(true);
      expect(most).toBe(1);
    }, { ...ON, SIGNAL_DESK_HOST_CONCURRENCY: '1', SIGNAL_DESK_ENRICH_CONCURRENCY: '4' });
  }, 60_000);
});
