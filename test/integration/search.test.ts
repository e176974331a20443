import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { migrateCommand } from '../../src/cli/commands/migrate.ts';
import { annotateDrafts } from '../../src/annotate/annotateDrafts.ts';
import { loadTaxonomy } from '../../src/categories/loadTaxonomy.ts';
import { createLogger } from '../../src/log.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createDesk } from '../../src/review/createDesk.ts';
import { getDraft, getDrafts } from '../../src/review/draftStore.ts';
import { rebuildMutex, rebuildSearch } from '../../src/search/rebuildSearch.ts';
import { searchIndex } from '../../src/search/querySearch.ts';
import { toSearchTokens } from '../../src/search/searchText.ts';
import { walkIndex } from '../../src/review/walkIndex.ts';
import { searchKeys, SEARCH_VERSION } from '../../src/search/searchIndex.ts';
import type { RuleOutcome } from '../../src/rules/types.ts';
import { EDITORIAL, withDesk, type DeskHarness } from '../helpers/desk.ts';

const headlines = async (h: DeskHarness, query: string, token = h.tokens.viewer): Promise<string[]> => {
  const r = await h.api('GET', `/api/drafts?limit=200&${query}`, { token });
  expect(r.status, r.text).toBe(200);
  return r.body.drafts.map((d: { headline: string }) => d.headline).sort();
};

const version = async (h: DeskHarness, id: string) => (await getDraft(h.redis, h.keys, id))!.version;

