import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startRuntime } from '../../workers/runtime.ts';
import { EDITORIAL, withDesk, type DeskHarness } from '../helpers/desk.ts';
import { startServer } from '../helpers/httpServer.ts';

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function publishable(h: DeskHarness, fields: Record<string, unknown> = {}): Promise<{ id: string; version: number }> {
  const [id] = await h.seed([{ summary: 'The source says many things about its own story, which we never republish anywhere at all.', ...fields }]);
  const e = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 1, ...EDITORIAL } });
  return { id: id!, version: e.body.version };
}

describe('webhook', () => {
  it('POSTs each published signal, HMAC-SHA256 signed, and retries after the receiver fails once', async () => {
    const deliveries: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const receiver = await startServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        deliveries.push({ headers: req.headers, body });
        res.writeHead(deliveries.length === 1 ? 503 : 204).end();
      });
    });
    const secret = 'test-secret-0123456789abcdef';
    try {
      await withDesk(
        async (h) => {
          const runtime = await startRuntime(h.settings, []);
          try {
            const { id, version } = await publishable(h);
            const approved = await h.api('POST', `/api/drafts/${id}/approve`, { token: h.tokens.editor, body: { version } });
            expect(approved.status).toBe(200);
            await until('two deliveries', () => deliveries.length >= 2 || undefined);
            // Read the job after it is completed: a job read first can be the snapshot of its last attempt still running.
            await until('the job to complete', async () => (await (await runtime.ctx.queues.webhook.getJob(approved.body.signal.id))?.isCompleted()) || undefined);
            const job = await runtime.ctx.queues.webhook.getJob(approved.body.signal.id);
            expect(job!.attemptsMade).toBe(2);
            expect(deliveries).toHaveLength(2);

            const { headers, body } = deliveries[1]!;
            expect(headers['content-type']).toBe('application/json');
            expect(headers['x-signal-desk-event']).toBe('signal.published');
            expect(headers['x-signal-desk-delivery']).toBe(approved.body.signal.id);
            const expected = `sha256=${createHmac('sha256', secret).update(`${headers['x-signal-desk-timestamp']}.${body}`).digest('hex')}`;
            expect(headers['x-signal-desk-signature']).toBe(expected);
            // Tampering with the body breaks the signature.
            expect(createHmac('sha256', secret).update(`${headers['x-signal-desk-timestamp']}.${body} `).digest('hex')).not.toBe(expected.slice(7));
            const payload = JSON.parse(body);
            expect(payload).toMatchObject({ event: 'signal.published', signal: { id: approved.body.signal.id, whyImportant: EDITORIAL.whyImportant } });
            expect(body).not.toContain('never republish');
          } finally {
            await runtime.stop();
          }
        },
        { SIGNAL_DESK_WEBHOOK_URL: receiver.url('/hook'), SIGNAL_DESK_WEBHOOK_SECRET: secret, SIGNAL_DESK_BACKOFF_MS: '50' },
      );
    } finally {
      await receiver.close();
    }
  });
});

