import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startFeedServer } from '../../src/demo/feedServer.ts';
import { readPendingDrafts } from '../../src/demo/awaitEnrichment.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';

const run = promisify(execFile);
const prefix = testPrefix();
afterAll(() => dropPrefix(prefix));

const demo = () =>
  run(process.execPath, ['bin/signal-desk.js', 'demo'], { env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: prefix, SIGNAL_DESK_DEMO_PORT: '0' } });

describe('npm run demo', () => {
  it('fills the review queue from the bundled feeds, shows a three-source story as one row, and a second run adds no draft', { timeout: 150_000 }, async () => {
    const first = await demo();
    expect(first.stdout).toMatch(/6 sources, 28 new drafts, 0 failed/);
    expect(first.stdout).toContain('Review queue:');
    expect(first.stdout).toContain('Arm server chip with 192 cores');
    // Issue 10: three publishers' own articles on Broadcom's VMware prices are one story, one queue row, and its
    // lead draft shows entities, a category suggestion and how its score was made.
    const story = first.stdout.slice(first.stdout.indexOf('One story, '));
    expect(story).toMatch(/^One story, 3 sources, one queue row \(story [^)]+\): (?=.*The Register)(?=.*ServeTheHome)(?=.*Infrastructure Weekly)/);
    expect(story).toMatch(/lead {2}.*VMware/);
    expect(story).toMatch(/entities {4}.*(Broadcom|VMware) \(/);
    expect(story).toMatch(/category {4}suggested: \S.* \((taxonomy|classifier), \d+%\): \S/);
    expect(story).toMatch(/score {7}\d+ \/ 100, made of:\n {4}Source weight/);
    expect(story).toMatch(/Coverage breadth +\+\d+ +2 other publishers: /);
    const second = await demo();
    expect(second.stdout).toMatch(/6 sources, 0 new drafts, 0 failed/);
    // The queue's first page (its rows may hold several drafts each once stories group them).
    expect(second.stdout).toMatch(/\d+ of 28 pending drafts/);
  });
});

