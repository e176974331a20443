import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pingRedis } from '../../src/queue/connection.ts';
import { SCAN_BUDGET } from '../../src/review/listDrafts.ts';
import { CANDIDATES_MAX } from '../../src/search/querySearch.ts';
import { INLINE_REBUILD_MAX, rebuildSearch } from '../../src/search/rebuildSearch.ts';
import { indexKeyList, SEARCH_VERSION, searchKeys } from '../../src/search/searchIndex.ts';
import { withDesk } from '../helpers/desk.ts';

describe('search index lost or rebuilding, attacked', () => {
  it('/api/facets with the index version key missing (a store from before the index, or a rebuild under way) still counts every draft', async () => {
    await withDesk(async (h) => {
      await h.seed([{ title: 'Memory prices climb', categories: ['chips'] }, { title: 'Another one', categories: ['chips'] }, { title: 'Third', categories: ['cloud'] }]);
      const before = await h.api('GET', '/api/facets', { token: h.tokens.viewer });
      expect(before.status).toBe(200);
      const tags = (b: { tags: { value: string; count: number }[] }) => Object.fromEntries(b.tags.map((t) => [t.value, t.count]));
      expect(tags(before.body)).toEqual({ chips: 2, cloud: 1 });
      // The index is gone (as after an upgrade over an existing queue, or while `migrate` rebuilds it), the drafts are not.
      await h.redis.del(searchKeys(h.keys).version, ...indexKeyList(h.keys));
      const after = await h.api('GET', '/api/facets', { token: h.tokens.viewer });
      expect(after.status).toBe(200);
      expect(tags(after.body)).toEqual({ chips: 2, cloud: 1 });
      expect(after.body.sources.reduce((n: number, s: { count: number }) => n + s.count, 0)).toBe(3);
    });
  });
});

describe('facets while a big desk rebuilds its index', () => {
  it('over INLINE_REBUILD_MAX drafts, /api/facets says the counts are partial while the background rebuild runs, and counts every draft after it', { timeout: 60_000 }, async () => {
    await withDesk(async (h) => {
      const n = INLINE_REBUILD_MAX + 1;
      await h.seed(Array.from({ length: n }, (_, i) => ({ title: `Item ${i}`, categories: ['chips'] })));
      await h.redis.del(searchKeys(h.keys).version, ...indexKeyList(h.keys));
      const during = await h.api('GET', '/api/facets', { token: h.tokens.viewer });
      expect(during.status).toBe(200);
      expect(during.body).toMatchObject({ partial: true, rebuilding: true });
      await expect.poll(async () => (await h.redis.get(searchKeys(h.keys).version)) === SEARCH_VERSION, { timeout: 30_000, interval: 100 }).toBe(true);
      const after = await h.api('GET', '/api/facets', { token: h.tokens.viewer });
      expect(after.body.rebuilding).toBeUndefined();
      expect(after.body.tags).toEqual([{ value: 'chips', count: n }]);
    });
  });
});

describe('search at scale, attacked', () => {
  it('two common words that never meet (each on over 20,000 drafts) answer within the per-request budget with a cursor, not by walking the whole queue', { timeout: 180_000 }, async () => {
    const port = 6393 + Math.floor(Math.random() * 50);
    const dir = mkdtempSync(join(tmpdir(), 'sd-a3-redis-'));
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    try {
      const url = `redis://127.0.0.1:${port}`;
      for (let i = 0; i < 100 && !(await pingRedis(url, 200)); i++) await new Promise((r) => setTimeout(r, 50));
      await withDesk(async (h) => {
        await rebuildSearch(h.redis, h.keys); // a fresh deployment: the empty index is complete, then kept by every write
        const half = CANDIDATES_MAX + 1;
        for (let start = 0; start < 2 * half; start += 2000) {
          const n = Math.min(2000, 2 * half - start);
          await h.seed(Array.from({ length: n }, (_, i) => ({ title: `${start + i < half ? 'alpha' : 'beta'} ${start + i}` })));
        }
        expect(await h.redis.get(searchKeys(h.keys).version)).toBe(SEARCH_VERSION);
        const started = performance.now();
        const r = await h.api('GET', '/api/drafts?limit=50&q=alpha%20beta', { token: h.tokens.viewer });
        const ms = performance.now() - started;
        expect(r.status, r.text).toBe(200);
        expect(r.body.drafts).toEqual([]);
        // At most SCAN_BUDGET entries were read: the page is empty and says where to go on.
        expect(r.body.nextCursor, `answered in ${Math.round(ms)} ms`).not.toBeNull();
        // Following the cursors reaches the end of the queue, having found nothing.
        let cursor: string | null = r.body.nextCursor;
        let pages = 1;
        while (cursor) {
          const next = await h.api('GET', `/api/drafts?limit=50&q=alpha%20beta&cursor=${encodeURIComponent(cursor)}`, { token: h.tokens.viewer });
          expect(next.body.drafts).toEqual([]);
          cursor = next.body.nextCursor;
          pages++;
        }
        expect(pages).toBeGreaterThanOrEqual(Math.floor((2 * half) / SCAN_BUDGET));
        expect(pages).toBeLessThanOrEqual(Math.ceil((2 * half) / SCAN_BUDGET) + 1);
      }, { REDIS_URL: url });
    } finally {
      server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the queue at scale, attacked', () => {
  it('one poll of 20,000 undated items (one tie in the age order): page 2 reads a page, not the whole tie group', { timeout: 180_000 }, async () => {
    const port = 6443 + Math.floor(Math.random() * 50);
    const dir = mkdtempSync(join(tmpdir(), 'sd-a3-redis-'));
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    try {
      const url = `redis://127.0.0.1:${port}`;
      for (let i = 0; i < 100 && !(await pingRedis(url, 200)); i++) await new Promise((r) => setTimeout(r, 50));
      await withDesk(async (h) => {
        await rebuildSearch(h.redis, h.keys);
        for (let start = 0; start < 20_000; start += 2000) await h.seed(Array.from({ length: 2000 }, (_, i) => ({ title: `Undated ${start + i}`, publishedAt: null, summary: 'x'.repeat(500) })));
        const sent = async () => Number(/total_net_output_bytes:(\d+)/.exec(await h.redis.info('stats'))![1]);
        for (const query of ['sort=age&limit=50', 'sort=age&limit=50&q=undated']) {
          const first = await h.api('GET', `/api/drafts?${query}`, { token: h.tokens.viewer });
          expect(first.body.drafts).toHaveLength(50);
          const before = await sent();
          const second = await h.api('GET', `/api/drafts?${query}&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: h.tokens.viewer });
          const bytes = (await sent()) - before;
          expect(second.body.drafts).toHaveLength(50);
          expect(new Set([...first.body.drafts, ...second.body.drafts].map((d: { id: string }) => d.id)).size).toBe(100);
          // 50 drafts of about 1.5 kB each, and their claims: well under 2 MB. The whole tie group is over 20 MB.
          expect(bytes, query).toBeLessThan(2_000_000);
        }
      }, { REDIS_URL: url });
    } finally {
      server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
