import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { rss, startServer } from '../helpers/httpServer.ts';
import { source, withPipeline } from '../helpers/pipeline.ts';

const FEED = rss([
  { guid: 'a', title: 'Alpha', link: 'https://pub.example/a' },
  { guid: 'b', title: 'Beta', link: 'https://pub.example/b' },
]);

describe('polling over HTTP (real Redis, local server)', () => {
  it('sends validators back and treats 304 as "nothing to parse, no draft"', async () => {
    const server = await startServer((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return res.writeHead(304).end();
      res.writeHead(200, { etag: '"v1"', 'last-modified': 'Wed, 25 Nov 2026 10:00:00 GMT', 'content-type': 'application/rss+xml' }).end(FEED);
    });
    try {
      await withPipeline([source('s304', server.url('/feed'))], async (p) => {
        const [first] = await p.once();
        expect(first).toMatchObject({ outcome: 'ok', newDrafts: 2 });
        const [second] = await p.once();
        expect(second).toMatchObject({ outcome: 'not_modified', newDrafts: 0, items: 0 });
        expect(server.requests[1]!.headers['if-none-match']).toBe('"v1"');
        expect(server.requests[1]!.headers['if-modified-since']).toBe('Wed, 25 Nov 2026 10:00:00 GMT');
        expect(server.requests[0]!.headers['user-agent']).toMatch(/^SignalDesk\/\S+ \(\+https?:/);
        expect(await p.drafts()).toHaveLength(2);
      });
    } finally {
      await server.close();
    }
  });

  it('a second 200 with the same items adds no draft', async () => {
    const server = await startServer((_req, res) => res.writeHead(200).end(FEED));
    try {
      await withPipeline([source('same', server.url('/feed'))], async (p) => {
        await p.once();
        const [again] = await p.once();
        expect(again).toMatchObject({ outcome: 'ok', newDrafts: 0, duplicates: 2 });
        expect(await p.drafts()).toHaveLength(2);
      });
    } finally {
      await server.close();
    }
  });

  it('follows redirects, records a permanent one on the source state', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/old') return res.writeHead(301, { location: '/middle' }).end();
      if (req.url === '/middle') return res.writeHead(308, { location: '/new' }).end();
      res.writeHead(200).end(FEED);
    });
    try {
      await withPipeline([source('moved', server.url('/old'))], async (p) => {
        const [r] = await p.once();
        expect(r).toMatchObject({ outcome: 'ok', newDrafts: 2 });
        expect((await p.state('moved')).movedTo).toBe(server.url('/new'));
      });
    } finally {
      await server.close();
    }
  });

  it('does not record a temporary redirect as a move', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/old') return res.writeHead(302, { location: '/new' }).end();
      res.writeHead(200).end(FEED);
    });
    try {
      await withPipeline([source('temp', server.url('/old'))], async (p) => {
        await p.once();
        expect((await p.state('temp')).movedTo).toBeUndefined();
      });
    } finally {
      await server.close();
    }
  });

  it('refuses a redirect to a private address, even when the first host is allowed', async () => {
    const server = await startServer((_req, res) => res.writeHead(302, { location: 'http://10.255.255.1/feed' }).end());
    try {
      await withPipeline([source('ssrf', server.url('/feed'))], async (p) => {
        const [r] = await p.once();
        expect(r).toMatchObject({ outcome: 'failed', code: 'blocked_address' });
        expect(r!.error).toMatch(/10\.255\.255\.1.*not a public address/);
      });
    } finally {
      await server.close();
    }
  });

  it('refuses loopback when it is not on the allow-list', async () => {
    const server = await startServer((_req, res) => res.writeHead(200).end(FEED));
    try {
      await withPipeline([source('loop', server.url('/feed'))], async (p) => {
        const [r] = await p.once();
        expect(r).toMatchObject({ outcome: 'failed', code: 'blocked_address' });
        expect(server.requests).toHaveLength(0);
      }, { SIGNAL_DESK_ALLOW_PRIVATE: '' });
    } finally {
      await server.close();
    }
  });

  it('stops after 5 redirects', async () => {
    const server = await startServer((req, res) => res.writeHead(302, { location: `/r${Number(req.url!.slice(2) || 0) + 1}` }).end());
    try {
      await withPipeline([source('loopy', server.url('/r0'))], async (p) => {
        const [r] = await p.once();
        expect(r).toMatchObject({ outcome: 'failed', code: 'too_many_redirects' });
        expect(server.requests).toHaveLength(6);
      });
    } finally {
      await server.close();
    }
  });

  it('429 with Retry-After is reported as rate limited, not as a failure', async () => {
    const server = await startServer((_req, res) => res.writeHead(429, { 'retry-after': '120' }).end());
    try {
      await withPipeline([source('busy', server.url('/feed'))], async (p) => {
        const [r] = await p.once();
        expect(r).toMatchObject({ outcome: 'rate_limited', code: 'rate_limited' });
        expect(r!.error).toContain('120s');
        expect(server.requests).toHaveLength(1);
      });
    } finally {
      await server.close();
    }
  });

  it('a scheduled poll that gets 429 waits as a delayed job without spending an attempt', async () => {
    const server = await startServer((_req, res) => res.writeHead(429, { 'retry-after': '3600' }).end());
    try {
      await withPipeline([source('busy2', server.url('/feed'))], async (p) => {
        const job = await p.runtime.ctx.queues.poll.add('poll', { sourceId: 'busy2' });
        await expect.poll(async () => (await job.getState()), { timeout: 5000 }).toBe('delayed');
        const fresh = await p.runtime.ctx.queues.poll.getJob(job.id!);
        expect(fresh!.attemptsMade).toBe(0);
        expect(fresh!.delay + fresh!.timestamp).toBeGreaterThan(Date.now() + 3_500_000);
      });
    } finally {
      await server.close();
    }
  });

  it('410 Gone fails at once (no retries) and stays visible', async () => {
    const server = await startServer((_req, res) => res.writeHead(410).end());
    try {
      await withPipeline([source('gone', server.url('/feed'))], async (p) => {
        const [r] = await p.once();
        expect(r).toMatchObject({ outcome: 'failed', code: 'gone' });
        expect(server.requests).toHaveLength(1);
        const failed = await p.runtime.ctx.queues.poll.getFailed();
        expect(failed.map((j) => j.failedReason)).toEqual([expect.stringMatching(/^gone: HTTP 410/)]);
      });
    } finally {
      await server.close();
    }
  });

  it('a 500 is retried, then reported', async () => {
    const server = await startServer((_req, res) => res.writeHead(500).end());
    try {
      await withPipeline([source('flaky', server.url('/feed'))], async (p) => {
        const [r] = await p.once();
        expect(r).toMatchObject({ outcome: 'failed', code: 'server_error' });
        expect(server.requests).toHaveLength(2);
      });
    } finally {
      await server.close();
    }
  });

  it('caps the decoded size, including a small gzip bomb', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    const server = await startServer((req, res) => {
      if (req.url === '/bomb') return res.writeHead(200, { 'content-encoding': 'gzip' }).end(bomb);
      res.writeHead(200, { 'content-length': String(2 * 1024 * 1024) }).end(Buffer.alloc(2 * 1024 * 1024, 0x20));
    });
    try {
      await withPipeline([source('bomb', server.url('/bomb')), source('big', server.url('/big'))], async (p) => {
        expect(bomb.length).toBeLessThan(100_000);
        const results = await p.once();
        expect(results.map((r) => [r.sourceId, r.outcome, r.code])).toEqual([
          ['bomb', 'failed', 'too_large'],
          ['big', 'failed', 'too_large'],
        ]);
      }, { SIGNAL_DESK_MAX_BYTES: String(1024 * 1024) });
    } finally {
      await server.close();
    }
  });

  it('gives up at the deadline on a server that trickles forever', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      const t = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(t));
    });
    try {
      await withPipeline([source('slow', server.url('/feed'))], async (p) => {
        const started = Date.now();
        const [r] = await p.once();
        expect(r).toMatchObject({ outcome: 'failed', code: 'timeout' });
        expect(Date.now() - started).toBeLessThan(10_000);
      }, { SIGNAL_DESK_FETCH_TIMEOUT_MS: '700' });
    } finally {
      await server.close();
    }
  });

  it('reports a page that is not a feed as not_a_feed, and other sources still work', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/home') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>Welcome</body></html>');
      res.writeHead(200).end(FEED);
    });
    try {
      await withPipeline([source('html', server.url('/home')), source('fine', server.url('/feed'))], async (p) => {
        const results = await p.once();
        expect(results.map((r) => [r.sourceId, r.outcome, r.code, r.newDrafts])).toEqual([
          ['html', 'failed', 'not_a_feed', 0],
          ['fine', 'ok', 'ok', 2],
        ]);
      });
    } finally {
      await server.close();
    }
  });

  it('decodes charsets from the header and the XML declaration', async () => {
    const latin = iconv.encode(`<?xml version="1.0" encoding="windows-1252"?><rss version="2.0"><channel><title>x</title><item><guid>1</guid><title>“Smart” quotes – and dashes</title><link>https://pub.example/q</link></item></channel></rss>`, 'windows-1252');
    const koi = iconv.encode(`<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><guid>2</guid><title>Новости</title><link>https://pub.example/r</link></item></channel></rss>`, 'koi8-r');
    const server = await startServer((req, res) => {
      if (req.url === '/latin') return res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(latin);
      res.writeHead(200, { 'content-type': 'text/xml; charset=KOI8-R' }).end(koi);
    });
    try {
      await withPipeline([source('latin', server.url('/latin')), source('koi', server.url('/koi'))], async (p) => {
        await p.once();
        expect((await p.drafts()).map((d) => d.headline).sort()).toEqual(['Новости', '“Smart” quotes – and dashes']);
      });
    } finally {
      await server.close();
    }
  });
});
