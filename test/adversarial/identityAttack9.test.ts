import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.ts';
import { seenDigests } from '../../src/dedupe/itemKey.ts';
import { cleanLink, normalizeUrl } from '../../src/dedupe/normalizeUrl.ts';
import { recordCanonical } from '../../src/dedupe/recordCanonical.ts';
import { commitDrafts } from '../../src/dedupe/seenStore.ts';
import { ageRank, reviewRank } from '../../src/drafts/score.ts';
import { toCoverageJson, toDraft, toStoredJson } from '../../src/drafts/toDraft.ts';
import type { FeedItem } from '../../src/parse/types.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys, type Keys } from '../../src/queue/keys.ts';
import type { RedisClient } from '../../src/redisClient.ts';
import { Desk } from '../../src/review/desk.ts';
import { getAudit, getDraft, getDrafts } from '../../src/review/draftStore.ts';
import { EDITORIAL, withDesk } from '../helpers/desk.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { source, withPipeline } from '../helpers/pipeline.ts';
import { toJsonFeed } from '../../src/publish/feeds.ts';
import { readSignals } from '../../src/publish/signalStore.ts';
import { toSignal } from '../../src/publish/signal.ts';
import { DraftSignal } from '../../src/drafts/schema.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const editor = { name: 'ed', role: 'editor' as const };
const T0 = Date.parse('2026-11-27T10:00:00Z');

/** Drafts committed the way the ingest worker does, on real Redis. */
function harness() {
  const prefix = testPrefix();
  const redis = createRedis(REDIS_URL);
  cleanups.push(() => dropPrefix(prefix), () => redis.quit());
  const keys = createKeys(prefix);
  let n = 0;
  const commit = async (sourceId: string, url: string, at = T0) => {
    const item: FeedItem = { key: `guid:${sourceId}-${++n}`, guid: `${sourceId}-${n}`, url, title: `Story from ${sourceId}`, author: null, publishedAt: null, updatedAt: null, categories: [], summary: null };
    const d = toDraft(item, { id: sourceId, name: sourceId.toUpperCase(), url: `https://${sourceId}.example/feed`, weight: 0.5, tags: [] }, new Date(at).toISOString());
    const [outcome] = await commitDrafts(redis, keys, sourceId, [{ ...seenDigests(item), draftId: d.id, rank: reviewRank(d.score, d.discoveredAt), age: ageRank(d.publishedAt, d.discoveredAt), json: toStoredJson(d), coverage: toCoverageJson(d) }], at, 90 * 86_400_000);
    return { id: d.id, outcome };
  };
  const desk = new Desk({ redis, keys, clock: fixedClock(T0), claimMs: 60_000 });
  return { redis, keys, commit, desk, prefix };
}

async function publish(desk: Desk, redis: RedisClient, keys: Keys, id: string) {
  const draft = (await getDraft(redis, keys, id))!;
  const edited = await desk.edit(editor, id, { version: draft.version, ...EDITORIAL });
  return desk.approve(editor, id, { version: edited.version });
}

/** Pending drafts in the review queue, plus what each lists as coverage: an article must be exactly one of these entries. */
async function queueState(redis: RedisClient, keys: Keys, ids: string[]) {
  const drafts = await getDrafts(redis, keys, ids);
  return drafts.map((d) => ({ id: d.id, status: d.status, mergedInto: d.mergedInto, coverage: d.coverage.map((c) => c.sourceId) }));
}