describe('npm run demo: the article pages behind the demo feeds', () => {
  it('serves an article page for the demo items, with JSON-LD on some, OpenGraph only on others, one nosnippet, one article from two feeds', async () => {
    const server = await startFeedServer('fixtures/demo', 0);
    try {
      const feed = async (name: string) => (await fetch(`${server.origin}/feeds/${name}`)).text();
      const links = [await feed('toms-hardware.xml'), await feed('slashdot.rdf'), await feed('servethehome.xml'), await feed('the-register.atom'), await feed('infra-weekly.json')]
        .flatMap((text) => [...text.matchAll(/(?:<link>|href="|"url": ")([^<"]*\/articles\/[^<"]+)/g)].map((m) => m[1]!.replaceAll('&amp;', '&')));
      expect(links.length).toBe(10);
      expect(links.every((l) => l.startsWith(`${server.origin}/articles/`))).toBe(true);
      expect(links.join('\n')).not.toContain('{{DEMO_ORIGIN}}');
      const pages = new Map<string, string>();
      for (const link of links) {
        const res = await fetch(link);
        expect(res.status, link).toBe(200);
        expect(res.headers.get('content-type')).toContain('text/html');
        pages.set(new URL(link).pathname, await res.text());
      }
      expect(pages.get('/articles/arm-server-chip-tape-out.html')).toMatch(/"@type": "NewsArticle"[\s\S]*"author": \{ "@type": "Person", "name": "Paul Alcorn"/);
      expect(pages.get('/articles/arm-server-chip-tape-out.html')).toContain(`<link rel="canonical" href="${server.origin}/articles/arm-server-chip-tape-out.html">`);
      expect(pages.get('/articles/postgres-19-beta.html')).not.toContain('ld+json');
      expect(pages.get('/articles/postgres-19-beta.html')).toContain('property="og:title"');
      expect(pages.get('/articles/chip-export-rules-tightened.html')).toContain('<meta name="robots" content="nosnippet">');
      // One article, linked with different utm_ parameters from Slashdot and from Infrastructure Weekly.
      // One event, three publishers, three articles of their own (issue 10's three-source story).
      for (const page of ['vmware-price-rise-register.html', 'vmware-core-minimum-servethehome.html', 'vmware-alternatives-infra-weekly.html']) {
        expect(pages.get(`/articles/${page}`)).toMatch(/<meta name="description" content="[^"]*72-core[^"]*VMware|<meta name="description" content="[^"]*VMware[^"]*72-core/);
      }
      const shared = links.filter((l) => l.includes('/datacenter-power-moratorium.html?utm_source=rss'));
      expect(shared).toHaveLength(2);
      expect(new Set(shared).size).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('shows enriched drafts: canonical link, authors, image URL with provenance, nosnippet obeyed, one draft with coverage from two sources', { timeout: 90_000 }, async () => {
    const own = testPrefix();
    try {
      const { stdout } = await run(process.execPath, ['bin/signal-desk.js', 'demo'], { env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: own, SIGNAL_DESK_DEMO_PORT: '0' } });
      expect(stdout).toMatch(/6 sources, 28 new drafts, 0 failed/);
      expect(stdout).toContain('page read');
      expect(stdout).toMatch(/excerpt withheld: the page says nosnippet {2}\(Chip Export Rules Tightened Again/);
      expect(stdout).toContain('One enriched draft in full');
      expect(stdout).toMatch(/authors {12}Hannah Price; Tom Okafor {2}\(jsonld:/);

      const redis = createRedis(REDIS_URL);
      try {
        const drafts = await readPendingDrafts(redis, createKeys(own));
        const byPage = (page: string) => drafts.filter((d) => d.link?.includes(`/articles/${page}`) || d.enrichment?.canonicalUrl?.value.endsWith(`/articles/${page}`));
        const [arm] = byPage('arm-server-chip-tape-out.html');
        expect(arm!.enrichment).toMatchObject({ state: 'done', authors: { value: ['Paul Alcorn'] }, section: { value: 'CPUs' }, lang: { value: 'en-US' } });
        expect(arm!.enrichment!.authors!.rule).toMatch(/^jsonld/);
        expect(arm!.enrichment!.canonicalUrl!.value).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/articles\/arm-server-chip-tape-out\.html$/);
        expect(arm!.enrichment!.image!.value).toMatch(/\/images\/arm-192-core\.jpg$/);
        expect(arm!.enrichment!.publishedAt!.value).toMatch(/^2026-11-26T14:05/);
        const [postgres] = byPage('postgres-19-beta.html');
        expect(postgres!.enrichment!.authors).toMatchObject({ value: ['Thomas Claburn'] });
        expect(postgres!.enrichment!.authors!.rule).toMatch(/^meta:/);
        const [hbm] = byPage('hbm4-supply-2027.html');
        expect(hbm!.enrichment!.isAccessibleForFree).toMatchObject({ value: false });
        const [chip] = byPage('chip-export-rules-tightened.html');
        expect(chip!.excerpt).toBeNull();
        expect(chip!.enrichment!.robots).toMatchObject({ nosnippet: true });
        // One draft for the article both feeds link, the other source recorded on it as coverage.
        const power = byPage('datacenter-power-moratorium.html');
        expect(power).toHaveLength(1);
        expect(power[0]!.coverage).toHaveLength(1);
        expect([power[0]!.source.id, power[0]!.coverage[0]!.sourceId].sort()).toEqual(['infra-weekly', 'slashdot']);
      } finally {
        await redis.quit();
      }
    } finally {
      await dropPrefix(own);
    }
  });
});

describe('npm run demo -- --serve (issue 11, item 7)', () => {
  it("shows the demo's own sources and their health on the Sources page, not config/sources.yaml's", { timeout: 150_000 }, async () => {
    const own = testPrefix();
    // A configured sources file that is not the demo's: the desk must not show it.
    const child = spawn(process.execPath, ['bin/signal-desk.js', 'demo', '--serve', '--port', '0'], {
      env: { ...process.env, REDIS_URL, SIGNAL_DESK_PREFIX: own, SIGNAL_DESK_DEMO_PORT: '0', SIGNAL_DESK_SOURCES: 'config/sources.yaml' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => /The desk is at (\S+)\/ — log in with this token[^\n]*\n(\S+)/.exec(out), { timeout: 120_000, interval: 200 }).toBeTruthy();
      const [, url, token] = /The desk is at (\S+)\/ — log in with this token[^\n]*\n(\S+)/.exec(out)!;
      const headers = { authorization: `Bearer ${token}` };
      const health = (await (await fetch(`${url}/api/sources`, { headers })).json()) as { id: string; state: string; lastSuccessAt: string | null }[];
      expect(health.map((h) => h.id).sort()).toEqual(['example-wire', 'infra-weekly', 'servethehome', 'slashdot', 'the-register', 'toms-hardware']);
      // Polled by the demo's run, so healthy (the disabled one stays disabled), never "not polled yet".
      for (const h of health) expect(h.state === 'disabled' || (h.state === 'ok' && h.lastSuccessAt !== null), `${h.id}: ${h.state}`).toBe(true);
      const page = await (await fetch(`${url}/sources`, { headers })).text();
      expect(page).toContain('slashdot');
      expect(page).toContain('infra-weekly');
      expect(page).not.toContain('ars-technica');
      expect(page).not.toContain('techcrunch');
    } finally {
      child.kill('SIGINT');
      expect(await exited, out).toBe(0);
      await dropPrefix(own);
    }
  });
});
