import { describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/auth/userStore.ts';
import { withDesk } from '../helpers/desk.ts';
import { raw } from './deskHttp.ts';

/**
 * Attacks on the desk's web server and auth after issue 8: what a crafted request (not a browser's) still
 * turned into a 500, a bypass or a broken promise.
 */

const FORM = 'application/x-www-form-urlencoded';

async function login(url: string, token: string): Promise<{ cookie: string; csrf: string }> {
  const res = await raw(url, { method: 'POST', path: '/login', headers: { 'content-type': FORM }, body: new URLSearchParams({ token, next: '/' }).toString() });
  const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('sd_session='))!.split(';')[0]!;
  const page = await raw(url, { path: '/', headers: { cookie } });
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(page.text)![1]!;
  return { cookie, csrf };
}

describe('static assets', () => {
  it('names of Object.prototype members are no asset: 404, not 500', async () => {
    await withDesk(async (h) => {
      const results: string[] = [];
      for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']) {
        const res = await raw(h.url, { path: `/assets/${name}` });
        if (res.status !== 404) results.push(`${name}: ${res.status}`);
      }
      expect(results).toEqual([]);
      expect((await raw(h.url, { path: '/assets/desk.css' })).status).toBe(200);
    });
  });
});

describe('repeated form and query fields', () => {
  it('a field sent twice to /login or a draft form is a 4xx, never a 500, and changes nothing', { timeout: 60_000 }, async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ title: 'One' }]);
      const { cookie, csrf } = await login(h.url, h.tokens.editor);
      const results: string[] = [];
      const check = async (label: string, req: Parameters<typeof raw>[1]) => {
        const res = await raw(h.url, req);
        if (res.status >= 500 || res.status < 300) results.push(`${label}: ${res.status}`);
      };
      // The login page itself: shown, with the default target.
      const page = await raw(h.url, { path: '/login?next=/a&next=/b' });
      if (page.status !== 200 || !page.text.includes('name="next" value="/"')) results.push(`GET /login next×2: ${page.status}`);
      await check('POST /login token×2', { method: 'POST', path: '/login', headers: { 'content-type': FORM }, body: `token=${h.tokens.editor}&token=x` });
      await check('POST /login next×2', { method: 'POST', path: '/login', headers: { 'content-type': FORM }, body: 'token=wrong&next=/a&next=/b' });
      const claimed = await raw(h.url, { method: 'POST', path: `/drafts/${id}/claim`, headers: { cookie, 'content-type': FORM }, body: `_csrf=${csrf}` });
      expect(claimed.status).toBe(303);
      const before = JSON.parse((await raw(h.url, { path: `/api/drafts/${id}`, headers: { authorization: `Bearer ${h.tokens.editor}` } })).text);
      const version = before.draft?.version ?? before.version;
      for (const [action, body] of [
        ['edit', 'tags=a&tags=b'],
        ['edit', 'winners=a&winners=b'],
        ['edit', 'category=a&category=b'],
        ['edit', 'headline=New&headline=Other'],
        ['merge', 'into=x&into=y'],
        ['reject', 'reason=a&reason=b'],
      ] as const) {
        await check(`${action} ${body}`, { method: 'POST', path: `/drafts/${id}/${action}`, headers: { cookie, 'content-type': FORM }, body: `_csrf=${csrf}&version=${version}&${body}` });
      }
      expect(results).toEqual([]);
      const after = JSON.parse((await raw(h.url, { path: `/api/drafts/${id}`, headers: { authorization: `Bearer ${h.tokens.editor}` } })).text);
      expect(after.draft?.version ?? after.version).toBe(version);
    });
  });
});

describe('the sources page', () => {
  it('resuming a source that is not configured from the page is a 404 page naming it, not a 500', async () => {
    await withDesk(async (h) => {
      const { cookie, csrf } = await login(h.url, h.tokens.operator);
      for (const id of ['nope', '__proto__']) {
        const res = await raw(h.url, { method: 'POST', path: `/sources/${id}/resume`, headers: { cookie, 'content-type': FORM }, body: `_csrf=${csrf}` });
        expect(res.status, id).toBe(404);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.text).toContain(`no source &quot;${id}&quot;`);
      }
    });
  });
});