describe('recordCanonical under concurrency', () => {
  it('two drafts each finding the other\'s URL as canonical at the same moment (A→B, B→A): one stays pending, never both folded into each other', async () => {
    const { redis, keys, commit } = harness();
    const a = await commit('a', 'https://news.example/amp/story.html');
    const b = await commit('b', 'https://news.example/story.html');
    const outcomes = await Promise.all([
      recordCanonical(redis, keys, a.id, 'https://news.example/story.html', T0 + 1000),
      recordCanonical(redis, keys, b.id, 'https://news.example/amp/story.html', T0 + 1000),
    ]);
    const state = await queueState(redis, keys, [a.id, b.id]);
    const pending = state.filter((d) => d.status === 'pending');
    expect({ outcomes, state }).toMatchObject({ state: expect.any(Array) });
    expect(pending, JSON.stringify({ outcomes, state })).toHaveLength(1);
    expect(await redis.zrange(keys.review, 0, -1)).toEqual([pending[0]!.id]);
    // The folded one is listed once, as coverage of the survivor.
    expect(pending[0]!.coverage).toEqual([pending[0]!.id === a.id ? 'b' : 'a']);
  });

  for (const [decision, order] of [['approve', 'at once'], ['reject', 'at once'], ['approve', 'fold first'], ['reject', 'fold first'], ['approve', 'decision first'], ['reject', 'decision first']] as const) {
    it(`an editor deciding (${decision}) the canonical draft while a fold runs (${order}): the variant is never folded into a decided draft, it stays in the queue`, async () => {
      const { redis, keys, commit, desk } = harness();
      const a = await commit('a', 'https://news.example/p.html');
      const b = await commit('b', 'https://news.example/amp/p.html');
      const draft = (await getDraft(redis, keys, a.id))!;
      const edited = await desk.edit(editor, a.id, { version: draft.version, ...EDITORIAL });
      // Every interleaving of the two on one connection, from "the fold first" to "the decision first".
      const fold = () => recordCanonical(redis, keys, b.id, 'https://news.example/p.html', T0 + 1000);
      const decide = (): Promise<unknown> => (decision === 'approve' ? desk.approve(editor, a.id, { version: edited.version }) : desk.reject(editor, a.id, { version: edited.version, reason: 'off topic' }));
      const settle = <T,>(p: Promise<T>) => p.then((value) => ({ value }), (error: { code?: string }) => ({ error: error.code ?? String(error) }));
      const results: [{ value?: Awaited<ReturnType<typeof fold>>; error?: string }, { value?: unknown; error?: string }] =
        order === 'at once' ? await Promise.all([settle(fold()), settle(decide())])
        : order === 'fold first' ? [await settle(fold()), await settle(decide())]
        : await settle(decide()).then(async (d) => [await settle(fold()), d]);
      const [da, db] = (await getDrafts(redis, keys, [a.id, b.id]));
      const audit = (await getAudit(redis, keys, a.id)).map((e) => `${e.action}@${e.version}`);
      const state = JSON.stringify({ results, a: [da!.status, da!.coverage.length, audit], b: [db!.status, db!.mergedInto] });
      expect(results[0].error, state).toBeUndefined();
      if (db!.status === 'merged') {
        // The fold came first, while a was still pending: a's history says so, and a lists b as coverage.
        const versionOf = (action: string) => Number(audit.find((e) => e.startsWith(`${action}@`))?.split('@')[1] ?? -1);
        expect(versionOf('merged_in'), `b folded into ${decision === 'approve' ? 'an approved' : 'a rejected'} draft: ${state}`).toBeGreaterThan(0);
        expect(db!.mergedInto, state).toBe(a.id);
        expect(da!.coverage.map((c) => c.sourceId), state).toEqual(['b']);
        if (decision === 'approve') {
          // What is published is what the editor saw: the fold added coverage, so the approval sent with the version
          // read before it is refused (409), and a waits for the editor to look again. A rejection goes on top of it.
          expect(results[1].error, state).toBe('stale_version');
          expect(da!.status, state).toBe('pending');
          expect(await redis.zrange(keys.byScore('pending'), 0, -1), state).toEqual([a.id]);
          const again = await desk.approve(editor, a.id, { version: da!.version });
          expect(again.signal.related.map((r) => r.sourceName), state).toContain('B');
        } else {
          expect(results[1].error, state).toBeUndefined();
          expect(versionOf('merged_in'), state).toBeLessThan(versionOf('reject'));
          expect(await redis.zrange(keys.byScore('pending'), 0, -1), state).toEqual([]);
        }
      } else {
        expect(results[1].error, state).toBeUndefined();
        expect(da!.status, state).toBe(decision === 'approve' ? 'approved' : 'rejected');
        // The decision came first: b is left in the queue for an editor, never listed by a decided draft.
        expect(db!.status, state).toBe('pending');
        expect(results[0].value, state).toMatchObject({ heldBy: { draftId: a.id, status: da!.status } });
        expect(da!.coverage, state).toEqual([]);
        expect(await redis.zrange(keys.byScore('pending'), 0, -1), state).toEqual([b.id]);
      }
    });
  }
});

