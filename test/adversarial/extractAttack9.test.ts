import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractArticle } from '../../src/article/extractArticle.ts';
import { parsePage } from '../../src/article/parsePage.ts';
import { readPage } from '../../src/enrich/readPage.ts';
import type { DraftSignal } from '../../src/drafts/schema.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { getDrafts } from '../../src/review/draftStore.ts';
import { startServer, type TestServer } from '../helpers/httpServer.ts';
import { source, withPipeline, type Pipeline } from '../helpers/pipeline.ts';

// Attack 9 on the article extractor, as an outsider: hostile pages through the pure core, and through the real
// pipeline (a local page server, real Redis, real workers) where the promise is about what a draft keeps.

const URL_ = 'https://www.example.com/news/a1.html';
const ld = (o: unknown) => `<script type="application/ld+json">${JSON.stringify(o)}</script>`;

describe('extractArticle: hostile values', () => {
  it('a page of 100,000 top-level elements is one context node for every selector (css-select removeSubsets was quadratic in them)', () => {
    const $ = parsePage(`${'<h1>x</h1>'.repeat(100_000)}<meta property="og:title" content="Flat">`);
    expect($.root().children()).toHaveLength(1);
    expect($('h1')).toHaveLength(100_000);
    expect(extractArticle(`<!doctype html><html lang="en"><head><title>Wrapped</title></head></html>`, URL_)).toMatchObject({ title: { value: 'Wrapped', rule: 'title-tag' }, lang: { value: 'en', rule: 'html-lang' } });
  });

  it('a max-snippet beyond the safe integers is no limit, not a number the draft cannot hold', () => {
    const m = extractArticle('<meta name="robots" content="nosnippet, max-snippet:99999999999999999999">', URL_);
    expect(m.robots.nosnippet).toBe(true);
    expect(m.robots.maxSnippet).toBeUndefined();
  });

  it('a date after the injected clock is not the publication date (extractArticle forwards `now` to the dates pass)', () => {
    const now = Date.UTC(2026, 5, 1);
    const m = extractArticle(ld({ '@type': 'NewsArticle', datePublished: '2099-01-01', dateModified: '2098-01-01' }) + '<meta property="article:published_time" content="2030-01-01T00:00:00Z">', 'https://www.example.com/2099/01/01/x.html', {}, { now });
    expect(m.publishedAt).toBeUndefined();
    expect(m.modifiedAt).toBeUndefined();
    expect(extractArticle(ld({ '@type': 'NewsArticle', datePublished: '2026-05-31' }), URL_, {}, { now }).publishedAt).toEqual({ value: '2026-05-31', rule: 'jsonld:datePublished' });
  });

  it('bidi controls, control characters and markup revealed by decoding never come out of a text field', () => {
    const m = extractArticle(
      '<title>Hello \u202Eevil\u202C world</title><meta name="description" content="a&#x202E;b\u0000c\u0007d">' +
        '<meta name="author" content="Jane \u2066Doe\u2069">' +
        ld({ '@type': 'NewsArticle', headline: 'A &lt;script&gt;alert(1)&lt;/script&gt; B' }),
      URL_,
    );
    expect(m.title?.value).toBe('A alert(1) B');
    expect(m.description?.value).toBe('abcd');
    expect(m.authors?.value).toEqual(['Jane Doe']);
    const t = extractArticle('<title>Hello \u202Eevil\u202C world</title>', URL_);
    expect(t.title?.value).toBe('Hello evil world');
  });

  it('an author that is a JSON object or markup is not a name', () => {
    expect(extractArticle(`<meta name="author" content='{"name":"Jane"}'>`, URL_).authors).toBeUndefined();
    expect(extractArticle(`<meta name="author" content='[object Object]'>`, URL_).authors).toBeUndefined();
  });
});

const SUMMARY = 'What the feed said about this item: a page that forbids snippets must not keep it.';
const pages: Record<string, string> = {
  // A publisher's typo (or a hostile page) beside nosnippet: the enrichment threw on the schema and the excerpt stayed.
  '/nosnippet-huge.html': '<html><head><title>Huge</title><meta name="robots" content="nosnippet, max-snippet:99999999999999999999"></head><body><p>x</p></body></html>',
  // 1 MB of top-level headings (under the 2 MiB page cap): minutes of one worker's event loop before the fix.
  '/flat.html': `<meta property="og:title" content="Flat page">${'<h1>x</h1>'.repeat(100_000)}`,
};

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res) => {
    const path = req.url ?? '';
    if (path === '/feed.xml') {
      const items = Object.keys(pages).map((p) => `<item><title>${p}</title><link>${server.origin}${p}</link><guid>${p}</guid><description>${SUMMARY}</description></item>`);
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${server.origin}/</link>${items.join('')}</channel></rss>`);
    }
    const page = pages[path];
    if (page === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  });
});
afterAll(() => server.close());

async function settled(p: Pipeline): Promise<Map<string, DraftSignal>> {
  const redis = createRedis(p.settings.redisUrl);
  const keys = createKeys(p.settings.prefix);
  try {
    for (;;) {
      const drafts = await getDrafts(redis, keys, await redis.zrange(keys.review, 0, -1));
      if (drafts.length > 0 && drafts.every((d) => d.enrichment && d.enrichment.state !== 'pending')) return new Map(drafts.map((d) => [new URL(d.link!).pathname, d]));
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await redis.quit();
  }
}

describe('hostile article pages through the pipeline', () => {
  it('nosnippet beside an absurd max-snippet drops the excerpt; a flat 100,000-element page is read', async () => {
    await withPipeline([source('atk9x', server.url('/feed.xml'))], async (p) => {
      const [summary] = await p.once();
      expect(summary!.newDrafts).toBe(2);
      const drafts = await settled(p);
      const huge = drafts.get('/nosnippet-huge.html')!;
      expect(huge.enrichment).toMatchObject({ state: 'done', title: { value: 'Huge' }, robots: { nosnippet: true, maxSnippet: null } });
      expect(huge.excerpt).toBeNull();
      expect(drafts.get('/flat.html')!.enrichment).toMatchObject({ state: 'done', title: { value: 'Flat page', rule: 'meta:og:title' } });
    }, { SIGNAL_DESK_FETCH_TIMEOUT_MS: '5000' });
  }, 90_000);
});

describe('provenance: a directive is recorded as the page sent it', () => {
  it('X-Robots-Tag: none is not recorded as `X-Robots-Tag: nosnippet` (the header said none; meta none and header none now read alike)', () => {
    const page = (headers: Record<string, string>, html = '<title>T</title>') => readPage({ body: Buffer.from(html), headers: { 'content-type': 'text/html', ...headers }, finalUrl: URL_ }, Date.UTC(2026, 5, 1));
    const header = page({ 'x-robots-tag': 'none' }).enrichment.robots!;
    const meta = page({}, '<meta name="robots" content="none"><title>T</title>').enrichment.robots!;
    expect(header.applied.some((a) => /nosnippet|noarchive/.test(a))).toBe(false);
    expect({ nosnippet: header.nosnippet, noarchive: header.noarchive }).toEqual({ nosnippet: meta.nosnippet, noarchive: meta.noarchive });
    // A real header nosnippet, in capitals, still applies.
    expect(page({ 'x-robots-tag': 'NOSNIPPET' }).enrichment.robots).toMatchObject({ nosnippet: true, applied: ['X-Robots-Tag: nosnippet'] });
  });
});
