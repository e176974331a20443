import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/parse/parseFeed.ts';
import { pingRedis } from '../../src/queue/connection.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { testPrefix } from '../helpers/redis.ts';
import { withChain } from '../helpers/chain.ts';
import { freePort, rss, startServer } from '../helpers/httpServer.ts';
import { source } from '../helpers/pipeline.ts';
import { spawnWorker, workerRig, writeSourcesFile, drained } from '../helpers/workerProcess.ts';

// Attacks on the worker pipeline after issue 8: crashes in the middle of large (chunked) polls while the
// feed changes. Real worker processes, real Redis, a local publisher.

/** Short locks so a killed worker's jobs are picked up again within a couple of seconds. */
const FAST = { SIGNAL_DESK_LOCK_MS: '1000', SIGNAL_DESK_STALLED_MS: '500' };
/**
 * The worker that survives keeps the default lock (renewed every 15 s) and checks for stalled jobs every 500 ms:
 * it still takes the killed worker's jobs within a second or two of their 1 s locks expiring, but its own jobs do
 * not stall when a loaded machine delays its lock renewals past 1 s (at load average 15 that failed a good poll as
 * "stalled more than allowable limit", and the test timed out waiting for it).
 */
const STEADY = { SIGNAL_DESK_LOCK_MS: '30000' };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  cleanup = [];
});

/** A publisher whose feed the test changes: `items` lists the item numbers in feed order; each version has its own ETag. */
async function changingFeed(id: string, items: number[]) {
  const feed = { items, version: 0 };
  const etag = () => `"${id}-${feed.version}"`;
  const server = await startServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.headers['if-none-match'] === etag()) return res.writeHead(304, { etag: etag() }).end();
    const body = rss(feed.items.map((n) => ({ guid: `${id}-item-${n}`, title: `Story ${n}`, link: `https://pub.example/${id}/${n}` })), id);
    res.writeHead(200, { 'content-type': 'application/rss+xml', etag: etag() }).end(body);
  });
  return { server, feed };
}

async function setup(id: string, items: number[]) {
  const publisher = await changingFeed(id, items);
  const file = writeSourcesFile([{ id, url: publisher.server.url(`/feed/${id}`) }]);
  // Enrichment off: it would fetch 3,200 article pages of pub.example (which does not resolve), load that has
  // nothing to do with what these tests check (drafts, ETags, chunks).
  const rig = workerRig(file, { ...FAST, SIGNAL_DESK_INGEST_CONCURRENCY: '1', SIGNAL_DESK_MAX_BYTES: String(16 * 1024 * 1024), SIGNAL_DESK_ENRICH: 'off' });
  cleanup.push(async () => {
    await rig.close();
    await publisher.server.close();
  });
  return { ...rig, publisher };
}


/** The item links of every draft under the prefix (one entry per draft). */
async function draftLinks(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:draft:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const links: string[] = [];
  for (let i = 0; i < keys.length; i += 500) for (const json of await redis.mget(...keys.slice(i, i + 500))) links.push((JSON.parse(json!) as { link: string }).link);
  return links;
}