describe('links as hostile feeds write them', () => {
  const ARTICLE = 'https://news.example/story?id=7';
  it.each([
    ['an entity-escaped separator left by a feed that escaped twice (&amp;utm_source)', 'https://news.example/story?id=7&amp;utm_source=rss&amp;utm_medium=feed'],
    ['escaped three times (&amp;amp;fbclid)', 'https://news.example/story?id=7&amp;amp;fbclid=IwAR0'],
    ['a ; separator (?id=7;utm_source=rss)', 'https://news.example/story?id=7;utm_source=rss'],
    ['tracking parameters in the fragment', 'https://news.example/story?id=7#utm_source=rss&utm_medium=social'],
    ['tracking parameters in a fragment query', 'https://news.example/story?id=7#?utm_campaign=x'],
    ['an AMP cache URL of Google\'s AMP viewer URL', 'https://www-google-com.cdn.ampproject.org/c/s/www.google.com/amp/s/news.example/story?id=7'],
    ['Google\'s AMP viewer URL of an AMP cache URL', 'https://www.google.com/amp/s/news-example.cdn.ampproject.org/c/s/news.example/story?id=7'],
    ['Google\'s AMP viewer twice', 'https://www.google.com/amp/s/www.google.com/amp/s/news.example/story?id=7'],
  ])('%s: the same article, and published without tracking parameters', (_what, link) => {
    expect(normalizeUrl(link)).toBe(normalizeUrl(ARTICLE));
    expect(cleanLink(link)).toBe(ARTICLE);
  });

  it.each([
    ['lower-case percent-escapes', 'https://news.example/caf%c3%a9', 'https://news.example/café'],
    ['an escaped unreserved character (%7E, %2D)', 'https://news.example/%7Eed/a%2db', 'https://news.example/~ed/a-b'],
  ])('the path spelled two ways (%s) is one article (RFC 3986 §6.2.2)', (_what, a, b) => {
    expect(normalizeUrl(a)).toBe(normalizeUrl(b));
    // An escaped slash is not a slash: a different path.
    expect(normalizeUrl('https://news.example/a%2Fb')).not.toBe(normalizeUrl('https://news.example/a/b'));
  });

  it('keeps what is the publisher\'s: a fragment that is not parameters, a ; inside a value, a non-tracking parameter after an escaped separator', () => {
    expect(cleanLink('https://news.example/story?id=7#section-2')).toBe('https://news.example/story?id=7#section-2');
    expect(cleanLink('https://news.example/story?q=a;b')).toBe('https://news.example/story?q=a;b');
    expect(normalizeUrl('https://news.example/story?id=7&amp;page=2')).toBe(normalizeUrl('https://news.example/story?id=7&page=2'));
    expect(normalizeUrl('https://news.example/story?id=7&amp;page=2')).not.toBe(normalizeUrl(ARTICLE));
    // A chain of AMP wrappers deeper than any real one is left as it is (bounded work, no loop).
    let deep = 'https://news.example/story';
    for (let i = 0; i < 12; i++) deep = `https://www.google.com/amp/s/${deep.slice('https://'.length)}`;
    expect(normalizeUrl(deep)).toMatch(/^https:\/\/www\.google\.com\/amp\/s\//);
  });

  it('two feeds, one escaping its links twice (&amp;amp;utm_source=rss): one draft, the other its coverage, and the public feed carries no tracking parameter', async () => {
    const links: Record<string, string> = {
      '/a': 'https://news.example/story?id=7&amp;amp;utm_source=rss&amp;amp;utm_medium=feed',
      '/b': 'https://news.example/story?id=7',
    };
    const server = await startServer((req, res) => {
      const link = links[req.url ?? ''];
      if (!link) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([{ guid: `${req.url}-1`, title: `Story as told by ${req.url}`, link }]));
    });
    cleanups.push(() => server.close());
    await withPipeline([source('a', server.url('/a')), source('b', server.url('/b'))], async (p) => {
      await p.once();
      const drafts = await p.drafts();
      expect(drafts.map((d) => [d.source.id, d.link, d.coverage.map((c) => c.link)])).toHaveLength(1);
      const draft = drafts[0]!;
      expect(draft.link).toBe('https://news.example/story?id=7');
      expect(draft.coverage.map((c) => c.link)).toEqual(['https://news.example/story?id=7']);
      const keys = createKeys(p.settings.prefix);
      const redis = p.runtime.ctx.redis;
      const desk = new Desk({ redis, keys, clock: fixedClock(T0), claimMs: 60_000 });
      await publish(desk, redis, keys, draft.id);
      const [stored] = await readSignals(redis, keys, 1);
      const feed = JSON.stringify(toJsonFeed([stored!.signal], { title: 't', baseUrl: 'https://desk.example' }));
      expect(feed).not.toMatch(/utm_/);
    });
  });
});

