import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DraftSignal } from '../../src/drafts/schema.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { getDrafts } from '../../src/review/draftStore.ts';
import { startServer, type TestServer } from '../helpers/httpServer.ts';
import { source, withPipeline, type Pipeline } from '../helpers/pipeline.ts';

const SUMMARY = 'What the feed said about this item, which the enrichment must leave as it was.';
const OK_PAGE = (head = '', body = '<p>An ordinary article body.</p>') => `<!doctype html><html lang="en"><head><title>Page</title>${head}</head><body>${body}</body></html>`;

/** One hostile page per path; the feed links to each, and to one ordinary page that must still be read. */
const hostile: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/huge.html': (_req, res) => {
    // 50 MB, streamed without a length: the cap on decoded bytes ends the read, not the server.
    res.writeHead(200, { 'content-type': 'text/html' });
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < 50 && res.write(chunk)) sent++;
      if (sent >= 50) res.end();
      else res.once('drain', pump);
    };
    res.on('error', () => undefined);
    pump();
  },
  '/endless.html': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.write('<html><head><title>never ends</title>');
    const timer = setInterval(() => res.write('<p>more</p>'), 50);
    res.on('close', () => clearInterval(timer));
  },
  '/bomb.html': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(BOMB);
  },
  '/many-ld.html': (_req, res) => {
    const block = '<script type="application/ld+json">{"@type":"NewsArticle","headline":"x"}</script>';
    res.writeHead(200, { 'content-type': 'text/html' }).end(OK_PAGE(block.repeat(10_000) + '<meta property="og:title" content="Many blocks">'));
  },
  '/deep-ld.html': (_req, res) => {
    const deep = `${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`;
    res.writeHead(200, { 'content-type': 'text/html' }).end(OK_PAGE(`<script type="application/ld+json">${deep}</script><meta property="og:title" content="Deep">`));
  },
  '/bad-ld.html': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(OK_PAGE('<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script><meta property="og:title" content="Still read">'));
  },
  '/canonical-elsewhere.html': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(OK_PAGE('<link rel="canonical" href="https://another-site.example/stolen"><meta property="og:title" content="Elsewhere">'));
  },
  '/canonical-js.html': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(OK_PAGE('<link rel="canonical" href="javascript:alert(1)"><meta property="og:title" content="Script">'));
  },
  '/to-private.html': (_req, res) => {
    res.writeHead(302, { location: 'http://10.0.0.1/admin' }).end();
  },
  '/to-metadata.html': (_req, res) => {
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
  },
  '/fine.html': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(OK_PAGE('<meta property="og:title" content="Fine">'));
  },
};

// 200 MB of zeros in about 200 KB.
const BOMB = gzipSync(Buffer.alloc(200 * 1024 * 1024), { level: 9 });

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res) => {
    const path = req.url ?? '';
    if (path === '/feed.xml') {
      const items = Object.keys(hostile).map((p) => `<item><title>${p}</title><link>${server.origin}${p}</link><guid>${p}</guid><description>${SUMMARY}</description></item>`);
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${server.origin}/</link>${items.join('')}</channel></rss>`);
    }
    if (path === '/robots.txt') return void res.writeHead(404).end();
    const handler = hostile[path];
    if (!handler) return void res.writeHead(404).end();
    handler(req, res);
  });
});
afterAll(() => server.close());

async function settled(p: Pipeline): Promise<Map<string, DraftSignal>> {
  const redis = createRedis(p.settings.redisUrl);
  const keys = createKeys(p.settings.prefix);
  try {
    for (let i = 0; i < 600; i++) {
      const drafts = await getDrafts(redis, keys, await redis.zrange(keys.review, 0, -1));
      if (drafts.length > 0 && drafts.every((d) => d.enrichment && d.enrichment.state !== 'pending')) return new Map(drafts.map((d) => [new URL(d.link!).pathname, d]));
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('enrichment still pending');
  } finally {
    await redis.quit();
  }
}

describe('hostile article pages: each is recorded on its draft with the reason, the draft otherwise as it was, the worker goes on', () => {
  it('records size, deadline, decompression, address and canonical problems; reads the rest', async () => {
    await withPipeline([source('hostile', server.url('/feed.xml'))], async (p) => {
      const [summary] = await p.once();
      expect(summary!.newDrafts).toBe(Object.keys(hostile).length);
      const drafts = await settled(p);
      const state = (path: string) => drafts.get(path)!.enrichment!;

      expect(state('/huge.html')).toMatchObject({ state: 'failed', reason: expect.stringMatching(/larger than 2097152 bytes.*SIGNAL_DESK_PAGE_MAX_BYTES/) });
      expect(state('/endless.html')).toMatchObject({ state: 'failed', reason: expect.stringMatching(/deadline/) });
      expect(state('/bomb.html')).toMatchObject({ state: 'failed', reason: expect.stringMatching(/larger than 2097152 bytes/) });
      for (const path of ['/to-private.html', '/to-metadata.html']) {
        expect(state(path)).toMatchObject({ state: 'refused', reason: expect.stringMatching(/not a public address/) });
      }
      // Structured-data abuse costs the broken data, never the page.
      // Valid blocks (the first 32 are read): their headline wins over og:title, as on any page.
      expect(state('/many-ld.html')).toMatchObject({ state: 'done', title: { value: 'x', rule: 'jsonld:headline' } });
      expect(state('/deep-ld.html')).toMatchObject({ state: 'done', title: { value: 'Deep' } });
      expect(state('/bad-ld.html')).toMatchObject({ state: 'done', title: { value: 'Still read' } });
      // A canonical link to another site or to javascript: is ignored, and says so: the page stands for itself.
      const own = (path: string) => ({ value: server.url(path), rule: 'page-url' });
      expect(state('/canonical-elsewhere.html')).toMatchObject({ state: 'done', canonicalUrl: own('/canonical-elsewhere.html'), reason: expect.stringMatching(/points at another site/), title: { value: 'Elsewhere' } });
      expect(state('/canonical-js.html')).toMatchObject({ state: 'done', canonicalUrl: own('/canonical-js.html'), reason: expect.stringMatching(/is not an http\(s\) link/), title: { value: 'Script' } });
      expect(state('/fine.html')).toMatchObject({ state: 'done', title: { value: 'Fine' } });

      for (const [path, d] of drafts) {
        expect(d.status, path).toBe('pending');
        expect(d.excerpt, path).toBe(SUMMARY);
        expect(d.headline, path).toBe(path);
        expect(d.link, path).toBe(server.url(path));
      }
    // 5 s: the page that never ends fails by it; the 10,000-block page (0.6 s on a quiet machine, 2 s and more on a
    // loaded one, first read on a cold thread) must not.
    }, { SIGNAL_DESK_ENRICH: 'on', SIGNAL_DESK_FETCH_TIMEOUT_MS: '5000', SIGNAL_DESK_ENRICH_CONCURRENCY: '4' });
  }, 60_000);
});