function expectOneDraftEach(links: string[], id: string, items: number[]) {
  expect(links.length).toBe(new Set(items).size);
  expect(new Set(links)).toEqual(new Set(items.map((n) => `https://pub.example/${id}/${n}`)));
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('pipeline attack: a large poll (a flow of chunks) crashed mid-way while the feed changes', () => {
  it('killed after the first chunk committed; before the retry the feed drops 200 items, adds 700 and reorders: every item listed is one draft, the later polls add nothing twice', { timeout: 180_000 }, async () => {
    const t = await setup('big', range(0, 2500));
    const doomed = t.spawn({ SIGNAL_DESK_FAILPOINTS: 'ingest.afterCommit' });
    await t.poll.add('poll', { sourceId: 'big' }, { jobId: 'first' });
    expect((await doomed.exited).signal).toBe('SIGKILL');
    expect(await t.redis.zcard(t.keys.review)).toBe(1000);

    // The feed changes before anyone retries: 200 old items gone, 700 new ones, another order, another ETag.
    t.publisher.feed.items = [...range(200, 3200)].reverse();
    t.publisher.feed.version = 1;
    t.spawn(STEADY);
    await expect.poll(async () => (await t.poll.getCompletedCount()) === 1 && (await drained(t.ingest)), { timeout: 60_000, interval: 250 }).toBe(true);
    await t.poll.add('poll', { sourceId: 'big' }, { jobId: 'second' });
    await expect.poll(async () => (await t.poll.getJob('second'))?.returnvalue?.outcome ?? null, { timeout: 60_000, interval: 250 }).not.toBeNull();
    await expect.poll(() => drained(t.ingest), { timeout: 60_000, interval: 250 }).toBe(true);
    // Everything the first response held, and everything the changed feed holds: once each.
    expectOneDraftEach(await draftLinks(t.redis, t.prefix), 'big', [...range(0, 2500), ...range(2500, 3200)]);
    await t.poll.add('poll', { sourceId: 'big' }, { jobId: 'third' });
    await expect.poll(async () => (await t.poll.getJob('third'))?.returnvalue?.outcome ?? null, { timeout: 60_000, interval: 250 }).toBe('not_modified');
    expect(await t.redis.zcard(t.keys.review)).toBe(3200);
  });

  it('one chunk of a large poll stalls until BullMQ fails it (its worker died three times): the next poll refetches and every item becomes one draft', { timeout: 180_000 }, async () => {
    const t = await setup('stall', range(0, 2500));
    await t.ingest.pause();
    const first = t.spawn({ SIGNAL_DESK_FAILPOINTS: 'ingest.beforeCommit' });
    await t.poll.add('poll', { sourceId: 'stall' }, { jobId: 'first' });
    await expect.poll(async () => (await t.poll.getJob('first'))?.returnvalue?.candidates ?? null, { timeout: 30_000, interval: 100 }).toBe(2500);
    expect(await t.redis.hget(t.keys.sourceState('stall'), 'etag')).toBe('"stall-0"');
    await t.ingest.resume();
    expect((await first.exited).signal).toBe('SIGKILL');
    for (let i = 0; i < 2; i++) expect((await t.spawn({ SIGNAL_DESK_FAILPOINTS: 'ingest.beforeCommit' }).exited).signal).toBe('SIGKILL');
    t.spawn(STEADY);
    await expect.poll(() => drained(t.ingest), { timeout: 60_000, interval: 250 }).toBe(true);
    await t.poll.add('poll', { sourceId: 'stall' }, { jobId: 'second' });
    await expect.poll(async () => (await t.poll.getJob('second'))?.returnvalue?.outcome ?? null, { timeout: 60_000, interval: 250 }).not.toBeNull();
    await expect.poll(() => drained(t.ingest), { timeout: 60_000, interval: 250 }).toBe(true);
    expectOneDraftEach(await draftLinks(t.redis, t.prefix), 'stall', range(0, 2500));
  });
});

describe('pipeline attack: robots.txt of a listing page (kind: html) behind a redirect', () => {
  const page = '<html><body><article class="card"><h2><a href="/story/1">Story 1</a></h2></article></body></html>';
  const selectors = { item: 'article.card', title: 'h2' };

  it('a listing page that redirects (302) into a path its robots.txt disallows is not fetched, and the health says why', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/robots.txt') return res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: SignalDesk\nDisallow: /private/\n');
      if (req.url === '/latest') return res.writeHead(302, { location: '/private/list' }).end();
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    });
    try {
      await withChain([source('hop', server.url('/latest'), { kind: 'html', selectors })], async (h) => {
        await h.sync();
        const s = await h.step('hop');
        expect(s.lastCode).toBe('robots_disallowed');
        expect(server.requests.map((r) => r.path)).not.toContain('/private/list');
      });
    } finally {
      await server.close();
    }
  });

  it("a redirect to another site is judged by that site's robots.txt", async () => {
    const other = await startServer((req, res) => {
      if (req.url === '/robots.txt') return res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /\n');
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    });
    const server = await startServer((req, res) => {
      if (req.url === '/robots.txt') return res.writeHead(404).end();
      res.writeHead(307, { location: other.url('/list').replace('127.0.0.1', 'localhost') }).end();
    });
    try {
      await withChain([source('away', server.url('/latest'), { kind: 'html', selectors })], async (h) => {
        await h.sync();
        expect((await h.step('away')).lastCode).toBe('robots_disallowed');
        expect(other.requests.map((r) => r.path)).toEqual(['/robots.txt']);
      });
    } finally {
      await server.close();
      await other.close();
    }
  });
});

describe('pipeline attack: forbidden characters that reach the text after the XML parser', () => {
  const rssTitle = (title: string) => rss([{ guid: 'a', title, link: 'https://news.example/a' }, { guid: 'b', title: 'Second story', link: 'https://news.example/b' }]);
  const titles = async (body: string, contentType = 'application/rss+xml') => (await parseFeed(body, { contentType, url: 'https://news.example/feed' })).items.map((i) => i.title);

  it.each([
    ['beyond hardenXml\'s digits', 'Budget &#99999999;talks resume'],
    ['beyond U+10FFFF in hex', 'Budget &#x0000110000;talks resume'],
    ['escaped twice', 'Budget &amp;#0;talks resume'],
    ['a surrogate escaped twice', 'Budget &amp;#xD800;talks resume'],
    ['inside CDATA', '<![CDATA[Budget &#0;talks resume]]>'],
  ])('a reference to a forbidden character %s is dropped, never shown as U+FFFD', async (_, title) => {
    expect(await titles(rssTitle(title))).toEqual(['Budget talks resume', 'Second story']);
  });

  it('leading zeros still decode (&#00065; is A), and a lone surrogate in a JSON Feed is dropped like \\u0000', async () => {
    expect(await titles(rssTitle('&#00000000065;&#x00000042; &#65;'))).toEqual(['AB A', 'Second story']);
    const json = '{"version":"https://jsonfeed.org/version/1.1","title":"c","items":[{"id":"1","url":"https://news.example/j","title":"Budget \\ud800\\u0000talks \\udfff\\ud83d\\ude00"}]}';
    expect(await titles(json, 'application/feed+json')).toEqual(['Budget talks \u{1F600}']);
  });
});

