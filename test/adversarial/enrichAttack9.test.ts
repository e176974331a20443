import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { DraftSignal } from '../../src/drafts/schema.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { reviewShowCommand } from '../../src/cli/commands/review.ts';
import { getDrafts } from '../../src/review/draftStore.ts';
import { startServer, type TestServer } from '../helpers/httpServer.ts';
import { source, withPipeline, type Pipeline } from '../helpers/pipeline.ts';

const PAGE = (title: string) => `<!doctype html><html lang="en"><head><title>${title}</title><meta property="og:title" content="${title}"></head><body><p>An ordinary article body.</p></body></html>`;
// The slow page stalls its reader for good (the `enrich.readPage` stallpoint, src/failpoint.ts), so it is
// over the 1.5 s deadline the test sets however fast this machine reads HTML: the page reader abandons this
// page and replaces its thread. (A page made slow by its size alone was read in time on a fast, idle machine.)
const SLOW = `<html><body>${'<p>a</p>'.repeat(1_000)}</body></html>`;
const FINE = ['/fine-1.html', '/fine-2.html', '/fine-3.html'];

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res) => {
    const path = req.url ?? '';
    if (path === '/feed.xml') {
      const items = ['/slow.html', ...FINE].map((p) => `<item><title>${p}</title><link>${server.origin}${p}</link><guid>${p}</guid></item>`);
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${server.origin}/</link>${items.join('')}</channel></rss>`);
    }
    if (path === '/robots.txt') return void res.writeHead(404).end();
    if (path === '/slow.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end(SLOW);
    // The ordinary pages answer a little later, so they reach the reader while the slow page is being read.
    if (FINE.includes(path)) return void setTimeout(() => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE(`Fine ${path}`)), 300);
    res.writeHead(404).end();
  });
});
afterAll(() => server.close());

async function settled(p: Pipeline): Promise<Map<string, DraftSignal>> {
  const redis = createRedis(p.settings.redisUrl);
  const keys = createKeys(p.settings.prefix);
  try {
    for (let i = 0; i < 1200; i++) {
      const drafts = await getDrafts(redis, keys, await redis.zrange(keys.review, 0, -1));
      if (drafts.length === 4 && drafts.every((d) => d.enrichment && d.enrichment.state !== 'pending')) return new Map(drafts.map((d) => [new URL(d.link!).pathname, d]));
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('enrichment still pending');
  } finally {
    await redis.quit();
  }
}

describe('the page reader thread: one page that is too slow to read costs that page only', () => {
  it('pages read at the same time as (or queued behind) the abandoned one are still read', async () => {
    // Read by the page reader thread, which takes its environment from this process when it starts.
    process.env.SIGNAL_DESK_STALLPOINTS = 'enrich.readPage=/slow.html';
    onTestFinished(() => void delete process.env.SIGNAL_DESK_STALLPOINTS);
    await withPipeline([source('slowpage', server.url('/feed.xml'))], async (p) => {
      const [summary] = await p.once();
      expect(summary!.newDrafts).toBe(4);
      const drafts = await settled(p);
      expect(drafts.get('/slow.html')!.enrichment).toMatchObject({ state: 'failed', reason: expect.stringMatching(/reading the page took longer than 1500 ms/) });
      for (const path of FINE) expect(drafts.get(path)!.enrichment, path).toMatchObject({ state: 'done', title: { value: `Fine ${path}` } });
    }, { SIGNAL_DESK_ENRICH: 'on', SIGNAL_DESK_FETCH_TIMEOUT_MS: '1500', SIGNAL_DESK_ENRICH_CONCURRENCY: '4' });
  }, 90_000);
});

describe('X-Robots-Tag sent as several header lines', () => {
  it('a line naming another robot does not swallow the next line, which is for everyone', async () => {
    const summary = 'What the feed said about this item; the page forbids snippets, so none of it may stay.';
    const robotsServer = await startServer((req, res) => {
      const path = req.url ?? '';
      if (path === '/feed.xml') {
        return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${robotsServer.origin}/</link><item><title>Two lines</title><link>${robotsServer.origin}/two-lines.html</link><guid>two-lines</guid><description>${summary}</description></item></channel></rss>`);
      }
      if (path === '/robots.txt') return void res.writeHead(404).end();
      // Node sends an array as repeated header lines: "X-Robots-Tag: otherbot: noarchive" then "X-Robots-Tag: nosnippet".
      if (path === '/two-lines.html') return void res.writeHead(200, { 'content-type': 'text/html', 'x-robots-tag': ['otherbot: noarchive', 'nosnippet'] }).end(PAGE('Two lines'));
      res.writeHead(404).end();
    });
    try {
      await withPipeline([source('robotslines', robotsServer.url('/feed.xml'))], async (p) => {
        const [s] = await p.once();
        expect(s!.newDrafts).toBe(1);
        const redis = createRedis(p.settings.redisUrl);
        const keys = createKeys(p.settings.prefix);
        let draft: DraftSignal | undefined;
        try {
          for (let i = 0; i < 600 && draft?.enrichment?.state !== 'done'; i++) {
            [draft] = await getDrafts(redis, keys, await redis.zrange(keys.review, 0, -1));
            if (draft?.enrichment?.state !== 'done') await new Promise((r) => setTimeout(r, 50));
          }
        } finally {
          await redis.quit();
        }
        expect(draft!.enrichment).toMatchObject({ state: 'done', robots: { nosnippet: true, noarchive: false } });
        expect(draft!.excerpt).toBeNull();
      }, { SIGNAL_DESK_ENRICH: 'on' });
    } finally {
      await robotsServer.close();
    }
  }, 60_000);
});

