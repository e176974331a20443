import { describe, expect, it } from 'vitest';
import { addUser } from '../../src/auth/userStore.ts';
import { createLogger } from '../../src/log.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { startWebServer } from '../../src/web/startServer.ts';
import { rss, startServer } from '../helpers/httpServer.ts';
import { source, withPipeline } from '../helpers/pipeline.ts';

const metric = (text: string, line: string) => {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
};

describe('observability', () => {
  it('/metrics counts polls by outcome, new and duplicate items, fetch time, queue depths and sources by health', async () => {
    const server = await startServer((req, res) =>
      req.url === '/broken' ? res.writeHead(503).end() : res.writeHead(200).end(rss([{ guid: 'a', title: 'A', link: 'https://pub.example/a' }, { guid: 'b', title: 'B', link: 'https://pub.example/b' }])),
    );
    try {
      const sources = [source('one', server.url('/feed')), source('two', server.url('/broken'))];
      await withPipeline(sources, async (p) => {
        const web = await startWebServer(p.settings, { port: 0, host: '127.0.0.1', logger: createLogger('silent'), metrics: p.runtime.ctx.metrics });
        try {
          await p.once();
          await p.once();
          const res = await fetch(`${web.url}/metrics`);
          expect(res.headers.get('content-type')).toContain('text/plain');
          const text = await res.text();
          expect(metric(text, 'signal_desk_polls_total{outcome="ok",code="ok"}')).toBe(2);
          expect(metric(text, 'signal_desk_polls_total{outcome="transient",code="server_error"}')).toBe(4); // two attempts per run
          expect(metric(text, 'signal_desk_items_total{kind="new"}')).toBe(2);
          expect(metric(text, 'signal_desk_items_total{kind="duplicate"}')).toBe(2);
          expect(metric(text, 'signal_desk_fetch_duration_seconds_count{outcome="ok"}')).toBe(2);
          expect(metric(text, 'signal_desk_queue_jobs{queue="ingest",state="completed"}')).toBe(1);
          expect(metric(text, 'signal_desk_sources{health="ok"}')).toBe(1);
          expect(metric(text, 'signal_desk_sources{health="failing"}')).toBe(1);
          expect(text).toContain('signal_desk_process_cpu_user_seconds_total');
        } finally {
          await web.close();
        }
      });
    } finally {
      await server.close();
    }
  });

  it('the queue dashboard (bull-board) is for operators only', async () => {
    await withPipeline([], async (p) => {
      const web = await startWebServer(p.settings, { port: 0, host: '127.0.0.1', logger: createLogger('silent') });
      try {
        const keys = createKeys(p.settings.prefix);
        const operator = (await addUser(p.runtime.ctx.redis, keys, 'op', 'operator', new Date())).token;
        const editor = (await addUser(p.runtime.ctx.redis, keys, 'ed', 'editor', new Date())).token;
        expect((await fetch(`${web.url}/admin/queues`)).status).toBe(401);
        const denied = await fetch(`${web.url}/admin/queues`, { headers: { authorization: `Bearer ${editor}` } });
        expect(denied.status).toBe(403);
        expect((await denied.json()).message).toContain('needs role operator');
        const page = await fetch(`${web.url}/admin/queues`, { headers: { authorization: `Bearer ${operator}` } });
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('Signal Desk queues');
        const api = await fetch(`${web.url}/admin/queues/api/queues?activeQueue=poll&page=1`, { headers: { authorization: `Bearer ${operator}` } });
        expect((await api.json()).queues.map((q: { name: string }) => q.name).sort()).toEqual(['annotate', 'enrich', 'ingest', 'poll', 'stories', 'webhook']);
      } finally {
        await web.close();
      }
    });
  });
});