describe('a folded draft reopened by an editor', () => {
  it('leaves the survivor\'s coverage: the article is counted once, never as its own draft and as coverage of another', async () => {
    const { redis, keys, commit, desk } = harness();
    const a = await commit('a', 'https://news.example/p.html');
    const b = await commit('b', 'https://news.example/amp/p.html');
    expect((await commit('c', 'https://news.example/amp/p.html')).outcome).toBe('related');
    await recordCanonical(redis, keys, a.id, 'https://news.example/p.html', T0);
    expect(await recordCanonical(redis, keys, b.id, 'https://news.example/p.html', T0 + 1000)).toEqual({ foldedInto: a.id });
    expect((await getDraft(redis, keys, a.id))!.coverage.map((c) => c.sourceId)).toEqual(['b', 'c']);

    // The editor disagrees: the AMP page was a different article.
    const folded = (await getDraft(redis, keys, b.id))!;
    await desk.reopen(editor, b.id, { version: folded.version });
    const [da, db] = await getDrafts(redis, keys, [a.id, b.id]);
    expect(db!.status).toBe('pending');
    expect(da!.coverage.map((c) => c.sourceId)).toEqual([]);
    expect(db!.coverage.map((c) => c.sourceId)).toEqual(['c']);
    // A later item linking the reopened draft's link is its coverage again, not the survivor's.
    expect((await commit('d', 'https://news.example/amp/p.html')).outcome).toBe('related');
    expect((await getDraft(redis, keys, b.id))!.coverage.map((c) => c.sourceId)).toEqual(['c', 'd']);
    // Both published: each lists only its own coverage.
    const sa = await publish(desk, redis, keys, a.id);
    const sb = await publish(desk, redis, keys, b.id);
    expect(sa.signal.related.map((r) => r.sourceName)).toEqual([]);
    expect(sb.signal.related.map((r) => r.sourceName)).toEqual(['C', 'D']);
  });
});