describe('politeness follows a redirect to another host', () => {
  it('article links on two hosts that redirect (feed proxies) to one publisher take turns at the publisher', async () => {
    // The publisher, as "localhost": every answer held a moment, the requests in flight counted.
    let inFlight = 0;
    let most = 0;
    const publisher = await startServer((req, res) => {
      if (req.url === '/robots.txt') return void res.writeHead(404).end();
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE(`Publisher ${req.url}`));
      }, 150);
    });
    const publisherOrigin = publisher.origin.replace('127.0.0.1', 'localhost');
    // Two proxy hosts (127.0.0.1 and its IPv4-mapped spelling, two hosts to politeness), each link redirecting to the publisher.
    const proxy = await startServer((req, res) => {
      const path = req.url ?? '';
      if (path === '/robots.txt') return void res.writeHead(404).end();
      if (path === '/feed.xml') {
        const port = new URL(proxy.origin).port;
        const links = [1, 2, 3, 4].flatMap((i) => [`http://127.0.0.1:${port}/a-${i}.html`, `http://[::ffff:127.0.0.1]:${port}/b-${i}.html`]);
        const items = links.map((l) => `<item><title>${l}</title><link>${l}</link><guid>${l}</guid></item>`).join('');
        return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${proxy.origin}/</link>${items}</channel></rss>`);
      }
      res.writeHead(302, { location: `${publisherOrigin}${path}` }).end();
    });
    try {
      await withPipeline([source('proxies', proxy.url('/feed.xml'))], async (p) => {
        const [summary] = await p.once();
        expect(summary!.newDrafts).toBe(8);
        const redis = createRedis(p.settings.redisUrl);
        const keys = createKeys(p.settings.prefix);
        try {
          for (let i = 0; i < 1200; i++) {
            const drafts = await getDrafts(redis, keys, await redis.zrange(keys.review, 0, -1));
            if (drafts.length === 8 && drafts.every((d) => d.enrichment && d.enrichment.state !== 'pending')) break;
            await new Promise((r) => setTimeout(r, 50));
          }
          const drafts = await getDrafts(redis, keys, await redis.zrange(keys.review, 0, -1));
          expect(drafts.map((d) => d.enrichment?.state)).toEqual(Array(8).fill('done'));
        } finally {
          await redis.quit();
        }
        expect(most).toBe(1);
      }, { SIGNAL_DESK_ENRICH: 'on', SIGNAL_DESK_ALLOW_PRIVATE: '127.0.0.1', SIGNAL_DESK_HOST_CONCURRENCY: '1', SIGNAL_DESK_ENRICH_CONCURRENCY: '4' });
    } finally {
      await proxy.close();
      await publisher.close();
    }
  }, 90_000);
});

describe('control characters in what the page says', () => {
  it('an escape sequence in the page title or author never reaches the draft, review show or the terminal', async () => {
    const ESC = '\u001b';
    const ld = JSON.stringify({ '@type': 'NewsArticle', headline: `Chip${ESC}[2J${ESC}]0;owned\u0007 news`, author: { '@type': 'Person', name: `Ann${ESC}[31m Lee\u009b` }, articleSection: `Chips\u0000` });
    const ctlServer = await startServer((req, res) => {
      const path = req.url ?? '';
      if (path === '/feed.xml') {
        return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${ctlServer.origin}/</link><item><title>Control</title><link>${ctlServer.origin}/ctl.html</link><guid>ctl</guid></item></channel></rss>`);
      }
      if (path === '/robots.txt') return void res.writeHead(404).end();
      if (path === '/ctl.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><head><title>x</title><meta property="og:site_name" content="Site&#27;[1mBold"><script type="application/ld+json">${ld}</script></head><body><p>Body.</p></body></html>`);
      res.writeHead(404).end();
    });
    try {
      await withPipeline([source('ctl', ctlServer.url('/feed.xml'))], async (p) => {
        await p.once();
        const redis = createRedis(p.settings.redisUrl);
        const keys = createKeys(p.settings.prefix);
        let draft: DraftSignal | undefined;
        try {
          for (let i = 0; i < 600 && draft?.enrichment?.state !== 'done'; i++) {
            [draft] = await getDrafts(redis, keys, await redis.zrange(keys.review, 0, -1));
            if (draft?.enrichment?.state !== 'done') await new Promise((r) => setTimeout(r, 50));
          }
        } finally {
          await redis.quit();
        }
        const e = draft!.enrichment!;
        expect(e.title?.value).toBe('Chip[2J]0;owned news');
        // With its ESC dropped, what is left of the sequence ("[31m") makes it no name: the extractor refuses names with brackets.
        expect(e.authors).toBeNull();
        expect(e.siteName?.value).toBe('Site[1mBold');
        expect(e.section?.value).toBe('Chips');
        let shown = '';
        const out = { write: (chunk: string) => ((shown += chunk), true) } as unknown as NodeJS.WritableStream;
        expect(await reviewShowCommand(p.settings, draft!.id, {}, out)).toBe(0);
        expect(shown).toContain('Chip[2J]0;owned news');
        // eslint-disable-next-line no-control-regex
        expect(shown).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      }, { SIGNAL_DESK_ENRICH: 'on' });
    } finally {
      await ctlServer.close();
    }
  }, 60_000);
});

