import { afterEach, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { readHealth } from '../../src/schedule/healthStore.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { source, withPipeline } from '../helpers/pipeline.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const items = [1, 2, 3].map((i) => ({ guid: `g-${i}`, title: `Story ${i}`, link: `https://pub.example/${i}` }));

describe('a truncated feed read leniently', () => {
  it('drafts its whole items, warns in health, keeps no validators; the next poll fetches it whole and clears the warning', async () => {
    let body = rss(items).slice(0, -60); // cut inside the third item
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"', 'last-modified': 'Mon, 30 Nov 2026 10:00:00 GMT' }).end(body);
    });
    cleanups.push(() => server.close());
    const src = source('cut', server.url('/feed'));
    await withPipeline([src], async (p) => {
      const [first] = await p.once();
      expect(first!.newDrafts).toBe(2);
      expect((await p.drafts()).map((d) => d.title).sort()).toEqual(['Story 1', 'Story 2']);
      const state = await p.state('cut');
      expect(state.etag).toBeUndefined();
      expect(state.lastModified).toBeUndefined();
      const redis = createRedis(p.settings.redisUrl);
      cleanups.push(() => redis.quit());
      const [health] = await readHealth(redis, createKeys(p.settings.prefix), [src], Date.now());
      expect(health!.state).toBe('ok');
      expect(health!.warning).toMatchObject({ code: 'malformed_xml' });
      expect(health!.warning!.message).toContain('an item cut off at the end was dropped');

      // The whole document now: no If-None-Match was sent, so the third item arrives.
      body = rss(items);
      const [second] = await p.once();
      expect(server.requests).toHaveLength(2);
      expect(server.requests[1]!.headers['if-none-match']).toBeUndefined();
      expect(server.requests[1]!.headers['if-modified-since']).toBeUndefined();
      expect(second!.newDrafts).toBe(1);
      expect((await p.state('cut')).etag).toBe('"v1"');
      const [after] = await readHealth(redis, createKeys(p.settings.prefix), [src], Date.now());
      expect(after!.warning).toBeNull();
    });
  });
});