describe('webhook outbox', () => {
  it('delivers a signal whose delivery was never queued (a crash after publishing), exactly once', async () => {
    const { Desk } = await import('../../src/review/desk.ts');
    const { sweepWebhookOutbox } = await import('../../src/publish/webhookOutbox.ts');
    const deliveries: string[] = [];
    const receiver = await startServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        deliveries.push(JSON.parse(body).signal.id);
        res.writeHead(200).end();
      });
    });
    try {
      await withDesk(
        async (h) => {
          const runtime = await startRuntime(h.settings, []);
          try {
            await sweepWebhookOutbox(h.redis, h.keys, runtime.ctx.queues.webhook); // what every worker start does
            // A desk with no webhook hook: publishing happens, queuing the delivery does not (as if killed in between).
            const crashing = new Desk({ redis: h.redis, keys: h.keys, clock: h.clock, claimMs: 60_000 });
            const { id, version } = await publishable(h);
            const { signal } = await crashing.approve({ name: 'editor', role: 'editor' }, id, { version });
            await new Promise((r) => setTimeout(r, 300));
            expect(deliveries).toEqual([]);

            await runtime.ctx.queues.webhook.add('sweep', {});
            await until('the swept delivery', () => deliveries.length === 1 || undefined);
            expect(deliveries).toEqual([signal.id]);
            // Sweeping again finds nothing: the entry was acknowledged.
            expect(await sweepWebhookOutbox(h.redis, h.keys, runtime.ctx.queues.webhook)).toBe(0);

            // The normal path: approval queues the delivery, and the sweep's second attempt at it is a no-op
            // because the job id is the signal id.
            const second = await publishable(h);
            const approved = await h.api('POST', `/api/drafts/${second.id}/approve`, { token: h.tokens.editor, body: { version: second.version } });
            expect(await sweepWebhookOutbox(h.redis, h.keys, runtime.ctx.queues.webhook)).toBe(1);
            await until('the second delivery', () => deliveries.length === 2 || undefined);
            await new Promise((r) => setTimeout(r, 300));
            expect(deliveries).toEqual([signal.id, approved.body.signal.id]);
          } finally {
            await runtime.stop();
          }
        },
        { SIGNAL_DESK_WEBHOOK_URL: receiver.url('/hook'), SIGNAL_DESK_WEBHOOK_SECRET: 'outbox-secret-0123456789', SIGNAL_DESK_BACKOFF_MS: '50' },
      );
    } finally {
      await receiver.close();
    }
  });
});

/** Logs in through the form like a browser; returns the cookie and the page's CSRF token. */
async function login(h: DeskHarness, token: string): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const res = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token, next: '/' }), redirect: 'manual' });
  expect(res.status).toBe(303);
  const setCookie = res.headers.get('set-cookie')!;
  const cookie = setCookie.split(';')[0]!;
  const page = await (await fetch(`${h.url}/`, { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]!;
  return { cookie, csrf, setCookie };
}

describe('browser sessions', () => {
  it('log in with a token: an HttpOnly, SameSite=Strict cookie; changes need the CSRF token and a same-site origin', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      const bad = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token: 'sdk_nope' }), redirect: 'manual' });
      expect(bad.status).toBe(401);
      expect(await bad.text()).toContain('That token is not valid');

      const { cookie, csrf, setCookie } = await login(h, h.tokens.editor);
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Strict/i);
      expect(setCookie).toMatch(/Path=\//);

      const noToken = await h.api('POST', `/api/drafts/${id}/claim`, { body: {}, headers: { cookie } });
      expect(noToken.status).toBe(403);
      expect(noToken.body.error).toBe('csrf');
      const crossSite = await h.api('POST', `/api/drafts/${id}/claim`, { body: {}, headers: { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' } });
      expect(crossSite.status).toBe(403);
      expect(crossSite.body.message).toContain('cross-site request refused');
      const fetchMeta = await h.api('POST', `/api/drafts/${id}/claim`, { body: {}, headers: { cookie, 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' } });
      expect(fetchMeta.status).toBe(403);
      for (const origin of ['null', 'not a url']) {
        expect((await h.api('POST', `/api/drafts/${id}/claim`, { body: {}, headers: { cookie, 'x-csrf-token': csrf, origin } })).status).toBe(403);
      }

      const ok = await h.api('POST', `/api/drafts/${id}/claim`, { body: {}, headers: { cookie, 'x-csrf-token': csrf, origin: h.url } });
      expect(ok.status).toBe(200);

      // A form post without the hidden field is refused too; with it, it works and redirects back.
      const form = (fields: Record<string, string>) => fetch(`${h.url}/drafts/${id}/release`, { method: 'POST', headers: { cookie }, body: new URLSearchParams(fields), redirect: 'manual' });
      expect((await form({})).status).toBe(403);
      const released = await form({ _csrf: csrf });
      expect(released.status).toBe(303);
      expect(released.headers.get('location')).toBe(`/drafts/${id}?done=released`);
      expect(await (await fetch(`${h.url}${released.headers.get('location')}`, { headers: { cookie } })).text()).toContain('Claim released.');

      // Revoking the user ends the session at once.
      await h.api('DELETE', '/api/users/editor', { token: h.tokens.operator });
      const after = await fetch(`${h.url}/`, { headers: { cookie }, redirect: 'manual' });
      expect(after.status).toBe(303);
      expect(after.headers.get('location')).toBe('/login?next=%2F');
    });
  });

  it('logout ends the session; login only redirects to our own paths', async () => {
    await withDesk(async (h) => {
      const res = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token: h.tokens.viewer, next: '//evil.example/x' }), redirect: 'manual' });
      expect(res.headers.get('location')).toBe('/');
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
      const page = await (await fetch(`${h.url}/`, { headers: { cookie } })).text();
      const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]!;
      const out = await fetch(`${h.url}/logout`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ _csrf: csrf }), redirect: 'manual' });
      expect(out.status).toBe(303);
      expect((await fetch(`${h.url}/`, { headers: { cookie }, redirect: 'manual' })).status).toBe(303);
    });
  });
});