describe('a canonical URL on another site', () => {
  it('never lets a hostile page claim another site\'s article: the victim\'s later items are not its coverage, and it is not folded into the victim\'s draft', async () => {
    const { redis, keys, commit, desk } = harness();
    // evil.example's page declares rel=canonical to news.example's article before anyone carried it.
    const evil = await commit('evil', 'https://evil.example/clickbait');
    const out = await recordCanonical(redis, keys, evil.id, 'https://news.example/story', T0);
    expect(out.refused).toMatch(/another site/);
    const victim = await commit('news', 'https://news.example/story');
    expect(victim.outcome).toBe('created');
    // And once the victim holds it: a second hostile page declaring it is not folded in (it would be listed in the victim's signal).
    const evil2 = await commit('evil2', 'https://evil2.example/x');
    expect((await recordCanonical(redis, keys, evil2.id, 'https://news.example/story?utm_source=x', T0 + 1)).refused).toMatch(/another site/);
    expect((await getDraft(redis, keys, evil2.id))!.status).toBe('pending');
    const signal = await publish(desk, redis, keys, victim.id);
    expect(signal.signal.related).toEqual([]);
  });

  it('the same site (www., a subdomain, an AMP cache of it) is the same site', async () => {
    const { redis, keys, commit } = harness();
    const a = await commit('a', 'https://news.example/story');
    const b = await commit('b', 'https://news-example.cdn.ampproject.org/c/s/amp.news.example/story');
    const c = await commit('c', 'https://www.news.example/s/1');
    expect(await recordCanonical(redis, keys, b.id, 'https://news.example/story', T0)).toEqual({ foldedInto: a.id });
    expect(await recordCanonical(redis, keys, c.id, 'https://news.example/story', T0)).toEqual({ foldedInto: a.id });
  });
});

describe('coverage on the desk', () => {
  it('the draft page shows the editor the coverage its signal will list in `related` (source, headline, link, time), escaped', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ title: 'Vendor changes licence' }]);
      const hostile = { sourceId: 'evil', sourceName: 'Evil <b>Wire</b>', headline: '<img src=x onerror=alert(1)> Licence story', link: 'https://evil.example/a?x="><script>', at: new Date(h.clock.now()).toISOString(), publishedAt: null };
      const plainEntry = { sourceId: 'wire', sourceName: 'The Wire', headline: 'Wire takes on the licence change', link: 'https://wire.example/licence', at: new Date(h.clock.now()).toISOString(), publishedAt: null };
      await h.redis.rpush(h.keys.coverage(id!), JSON.stringify(plainEntry), JSON.stringify(hostile));
      const res = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token: h.tokens.editor, next: '/' }), redirect: 'manual' });
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
      const page = await (await fetch(`${h.url}/drafts/${id}`, { headers: { cookie } })).text();
      expect(page).toContain('Wire takes on the licence change');
      expect(page).toContain('The Wire');
      expect(page).toContain('href="https://wire.example/licence"');
      expect(page).toContain('&lt;img src=x onerror=alert(1)&gt; Licence story');
      expect(page).toContain('Evil &lt;b&gt;Wire&lt;/b&gt;');
      expect(page).not.toContain('<img src=x');
      expect(page).not.toContain('"><script>');
    });
  });
});

describe('an editor merging a draft that has coverage', () => {
  it('the coverage follows it into the draft it was merged into, so the published signal still lists those sources; a reopen takes it back', async () => {
    const { redis, keys, commit, desk } = harness();
    const a = await commit('a', 'https://news.example/one');
    const b = await commit('b', 'https://other.example/two');
    expect((await commit('c', 'https://other.example/two?utm_source=x')).outcome).toBe('related');
    await desk.merge(editor, b.id, { version: 1, into: a.id });
    expect((await getDraft(redis, keys, a.id))!.coverage.map((c) => c.sourceId)).toEqual(['c']);

    const folded = (await getDraft(redis, keys, b.id))!;
    await desk.reopen(editor, b.id, { version: folded.version });
    expect((await getDraft(redis, keys, a.id))!.coverage).toEqual([]);
    expect((await getDraft(redis, keys, b.id))!.coverage.map((c) => c.sourceId)).toEqual(['c']);

    const again = (await getDraft(redis, keys, b.id))!;
    await desk.merge(editor, b.id, { version: again.version, into: a.id });
    const { signal } = await publish(desk, redis, keys, a.id);
    expect(signal.related.map((r) => r.sourceName)).toEqual(['B', 'C']);
  });
});