describe('desk search (real Redis)', () => {
  it('finds by word prefixes in headline, excerpt, tags, source name and author, folded for case, accents, widths and invisible characters; CJK without spaces', async () => {
    await withDesk(async (h) => {
      await h.seed([
        { title: 'DRAM prices climb again', author: 'Łukasz Müller' },
        { title: 'Semiconductors: the week in chips', summary: 'Zürich startup ships a new wafer tool.' },
        { title: '台积电扩大半导体产能', categories: ['Foundry'] },
        { title: 'Nothing relevant here' },
      ]);
      expect(await headlines(h, 'q=dram')).toEqual(['DRAM prices climb again']);
      expect(await headlines(h, 'q=semicond')).toEqual(['Semiconductors: the week in chips']);
      expect(await headlines(h, 'q=zurich')).toEqual(['Semiconductors: the week in chips']);
      expect(await headlines(h, `q=${encodeURIComponent('ＺÜＲＩ')}`)).toEqual(['Semiconductors: the week in chips']);
      expect(await headlines(h, `q=${encodeURIComponent('d\u200Bram')}`)).toEqual(['DRAM prices climb again']);
      expect(await headlines(h, 'q=lukasz')).toEqual(['DRAM prices climb again']);
      expect(await headlines(h, `q=${encodeURIComponent('半导体')}`)).toEqual(['台积电扩大半导体产能']);
      expect(await headlines(h, `q=${encodeURIComponent('产')}`)).toEqual(['台积电扩大半导体产能']);
      expect(await headlines(h, 'q=found')).toEqual(['台积电扩大半导体产能']);
      // Several words: each must start some word of the draft.
      expect(await headlines(h, 'q=dram%20cli')).toEqual(['DRAM prices climb again']);
      expect(await headlines(h, 'q=dram%20wafer')).toEqual([]);
      // The source's name is searched too: every draft is from Tom's Hardware.
      expect(await headlines(h, 'q=hardw')).toHaveLength(4);
    });
  });

  it('tag, category and source filters are case-insensitive whole values; source by id or name; the facets list what exists per status', async () => {
    await withDesk(async (h) => {
      const ids = await h.seed([{ title: 'One', categories: ['GPUs'] }, { title: 'Two', categories: ['gpus', 'AI'] }, { title: 'Three', categories: ['GPUs'] }]);
      expect(await headlines(h, 'tag=GPUS')).toEqual(['One', 'Three', 'Two']);
      expect(await headlines(h, 'tag=gpu')).toEqual([]);
      expect(await headlines(h, 'source=toms')).toHaveLength(3);
      expect(await headlines(h, `source=${encodeURIComponent('tom’s hardware')}`)).toHaveLength(3);
      expect(await headlines(h, 'category=infrastructure%20software')).toHaveLength(3);
      const facets = await h.api('GET', '/api/facets', { token: h.tokens.viewer });
      expect(facets.status, facets.text).toBe(200);
      expect(facets.body.partial).toBe(false);
      expect(facets.body.sources).toEqual([{ id: 'toms', name: 'Tom’s Hardware', count: 3 }]);
      // "GPUs" and "gpus" are one value, under its commonest spelling.
      expect(facets.body.tags).toEqual([{ value: 'GPUs', count: 3 }, { value: 'AI', count: 1 }]);
      expect(facets.body.categories).toEqual([{ value: 'Infrastructure Software', count: 3 }]);
      // A rejection moves the draft's facets to the rejected list.
      const rejected = await h.api('POST', `/api/drafts/${ids[1]}/reject`, { token: h.tokens.editor, body: { version: 1, reason: 'off topic' } });
      expect(rejected.status, rejected.text).toBe(200);
      expect((await h.api('GET', '/api/facets', { token: h.tokens.viewer })).body.tags).toEqual([{ value: 'GPUs', count: 2 }]);
      expect((await h.api('GET', '/api/facets?status=rejected', { token: h.tokens.viewer })).body.tags.map((t: { value: string }) => t.value).sort()).toEqual(['AI', 'gpus']);
      expect((await h.api('GET', '/api/facets?status=nope', { token: h.tokens.viewer })).status).toBe(422);
    });
  });

  it('stays true through an editor edit, the annotate stage\'s tags, decisions, and across two desks on two connections', async () => {
    await withDesk(async (h) => {
      const [a, b] = await h.seed([{ title: 'Memory makers raise prices' }, { title: 'Quarterly results' }]);
      expect(await headlines(h, 'q=memory')).toEqual(['Memory makers raise prices']);
      const edit = await h.api('PATCH', `/api/drafts/${a}`, { token: h.tokens.editor, body: { version: 1, headline: 'HBM makers raise prices', tags: ['Hynix'] } });
      expect(edit.status, edit.text).toBe(200);
      expect(await headlines(h, 'q=memory')).toEqual([]);
      expect(await headlines(h, 'q=hbm')).toEqual(['HBM makers raise prices']);
      expect(await headlines(h, 'q=hyn')).toEqual(['HBM makers raise prices']);

      // The annotate stage's rule tags are searchable (written through the desk's script).
      const tagger = (): RuleOutcome => ({ hits: [{ rule: 'earnings', action: 'tag', detail: 'x' }], boost: 0, tags: ['earnings'], view: null, drop: null });
      const taxonomy = await loadTaxonomy('config/categories.yaml');
      await annotateDrafts({ redis: h.redis, keys: h.keys, now: () => h.clock.now(), rules: { current: () => ({ rules: [] }) }, taxonomy: { current: () => taxonomy }, weightOf: () => 0.8, match: tagger }, [b!], 'new');
      expect((await getDraft(h.redis, h.keys, b!))!.tags).toContain('earnings');
      expect(await headlines(h, 'q=earn')).toEqual(['Quarterly results']);
      expect(await headlines(h, 'tag=Earnings')).toEqual(['Quarterly results']);

      // A second desk on its own connection (another process) sees the same index, and its decisions show here.
      const other = createRedis(h.settings.redisUrl);
      const second = createDesk(h.settings, other, h.clock, createLogger('silent'));
      try {
        const editor = { name: 'editor2', role: 'editor' as const };
        expect((await second.desk.list(editor, { q: 'hbm' })).drafts.map((d) => d.id)).toEqual([a]);
        const edited = await second.desk.edit(editor, a!, { version: await version(h, a!), ...EDITORIAL });
        await second.desk.approve(editor, a!, { version: edited.version });
        expect(await headlines(h, 'q=hbm')).toEqual([]);
        expect(await headlines(h, 'q=hbm&status=approved')).toEqual(['HBM makers raise prices']);
        await second.desk.reject(editor, b!, { version: await version(h, b!), reason: 'not news' });
        expect(await headlines(h, 'q=quarter&status=rejected')).toEqual(['Quarterly results']);
        expect(await headlines(h, 'q=quarter')).toEqual([]);
      } finally {
        await second.close();
        await other.quit();
      }
    });
  });

  it('a lost index (version key gone, as after a Redis restore or a first start) is rebuilt and nothing is hidden meanwhile; drafts written without an entry are found after the rebuild', async () => {
    await withDesk(async (h) => {
      const [a] = await h.seed([{ title: 'Optical interconnects scale out' }, { title: 'Other' }]);
      expect(await headlines(h, 'q=optic')).toEqual(['Optical interconnects scale out']);
      const s = searchKeys(h.keys);
      expect(await h.redis.get(s.version)).toBe(SEARCH_VERSION);
      // The index keys vanish (evicted, or a crash of an older version between a draft and its entry).
      await h.redis.del(s.version, s.postings, s.docs);
      expect(await headlines(h, 'q=optic')).toEqual(['Optical interconnects scale out']);
      expect(await h.redis.get(s.version)).toBe(SEARCH_VERSION);
      expect(await h.redis.hexists(s.docs, a!)).toBe(1);
      // A stale entry (the index says it matches, the draft no longer does) is checked against the draft.
      await h.redis.zadd(s.postings, 0, `zebra\u0000${a}`);
      expect(await headlines(h, 'q=zebra')).toEqual([]);
      // `signal-desk migrate` rebuilds the index, which drops it.
      let printed = '';
      const out = new Writable({ write: (chunk, _enc, done) => ((printed += String(chunk)), done()) });
      expect(await migrateCommand(h.settings, {}, out)).toBe(0);
      expect(printed).toContain('Search index rebuilt: 2 drafts indexed.');
      expect(await h.redis.zscore(s.postings, `zebra\u0000${a}`)).toBeNull();
      expect(await headlines(h, 'q=optic')).toEqual(['Optical interconnects scale out']);
      // Another process rebuilding (its lock held): this one leaves it alone.
      const other = rebuildMutex(h.redis, h.keys);
      expect(await other.tryAcquire()).toBe(true);
      expect(await rebuildSearch(h.redis, h.keys)).toEqual({ indexed: 0, ran: false });
      await other.release();
      expect(await rebuildSearch(h.redis, h.keys)).toMatchObject({ indexed: 2, ran: true });
    });
  });

  it('a rare match deep in a big queue is found on the first page (no scan budget miss) and pages without repeats', async () => {
    await withDesk(async (h) => {
      // 6,000 drafts, more than the 5,000 entries a filtered walk reads per request: the rare ones are ranked last.
      const items = Array.from({ length: 6000 }, (_, i) => ({ title: i % 2000 === 1999 ? `Needle story ${i}` : `Hay story ${i}`, publishedAt: new Date(h.clock.now() - i * 60_000).toISOString() }));
      for (let i = 0; i < items.length; i += 1000) await h.seed(items.slice(i, i + 1000));
      await rebuildSearch(h.redis, h.keys);
      const first = await h.api('GET', '/api/drafts?q=needle&sort=age&limit=2', { token: h.tokens.viewer });
      expect(first.body.drafts.map((d: { headline: string }) => d.headline)).toEqual(['Needle story 1999', 'Needle story 3999']);
      const next = await h.api('GET', `/api/drafts?q=needle&sort=age&limit=2&cursor=${first.body.nextCursor}`, { token: h.tokens.viewer });
      expect(next.body.drafts.map((d: { headline: string }) => d.headline)).toEqual(['Needle story 5999']);
      expect(next.body.nextCursor).toBeNull();
      // A common word (walk path) pages too.
      const common = await h.api('GET', '/api/drafts?q=story&sort=age&limit=3', { token: h.tokens.viewer });
      expect(common.body.drafts.map((d: { headline: string }) => d.headline)).toEqual(['Hay story 0', 'Hay story 1', 'Hay story 2']);
    });
  }, 60_000);

  it('the queue page\'s filters are pick lists of the values that exist, and its search box finds by prefix', async () => {
    await withDesk(async (h) => {
      await h.seed([{ title: 'DRAM glut', categories: ['Memory'] }, { title: 'Other news', categories: ['<b>x</b>'] }]);
      const login = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token: h.tokens.viewer, next: '/' }), redirect: 'manual' });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const page = await (await fetch(`${h.url}/?q=dra&source=toms`, { headers: { cookie } })).text();
      const form = /<form class="filters"[\s\S]*?<\/form>/.exec(page)![0];
      expect(form).toContain('<select name="category"><option value="">Any</option><option value="Infrastructure Software">Infrastructure Software (2)</option></select>');
      expect(form).toContain('<option value="toms" selected>Tom’s Hardware (2)</option>');
      expect(form).toMatch(/<datalist id="tag-values">.*<option value="Memory">Memory \(1\)<\/option>/);
      expect(form).toContain('&lt;b&gt;x&lt;/b&gt;');
      const placeholder = /placeholder="([^"]+)" size="(\d+)"/.exec(form)!;
      expect(Number(placeholder[2])).toBeGreaterThanOrEqual(placeholder[1]!.length);
      expect(page).toContain('DRAM glut');
      expect(page).not.toContain('Other news');
    });
  });

  it('both ways of answering (ranking the candidates, or walking the status index for a common term) give the index\'s own order, ties included, across script calls', async () => {
    await withDesk(async (h) => {
      // One commit: every draft shares its discovery time, so review ranks tie in groups.
      await h.seed(Array.from({ length: 450 }, (_, i) => ({ title: `${i % 3 ? 'Hay' : 'Needle hay'} ${i}`, publishedAt: new Date(h.clock.now() - (i % 4) * 60_000).toISOString() })));
      for (const index of [h.keys.review, h.keys.byAge('pending')]) {
        const all: string[] = [];
        for await (const batch of walkIndex(h.redis, index)) all.push(...batch.map((e) => e.id));
        const drafts = new Map((await getDrafts(h.redis, h.keys, all)).map((d) => [d.id, d]));
        for (const terms of [[{ text: 'hay', prefix: true }], [{ text: 'need', prefix: true }, { text: 'hay', prefix: false }]]) {
          const expected = all.filter((id) => terms.every((t) => toSearchTokens(drafts.get(id)!.headline).some((w) => (t.prefix ? w.startsWith(t.text) : w === t.text))));
          for (const candidatesMax of [0, 20_000]) {
            const got: string[] = [];
            for await (const batch of searchIndex(h.redis, h.keys, index, terms, undefined, candidatesMax)) got.push(...batch.map((e) => e.id));
            expect(got, `${index} ${JSON.stringify(terms)} ${candidatesMax}`).toEqual(expected);
          }
        }
      }
    });
  });

  it('Redis restarted empty: new drafts are found at once; a big queue that lost its index answers by walking the drafts while it rebuilds in the background', async () => {
    await withDesk(async (h) => {
      const s = searchKeys(h.keys);
      await h.seed([{ title: 'Before the restart' }]);
      expect(await headlines(h, 'q=restart')).toEqual(['Before the restart']);
      // Everything under the prefix is gone, as after a restart without persistence.
      await h.redis.del(...(await h.redis.keys(`${h.keys.prefix}:*`)).filter((k) => !k.includes(':user') && !k.includes(':token:')));
      await h.seed([{ title: 'After the restart' }]);
      expect(await headlines(h, 'q=restart')).toEqual(['After the restart']);
      expect(await h.redis.get(s.version)).toBe(SEARCH_VERSION);

      // Past INLINE_REBUILD_MAX drafts, a lost index is rebuilt in the background; the answer meanwhile is complete for what the walk reads.
      await h.seed(Array.from({ length: 2100 }, (_, i) => ({ title: i === 5 ? 'Needle in the stack' : `Hay ${i}` })));
      await h.redis.del(s.version, s.postings, s.docs);
      expect(await headlines(h, 'q=needle')).toEqual(['Needle in the stack']);
      for (let i = 0; i < 600 && (await h.redis.get(s.version)) !== SEARCH_VERSION; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await h.redis.get(s.version)).toBe(SEARCH_VERSION);
      expect(await h.redis.hlen(s.docs)).toBe(2101);
      expect(await headlines(h, 'q=needle')).toEqual(['Needle in the stack']);
    });
  }, 90_000);

  it('thousands of distinct tags do not make the pick lists heavy: tags are sampled (partial), categories and sources stay whole', async () => {
    await withDesk(async (h) => {
      await h.seed(Array.from({ length: 260 }, (_, i) => ({ title: `T ${i}`, categories: Array.from({ length: 20 }, (_, j) => `tag-${i}-${j}`) })));
      const facets = await h.api('GET', '/api/facets', { token: h.tokens.viewer });
      expect(facets.body.partial).toBe(true);
      expect(facets.body.tags.length).toBe(300);
      expect(facets.body.categories).toEqual([{ value: 'Infrastructure Software', count: 260 }]);
      expect(facets.body.sources).toEqual([{ id: 'toms', name: 'Tom’s Hardware', count: 260 }]);
      expect(await headlines(h, 'tag=TAG-259-19')).toEqual(['T 259']);
    });
  }, 60_000);
});