describe('pipeline attack: the health of a source whose redirect leads to a name that does not resolve', () => {
  it('names the host that failed to resolve, not the one the poll started at', async () => {
    const server = await startServer((_req, res) => res.writeHead(302, { location: 'http://no-such-publisher.invalid/feed' }).end());
    try {
      await withChain([source('gone', server.url('/feed'))], async (h) => {
        await h.sync();
        const s = await h.step('gone');
        expect(s.lastCode).toBe('dns');
        expect(s.lastMessage).toContain('no-such-publisher.invalid');
        expect(s.lastMessage).not.toContain('127.0.0.1');
      });
    } finally {
      await server.close();
    }
  });
});

/** A redis-server of the test's own on a free port, persisting nothing. */
async function startRedis(): Promise<{ url: string }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sd-redis-'));
  const child: ChildProcess = spawnProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await pingRedis(url, 200)); i++) await new Promise((r) => setTimeout(r, 50));
  cleanup.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return { url };
}

describe('pipeline attack: Redis flushed while a chained poll is in flight', () => {
  it('the rebuilt chain and the poll that was running do not both go on: the source keeps exactly one pending poll', { timeout: 90_000 }, async () => {
    const redisServer = await startRedis();
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let requests = 0;
    const server = await startServer((req, res) => {
      requests++;
      const answer = () => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: 'one', title: 'One story', link: 'https://pub.example/one' }]));
      if (requests === 1) void held.then(answer);
      else answer();
    });
    cleanup.push(() => server.close());
    const file = writeSourcesFile([{ id: 'alpha', url: server.url('/alpha.xml') }]);
    const admin = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    admin.on('error', () => undefined);
    const poll = new Queue('poll', { connection: admin, prefix });
    cleanup.push(async () => {
      await poll.close();
      admin.disconnect();
    });
    // A source that has polled for a while: its chain is at seq 57.
    await admin.hset(keys.sourceState('alpha'), { pollSeq: '57' });
    const proc = spawnWorker(prefix, file, { REDIS_URL: redisServer.url, SIGNAL_DESK_STATE_CHECK_MS: '200', SIGNAL_DESK_FETCH_TIMEOUT_MS: '60000' }, []);
    cleanup.push(async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
      await proc.exited;
    });
    // The poll of p-alpha-58 is run now, and is in flight (the publisher holds its answer) when Redis loses everything.
    await expect.poll(async () => (await poll.getJob('p-alpha-58'))?.promote().then(() => true, () => false) ?? false, { timeout: 30_000, interval: 100 }).toBe(true);
    await expect.poll(() => requests, { timeout: 30_000, interval: 50 }).toBe(1);
    await admin.flushall();
    await expect.poll(() => proc.output().includes('rebuilt the job schedulers'), { timeout: 30_000, interval: 50 }).toBe(true);
    release();
    await expect.poll(async () => (await admin.hget(keys.sourceState('alpha'), 'lastSuccessAt')) !== null, { timeout: 30_000, interval: 100 }).toBe(true);
    await expect.poll(() => proc.output().includes('polled'), { timeout: 30_000, interval: 100 }).toBe(true);
    const pending = (await poll.getJobs(['delayed', 'wait', 'active', 'prioritized'])).filter((j) => j.name === 'poll' && j.data?.sourceId === 'alpha');
    expect(pending.map((j) => j.id)).toHaveLength(1);
  });
});

describe('pipeline attack: a sources file that validates but can never make a draft', () => {
  it('a source tag longer than a draft may carry (100 characters) is refused by sources validate, naming source and field, instead of failing every ingest of that source', { timeout: 60_000 }, async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sd-sources-')), 'sources.yaml');
    writeFileSync(file, `sources:\n  - id: tagged\n    name: Tagged\n    url: https://feeds.example/a\n    tags: [${'t'.repeat(101)}]\n`);
    const r = await promisify(execFile)(process.execPath, ['bin/signal-desk.js', 'sources', 'validate'], { env: { ...process.env, SIGNAL_DESK_SOURCES: file } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/:5: source "tagged" field "tags\.0": a tag has at most 100 characters/);
  });
});