describe('the published link and a canonical URL on another site', () => {
  const draft = (canonical: string) => {
    const item: FeedItem = { key: 'k', guid: 'g', url: 'https://evil.example/clickbait?utm_source=rss', title: 'T', author: null, publishedAt: null, updatedAt: null, categories: [], summary: null };
    const d = toDraft(item, { id: 's', name: 'S', url: 'https://evil.example/feed', weight: 0.5, tags: [] }, new Date(T0).toISOString());
    return { ...d, ...EDITORIAL, enrichment: DraftSignal.shape.enrichment.parse({ state: 'done', canonicalUrl: { value: canonical, rule: 'link:canonical' } }) } as unknown as DraftSignal;
  };
  it('a page declaring another site\'s article as its canonical does not make our signal link there: the feed\'s own link is published', () => {
    expect(toSignal(draft('https://news.example/real-story'), new Date(T0).toISOString(), 'ed').link).toBe('https://evil.example/clickbait');
    expect(toSignal(draft('https://www.evil.example/canonical?utm_medium=x'), new Date(T0).toISOString(), 'ed').link).toBe('https://www.evil.example/canonical');
  });
});

describe('coverage headlines and the copy guard', () => {
  const SUMMARY = 'The vendor will stop shipping security fixes for the community edition after March and move every customer to a paid support plan with new terms';
  it('an untitled item recorded as coverage publishes no words of its source\'s summary in `related`', async () => {
    const { redis, keys, commit, desk } = harness();
    const a = await commit('a', 'https://news.example/licence');
    const item: FeedItem = { key: 'guid:b-1', guid: 'b-1', url: 'https://news.example/licence', title: null, author: null, publishedAt: null, updatedAt: null, categories: [], summary: SUMMARY };
    const d = toDraft(item, { id: 'b', name: 'B', url: 'https://b.example/feed', weight: 0.5, tags: [] }, new Date(T0).toISOString());
    const [outcome] = await commitDrafts(redis, keys, 'b', [{ ...seenDigests(item), draftId: d.id, rank: 1, age: 1, json: toStoredJson(d), coverage: toCoverageJson(d) }], T0, 86_400_000);
    expect(outcome).toBe('related');
    const { signal } = await publish(desk, redis, keys, a.id);
    expect(signal.related.map((r) => r.sourceName)).toEqual(['B']);
    expect(JSON.stringify(signal)).not.toContain('stop shipping security fixes');
  });

  it('a folded draft whose headline an editor had edited into a copy of its excerpt is listed with its source\'s own title, not the edit', async () => {
    const { redis, keys, commit, desk } = harness();
    const a = await commit('a', 'https://news.example/p.html');
    const b = await commit('b', 'https://news.example/amp/p.html');
    const bd = (await getDraft(redis, keys, b.id))!;
    await desk.edit(editor, b.id, { version: bd.version, headline: SUMMARY.slice(0, 140) });
    await recordCanonical(redis, keys, a.id, 'https://news.example/p.html', T0);
    expect(await recordCanonical(redis, keys, b.id, 'https://news.example/p.html', T0 + 1)).toEqual({ foldedInto: a.id });
    const { signal } = await publish(desk, redis, keys, a.id);
    expect(signal.related).toEqual([{ headline: 'Story from b', sourceName: 'B', link: 'https://news.example/amp/p.html' }]);
  });
});