describe('nosnippet and an item without a title', () => {
  it('the headline made from the feed summary is a snippet too: it goes with the excerpt (unless an editor wrote it)', async () => {
    const summary = 'Regulators in three countries opened inquiries into the merger after documents showed the companies had coordinated prices for years';
    const untitled = await startServer((req, res) => {
      const path = req.url ?? '';
      if (path === '/feed.xml') {
        const item = (p: string) => `<item><link>${untitled.origin}${p}</link><guid>${p}</guid><description>${summary}</description></item>`;
        return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${untitled.origin}/</link>${item('/nosnippet.html')}${item('/short.html')}</channel></rss>`);
      }
      if (path === '/robots.txt') return void res.writeHead(404).end();
      if (path === '/nosnippet.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><meta name="robots" content="nosnippet"><meta property="og:title" content="Merger inquiries"></head><body><p>x</p></body></html>');
      if (path === '/short.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><meta name="robots" content="max-snippet:40"></head><body><p>x</p></body></html>');
      res.writeHead(404).end();
    });
    try {
      await withPipeline([source('untitled', untitled.url('/feed.xml'))], async (p) => {
        const [s] = await p.once();
        expect(s!.newDrafts).toBe(2);
        const redis = createRedis(p.settings.redisUrl);
        const keys = createKeys(p.settings.prefix);
        let drafts: DraftSignal[] = [];
        try {
          for (let i = 0; i < 600; i++) {
            drafts = await getDrafts(redis, keys, await redis.zrange(keys.review, 0, -1));
            if (drafts.length === 2 && drafts.every((d) => d.enrichment?.state === 'done')) break;
            await new Promise((r) => setTimeout(r, 50));
          }
        } finally {
          await redis.quit();
        }
        const byPath = new Map(drafts.map((d) => [new URL(d.link!).pathname, d]));
        const none = byPath.get('/nosnippet.html')!;
        expect(none.excerpt).toBeNull();
        expect(none.headline).toBe('Merger inquiries');
        const short = byPath.get('/short.html')!;
        expect(Array.from(short.excerpt!).length).toBeLessThanOrEqual(40);
        expect(Array.from(short.headline).length).toBeLessThanOrEqual(40);
        expect(summary.startsWith(short.headline.replace(/…$/, ''))).toBe(true);
      }, { SIGNAL_DESK_ENRICH: 'on' });
    } finally {
      await untitled.close();
    }
  }, 60_000);
});