describe('form routes given JSON', () => {
  it('a JSON body whose fields are not text, to /login or a draft form, is a 422 and changes nothing', { timeout: 60_000 }, async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ title: 'One' }]);
      const auth = { authorization: `Bearer ${h.tokens.editor}`, 'content-type': 'application/json' };
      expect((await raw(h.url, { method: 'POST', path: `/drafts/${id}/claim`, headers: auth, body: '{}' })).status).toBe(303);
      const version = JSON.parse((await raw(h.url, { path: `/api/drafts/${id}`, headers: auth })).text).version as number;
      const results: string[] = [];
      for (const body of ['{"token":1}', '{"token":["a"]}', '{"token":{"a":"b"}}']) {
        const res = await raw(h.url, { method: 'POST', path: '/login', headers: { 'content-type': 'application/json' }, body });
        if (res.status !== 422) results.push(`login ${body}: ${res.status}`);
      }
      for (const [action, body] of [
        ['edit', { tags: 1 }],
        ['edit', { winners: 1 }],
        ['edit', { category: ['x'] }],
        ['edit', { headline: 'New', version: String(version), losers: { a: 1 } }],
        ['merge', { into: 1 }],
        ['reject', { reason: 5 }],
      ] as const) {
        const res = await raw(h.url, { method: 'POST', path: `/drafts/${id}/${action}`, headers: auth, body: JSON.stringify({ version: String(version), ...body }) });
        if (res.status !== 422) results.push(`${action} ${JSON.stringify(body)}: ${res.status}`);
      }
      expect(results).toEqual([]);
      expect(JSON.parse((await raw(h.url, { path: `/api/drafts/${id}`, headers: auth })).text).version).toBe(version);
    });
  });
});

describe('text that is not text', () => {
  it('a lone surrogate in an edited field is a 422, and the draft stays claimable (it made every later claim a 500)', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ title: 'One' }]);
      const auth = { authorization: `Bearer ${h.tokens.editor}`, 'content-type': 'application/json' };
      expect((await raw(h.url, { method: 'POST', path: `/api/drafts/${id}/claim`, headers: auth, body: '{}' })).status).toBe(200);
      const results: string[] = [];
      for (const body of ['{"version":1,"headline":"x\\ud800y"}', '{"version":1,"summary":"\\udfff"}', '{"version":1,"tags":["a\\ud83d"]}', '{"version":1,"secondOrderEffects":{"direct":"\\ud800"}}']) {
        const res = await raw(h.url, { method: 'PATCH', path: `/api/drafts/${id}`, headers: auth, body });
        if (res.status !== 422) results.push(`PATCH ${body}: ${res.status}`);
      }
      const rejected = await raw(h.url, { method: 'POST', path: `/api/drafts/${id}/reject`, headers: auth, body: '{"version":1,"reason":"dup\\ud800"}' });
      if (rejected.status !== 422) results.push(`reject: ${rejected.status}`);
      expect(results).toEqual([]);
      // A real emoji (a surrogate pair) is text.
      expect((await raw(h.url, { method: 'PATCH', path: `/api/drafts/${id}`, headers: auth, body: '{"version":1,"headline":"Chips \\ud83d\\ude80"}' })).status).toBe(200);
      expect((await raw(h.url, { method: 'POST', path: `/api/drafts/${id}/claim`, headers: auth, body: '{}' })).status).toBe(200);
    });
  });
});

/** An open /events stream: what it received so far, and whether the server ended it. */
async function openEvents(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(`${url}/events`, { headers, signal: controller.signal });
  expect(res.status).toBe(200);
  const stream = { received: '', ended: false, close: () => controller.abort() };
  const reader = res.body!.getReader();
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      stream.received += new TextDecoder().decode(value);
    }
    stream.ended = true;
  })();
  await until('the stream to open', () => stream.received.includes('retry:'));
  return stream;
}