describe('a fold killed between its decision and its coverage', () => {
  it('kill -9 at canonical.afterFold: the draft is merged, and the retry (the enrich job again) moves its coverage, once', async () => {
    const { redis, keys, commit, prefix } = harness();
    const a = await commit('a', 'https://news.example/p.html');
    const b = await commit('b', 'https://news.example/amp/p.html');
    expect((await commit('c', 'https://news.example/amp/p.html')).outcome).toBe('related');
    await recordCanonical(redis, keys, a.id, 'https://news.example/p.html', T0);
    // The fold in its own process, killed by the failpoint right after the desk write.
    const script = `const { recordCanonical } = await import('./src/dedupe/recordCanonical.ts');
const { createRedis } = await import('./src/queue/connection.ts');
const { createKeys } = await import('./src/queue/keys.ts');
const redis = createRedis(${JSON.stringify(REDIS_URL)});
await recordCanonical(redis, createKeys(${JSON.stringify(prefix)}), ${JSON.stringify(b.id)}, 'https://news.example/p.html', ${T0 + 1});
process.exit(0);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, SIGNAL_DESK_FAILPOINTS: 'canonical.afterFold' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal, stderr).toBe('SIGKILL');
    expect((await getDraft(redis, keys, b.id))!).toMatchObject({ status: 'merged', mergedInto: a.id });
    expect((await getDraft(redis, keys, a.id))!.coverage).toEqual([]);

    expect(await recordCanonical(redis, keys, b.id, 'https://news.example/p.html', T0 + 2)).toEqual({ foldedInto: a.id });
    expect(await recordCanonical(redis, keys, b.id, 'https://news.example/p.html', T0 + 3)).toEqual({ foldedInto: a.id });
    expect((await getDraft(redis, keys, a.id))!.coverage.map((c) => c.sourceId)).toEqual(['b', 'c']);
    expect(await redis.zrange(keys.byScore('pending'), 0, -1)).toEqual([a.id]);
  });
});

describe('a commit racing a fold', () => {
  it('an item recorded as coverage of the folded draft while the fold runs still reaches the survivor, at every interleaving', async () => {
    const lost: string[] = [];
    for (let offset = 0; offset < 8; offset++) {
      const { redis, keys, commit } = harness();
      const a = await commit('a', 'https://news.example/p.html');
      const b = await commit('b', 'https://news.example/amp/p.html');
      await recordCanonical(redis, keys, a.id, 'https://news.example/p.html', T0);
      await Promise.all([
        recordCanonical(redis, keys, b.id, 'https://news.example/p.html', T0 + 1),
        (async () => {
          for (let i = 0; i < offset; i++) await redis.ping();
          await commit('c', 'https://news.example/amp/p.html');
        })(),
      ]);
      const survivor = (await getDraft(redis, keys, a.id))!;
      if (!survivor.coverage.some((c) => c.sourceId === 'c')) lost.push(`offset ${offset}: A lists ${survivor.coverage.map((c) => c.sourceId).join(',')}; B lists ${(await getDraft(redis, keys, b.id))!.coverage.map((c) => c.sourceId).join(',')}`);
    }
    expect(lost).toEqual([]);
  });
});

describe('a commit racing an editor merge', () => {
  it('an item recorded as coverage of the merged draft while the merge runs still reaches the target, at every interleaving', async () => {
    const lost: string[] = [];
    for (let offset = 0; offset < 8; offset++) {
      const { redis, keys, commit, desk } = harness();
      const a = await commit('a', 'https://news.example/one');
      const b = await commit('b', 'https://other.example/two');
      await Promise.all([
        desk.merge(editor, b.id, { version: 1, into: a.id }),
        (async () => {
          for (let i = 0; i < offset; i++) await redis.ping();
          await commit('c', 'https://other.example/two');
        })(),
      ]);
      const target = (await getDraft(redis, keys, a.id))!;
      if (!target.coverage.some((c) => c.sourceId === 'c')) lost.push(`offset ${offset}: A lists ${target.coverage.map((c) => c.sourceId).join(',')}; B lists ${(await getDraft(redis, keys, b.id))!.coverage.map((c) => c.sourceId).join(',')}`);
    }
    expect(lost).toEqual([]);
  });
});