describe('sources health over the API and on the Sources page', () => {
  it('lists every configured source with its health, escaped on the page', async () => {
    const { writeSourcesFile } = await import('../helpers/workerProcess.ts');
    const file = writeSourcesFile([{ id: 'alpha', url: 'https://alpha.example/feed' }, { id: 'beta', url: 'https://beta.example/feed' }]);
    await withDesk(
      async (h) => {
        await h.redis.hset(h.keys.sourceState('beta'), { lastAttemptAt: '2026-11-27T09:00:00.000Z', lastOutcome: 'transient', lastCode: 'server_error', lastMessage: '<script>alert(1)</script>', consecutiveFailures: '3' });
        const api = await h.api('GET', '/api/sources', { token: h.tokens.viewer });
        expect(api.status).toBe(200);
        expect(api.body.map((s: { id: string; state: string }) => [s.id, s.state])).toEqual([['beta', 'failing'], ['alpha', 'pending']]);
        expect((await h.api('GET', '/api/sources')).status).toBe(401);
        const { cookie } = await login(h, h.tokens.viewer);
        const page = await (await fetch(`${h.url}/sources`, { headers: { cookie } })).text();
        expect(page).toContain('2 sources, <strong>1</strong> need attention');
        expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
        expect(page).not.toContain('<script>alert(1)');
        expect(page).not.toContain('Resume polling'); // nothing paused, and a viewer could not anyway
      },
      { SIGNAL_DESK_SOURCES: file },
    );
  });

  it('operators resume a source paused by 410, over the API or from the Sources page', async () => {
    const { writeSourcesFile } = await import('../helpers/workerProcess.ts');
    const file = writeSourcesFile([{ id: 'gone', url: 'https://gone.example/feed' }]);
    await withDesk(
      async (h) => {
        const pause = () => h.redis.hset(h.keys.sourceState('gone'), { lastAttemptAt: '2026-11-27T09:00:00.000Z', lastCode: 'gone', pausedReason: 'HTTP 410 Gone', pausedUrl: 'https://gone.example/feed', consecutiveFailures: '1' });
        await pause();
        expect((await h.api('POST', '/api/sources/gone/resume', { token: h.tokens.editor })).status).toBe(403);
        expect((await h.api('POST', '/api/sources/nope/resume', { token: h.tokens.operator })).status).toBe(404);
        // Issue 11: resume goes through the audited source-action service; the body adds the action, result and message to `resumed`.
        expect((await h.api('POST', '/api/sources/gone/resume', { token: h.tokens.operator })).body).toEqual({ id: 'gone', action: 'resume', result: 'done', message: 'gone resumed: it is polled again within a minute', resumed: true });
        const state = await h.redis.hgetall(h.keys.sourceState('gone'));
        expect(state.pausedReason).toBeUndefined();
        expect(state.nextJobId).toMatch(/^p-gone-\d+$/); // its chain started again
        expect((await h.api('POST', '/api/sources/gone/resume', { token: h.tokens.operator })).body.resumed).toBe(false);

        await pause();
        const { cookie, csrf } = await login(h, h.tokens.operator);
        const page = await (await fetch(`${h.url}/sources`, { headers: { cookie } })).text();
        expect(page).toContain('Resume polling');
        const res = await fetch(`${h.url}/sources/gone/resume`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ _csrf: csrf }), redirect: 'manual' });
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toBe('/sources?done=resumed&source=gone');
        expect(await (await fetch(`${h.url}/sources?done=resumed&source=gone`, { headers: { cookie } })).text()).toContain('gone resumed: polled again within a minute.');
      },
      { SIGNAL_DESK_SOURCES: file },
    );
  });
});