async function until(what: string, fn: () => boolean, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the event stream after the credential ends', () => {
  it('an open /events stream of a revoked user, a logged-out session or a revoked token hears nothing more and is ended', { timeout: 60_000 }, async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ title: 'One' }]);
      const editorSession = await login(h.url, h.tokens.editor);
      const viewerSession = await login(h.url, h.tokens.viewer);
      const revokedCookie = await openEvents(h.url, { cookie: editorSession.cookie });
      const loggedOut = await openEvents(h.url, { cookie: viewerSession.cookie });
      const revokedToken = await openEvents(h.url, { authorization: `Bearer ${h.tokens.editor}` });
      const control = await openEvents(h.url, { authorization: `Bearer ${h.tokens.operator}` });
      try {
        const operator = { authorization: `Bearer ${h.tokens.operator}`, 'content-type': 'application/json' };
        expect((await raw(h.url, { method: 'DELETE', path: '/api/users/editor', headers: { authorization: operator.authorization } })).status).toBe(200);
        expect((await raw(h.url, { method: 'POST', path: '/logout', headers: { cookie: viewerSession.cookie, 'content-type': FORM }, body: `_csrf=${viewerSession.csrf}` })).status).toBe(303);
        // Another editor acts: the desk event goes out to every open stream.
        expect((await raw(h.url, { method: 'POST', path: `/api/drafts/${id}/claim`, headers: { ...operator, authorization: `Bearer ${h.tokens.editor2}` }, body: '{}' })).status).toBe(200);
        await until('the control stream to hear the claim', () => control.received.includes(`"draftId":"${id}"`));
        await until('the streams of ended credentials to be ended', () => revokedCookie.ended && loggedOut.ended && revokedToken.ended);
        for (const s of [revokedCookie, loggedOut, revokedToken]) expect(s.received).not.toContain(id);
        expect(control.ended).toBe(false);
      } finally {
        for (const s of [revokedCookie, loggedOut, revokedToken, control]) s.close();
      }
    });
  });
  it("the stream's check is no activity: it does not restart the session's idle timeout", { timeout: 60_000 }, async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ title: 'One' }]);
      const { cookie } = await login(h.url, h.tokens.viewer);
      const stream = await openEvents(h.url, { cookie });
      try {
        const key = h.keys.session(hashSecret(cookie.slice('sd_session='.length)));
        await h.redis.pexpire(key, 600_000);
        const claimed = await raw(h.url, { method: 'POST', path: `/api/drafts/${id}/claim`, headers: { authorization: `Bearer ${h.tokens.editor}`, 'content-type': 'application/json' }, body: '{}' });
        expect(claimed.status).toBe(200);
        await until('the stream to hear the claim', () => stream.received.includes(`"draftId":"${id}"`));
        expect(await h.redis.pttl(key)).toBeLessThanOrEqual(600_000);
      } finally {
        stream.close();
      }
    });
  });
});

describe('behind a proxy', () => {
  it('with SIGNAL_DESK_PUBLIC_URL, a form posted from that origin is accepted whatever Host the proxy forwards; other origins are not', async () => {
    await withDesk(
      async (h) => {
        const [id] = await h.seed([{ title: 'One' }]);
        const { cookie, csrf } = await login(h.url, h.tokens.editor);
        const post = (origin: string) => raw(h.url, { method: 'POST', path: `/drafts/${id}/claim`, headers: { cookie, origin, 'content-type': FORM }, body: `_csrf=${csrf}` });
        expect((await post('https://desk.example')).status).toBe(303);
        for (const origin of ['http://desk.example', 'https://desk.example:8443', 'https://evil.example', 'null']) expect((await post(origin)).status, origin).toBe(403);
      },
      { SIGNAL_DESK_PUBLIC_URL: 'https://desk.example' },
    );
  });
});

describe('what a page says after a form post', () => {
  it('a crafted link cannot make the desk show text of its choosing: only our own notices, with ids of our shape', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ title: 'Notice target' }]);
      const { cookie } = await login(h.url, h.tokens.editor);
      const lure = 'Session expired, paste your token at https://evil.example/login';
      for (const path of ['/', `/drafts/${id}`, '/sources']) {
        for (const query of [`notice=${encodeURIComponent(lure)}`, `done=${encodeURIComponent(lure)}`, `done=merged&into=${encodeURIComponent(lure)}`, `done=resumed&source=${encodeURIComponent(lure)}`, 'done=__proto__', 'done=constructor']) {
          const res = await raw(h.url, { path: `${path}?${query}`, headers: { cookie } });
          expect(res.status, `${path}?${query}`).toBe(200);
          // (a filter such as ?source= may echo its value in its own input; the page's message never does)
          const notices = [...res.text.matchAll(/<p class="notice[^"]*"[^>]*>([^<]*)<\/p>/g)].map((m) => m[1]);
          expect(notices.join(' | '), `${path}?${query}`).not.toMatch(/evil\.example|Session expired|__proto__|constructor/);
        }
      }
      // Our own notices still read as before.
      expect((await raw(h.url, { path: `/drafts/${id}?done=merged&into=d_abc`, headers: { cookie } })).text).toContain('Merged into d_abc.');
      expect((await raw(h.url, { path: `/drafts/${id}?done=saved`, headers: { cookie } })).text).toContain('Saved.');
    });
  });
});