describe('web pages', () => {
  it('escape hostile feed text everywhere and send a strict Content-Security-Policy', async () => {
    await withDesk(async (h) => {
      const evil = '<img src=x onerror=alert(1)>';
      const [id] = await h.seed([{ title: evil, summary: `<script>alert(2)</script> ${evil}`, categories: ['"><svg onload=alert(3)>'], url: 'javascript:alert(4)' }], `</title><script>alert(5)</script>`);
      const { cookie } = await login(h, h.tokens.editor);
      for (const path of ['/', `/drafts/${id}`]) {
        const res = await fetch(`${h.url}${path}`, { headers: { cookie } });
        const page = await res.text();
        expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
        expect(page).not.toContain('<img src=x');
        expect(page).not.toContain('<script>alert');
        expect(page).not.toContain('<svg');
        expect(page).not.toContain('javascript:alert');
        expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
      }
    });
  });

  it('a refused form post shows each field error beside its field and keeps what the editor typed', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      const { cookie, csrf } = await login(h, h.tokens.editor);
      const res = await fetch(`${h.url}/drafts/${id}/edit`, {
        method: 'POST',
        headers: { cookie },
        body: new URLSearchParams({ _csrf: csrf, version: '1', intent: 'save', headline: 'Kept headline', score: '500', whyNow: 'Typed words stay', horizon: 'Short term' }),
        redirect: 'manual',
      });
      expect(res.status).toBe(422);
      const page = await res.text();
      expect(page).toContain('<span class="field-error" id="err-score">0 to 100</span>');
      expect(page).toContain('aria-describedby="err-score"');
      expect(page).toContain('value="500"');
      expect(page).toContain('>Typed words stay</textarea>');
      expect(page).toContain('value="Kept headline"');

      // Save and approve with a missing field: saved, not approved, and told why.
      const approve = await fetch(`${h.url}/drafts/${id}/edit`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ _csrf: csrf, version: '1', intent: 'approve', whyNow: 'Now' }), redirect: 'manual' });
      expect(approve.status).toBe(422);
      expect(await approve.text()).toContain('required to approve: fill in a horizon');
      expect((await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body).toMatchObject({ status: 'pending', whyNow: 'Now', version: 2 });
    });
  });

  it('stream new drafts and desk actions to open pages (server-sent events)', async () => {
    await withDesk(async (h) => {
      const runtime = await startRuntime(h.settings, []);
      const controller = new AbortController();
      try {
        const res = await fetch(`${h.url}/events`, { headers: { authorization: `Bearer ${h.tokens.viewer}` }, signal: controller.signal });
        expect(res.headers.get('content-type')).toContain('text/event-stream');
        let received = '';
        const reader = res.body!.getReader();
        void (async () => {
          for (;;) {
            const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
            if (done) return;
            received += new TextDecoder().decode(value);
          }
        })();
        await until('the stream to open', () => received.includes('retry:') || undefined);

        // A draft arriving through the real ingest queue.
        await runtime.ctx.queues.ingest.add('ingest', {
          source: { id: 'live', name: 'Live', url: 'https://live.example/feed', weight: 1, tags: [] },
          discoveredAt: new Date().toISOString(),
          items: [{ key: 'k', guid: 'k', url: 'https://live.example/1', title: 'Live one', author: null, publishedAt: null, updatedAt: null, categories: [], summary: null, itemHash: 'livehash00000001', urlHash: null }],
        });
        await until('a drafts event', () => received.includes('event: drafts') || undefined);
        expect(received).toContain('"created":1');

        const [id] = await h.seed([{}]);
        await h.api('POST', `/api/drafts/${id}/claim`, { token: h.tokens.editor, body: {} });
        // The ingested draft's enrichment sends its own desk event (actor "enrichment"); wait for the claim's.
        await until('the claim\'s desk event', () => received.includes(`"draftId":"${id}","action":"claim"`) || undefined);
        expect(received).toContain(`event: desk\ndata: {"type":"desk","draftId":"${id}","action":"claim","actor":"editor"}`);
      } finally {
        controller.abort();
        await runtime.stop();
      }
    });
  });
});
