import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { listUsers } from '../../src/auth/userStore.ts';
import { createQueues } from '../../src/queue/queues.ts';
import { bearer, withDesks, type Desk, type RawRequest } from './deskHttp.ts';

/**
 * Issue 8, items 8, 13 and 15: every protected route, however its path is spelled, answers 401/403/404 (never
 * 2xx) to no credentials and to a viewer, with no side effect; every response carries a CSP without framing;
 * `next` and `before` are checked; the Host header never reaches a link.
 */

const mainJs = readdirSync(new URL('../../node_modules/@bull-board/ui/dist/static/js', import.meta.url)).find((f) => /^main\..*\.js$/.test(f))!;

interface Target {
  method: string;
  path: string;
  body?: unknown;
}

const bullBoard: Target[] = [
  { method: 'GET', path: '/admin/queues' },
  { method: 'GET', path: '/admin/queues/queue/poll' },
  { method: 'GET', path: `/admin/queues/static/js/${mainJs}` },
  { method: 'GET', path: '/admin/queues/api/queues' },
  { method: 'GET', path: '/admin/queues/api/redis/stats' },
  { method: 'PUT', path: '/admin/queues/api/queues/poll/pause', body: {} },
  { method: 'PUT', path: '/admin/queues/api/queues/pause', body: {} },
  { method: 'POST', path: '/admin/queues/api/queues/webhook/add', body: { name: 'deliver', data: { signal: { id: 'forged' } } } },
  { method: 'POST', path: '/admin/queues/api/queues/ingest/add', body: { name: 'ingest', data: { items: [] } } },
];
const operatorApi: Target[] = [
  { method: 'GET', path: '/api/users' },
  { method: 'POST', path: '/api/users', body: { name: 'mallory', role: 'operator' } },
  { method: 'DELETE', path: '/api/users/operator' },
  { method: 'POST', path: '/api/sources/toms/resume', body: {} },
];
const editorWrites: Target[] = [
  { method: 'POST', path: '/api/drafts/d_0123456789abcdef/claim', body: {} },
  { method: 'PATCH', path: '/api/drafts/d_0123456789abcdef', body: { version: 1, headline: 'Planted' } },
  { method: 'POST', path: '/api/drafts/d_0123456789abcdef/approve', body: { version: 1 } },
];

const enc = (s: string, upper: boolean) => [...s].map((c) => `%${c.charCodeAt(0).toString(16)[upper ? 'toUpperCase' : 'toLowerCase']()}`).join('');

/** The same path, spelled every way a router, a proxy or a browser might read differently. */
export function spellings(path: string): [string, string][] {
  const segs = path.split('/').slice(1);
  const at = (i: number, f: (s: string) => string) => `/${segs.map((s, j) => (j === i ? f(s) : s)).join('/')}`;
  const out: [string, string][] = [['as is', path]];
  for (const i of new Set([0, 1, segs.length - 1])) {
    out.push([`segment ${i} percent-encoded (lower hex)`, at(i, (s) => enc(s, false))]);
    out.push([`segment ${i} percent-encoded (upper hex)`, at(i, (s) => enc(s, true))]);
    out.push([`segment ${i}, one letter encoded`, at(i, (s) => `${enc(s[0]!, false)}${s.slice(1)}`)]);
  }
  out.push(
    ['first slash as %2F', `/${segs[0]}%2F${segs.slice(1).join('/')}`],
    ['first slash as %2f', `/${segs[0]}%2f${segs.slice(1).join('/')}`],
    ['double-encoded letter', at(0, (s) => `%25${s.charCodeAt(0).toString(16)}${s.slice(1)}`)],
    ['leading double slash', `/${path}`],
    ['inner double slash', `/${segs[0]}//${segs.slice(1).join('/')}`],
    ['leading /./', `/.${path}`],
    ['inner /./', `/${segs[0]}/./${segs.slice(1).join('/')}`],
    ['leading /x/../', `/x/..${path}`],
    ['inner /x/../', `/${segs[0]}/x/../${segs.slice(1).join('/')}`],
    ['encoded dot segments', `/x/%2e%2e${path}`],
    ['encoded dot segment %2E', `/%2E${path}`],
    ['backslash', `/${segs[0]}\\${segs.slice(1).join('/')}`],
    ['upper case', path.toUpperCase()],
    ['capitalised', `/${segs.map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('/')}`],
    ['trailing slash', `${path}/`],
    ['trailing double slash', `${path}//`],
    ['; param on the first segment', at(0, (s) => `${s};x=1`)],
    ['; param at the end', `${path};jsessionid=1`],
    ['query string', `${path}?x=1`],
    ['empty query', `${path}?`],
    ['query that looks like a path', `${path}?/${segs[0]}`],
    ['encoded NUL', `${path}%00`],
  );
  return out;
}

async function credentials(d: Desk): Promise<[string, Record<string, string>][]> {
  return [
    ['no credentials', {}],
    ['a viewer token', bearer(d.tokens.viewer)],
    ['a viewer session', { cookie: await d.login(d.tokens.viewer) }],
    ['an editor token', bearer(d.tokens.editor)],
  ];
}

const REFUSED = [400, 401, 403, 404, 405];

async function attack(d: Desk, targets: Target[], creds: [string, Record<string, string>][], allowedFor: (t: Target, cred: string) => number[] = () => REFUSED) {
  const failures: string[] = [];
  let sent = 0;
  for (const t of targets) {
    for (const [label, path] of spellings(t.path)) {
      for (const [who, headers] of creds) {
        const req: RawRequest = { method: t.method, path, headers: { ...headers, ...(t.body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: t.body === undefined ? undefined : JSON.stringify(t.body) };
        const res = await d.raw(req);
        sent++;
        if (!allowedFor(t, who).includes(res.status)) failures.push(`${t.method} ${path} (${label}) with ${who} → ${res.status} ${res.text.slice(0, 80)}`);
        if (t.method === 'GET' && !path.includes('static')) {
          const head = await d.raw({ ...req, method: 'HEAD' });
          sent++;
          if (!allowedFor(t, who).includes(head.status)) failures.push(`HEAD ${path} (${label}) with ${who} → ${head.status}`);
        }
      }
    }
  }
  return { failures, sent };
}

async function expectNoSideEffect(d: Desk): Promise<void> {
  const queues = createQueues(d.settings, d.redis);
  try {
    for (const q of [queues.poll, queues.ingest, queues.webhook]) {
      expect(await q.isPaused(), `${q.name} paused`).toBe(false);
      const counts = await q.getJobCounts();
      expect(Object.values(counts).reduce((a, b) => a + b, 0), `${q.name} jobs ${JSON.stringify(counts)}`).toBe(0);
    }
  } finally {
    await Promise.all([queues.poll.close(), queues.ingest.close(), queues.webhook.close()]);
  }
  const users = await listUsers(d.redis, d.keys);
  expect(users.map((u) => [u.name, u.role, u.revokedAt])).toEqual([
    ['editor', 'editor', null],
    ['operator', 'operator', null],
    ['viewer', 'viewer', null],
  ]);
}

describe('item 8: the operator guard belongs to the route, however the path is spelled', () => {
  it('the report: %-encoded bull-board paths answer 401 without credentials and change nothing', async () => {
    await withDesks(async (d) => {
      const json = { 'content-type': 'application/json' };
      const add = await d.raw({ method: 'POST', path: '/admin/%71ueues/api/queues/webhook/add', headers: json, body: JSON.stringify({ name: 'deliver', data: {} }) });
      expect(add.status).toBe(401);
      expect((await d.raw({ path: '/%61dmin/queues/api/queues' })).status).toBe(401);
      expect((await d.raw({ method: 'PUT', path: '/%61dmin/queues/api/queues/poll/pause', headers: json, body: '{}' })).status).toBe(401);
      expect((await d.raw({ method: 'POST', path: '/admin/%71ueues/api/queues/ingest/add', headers: json, body: JSON.stringify({ name: 'ingest', data: {} }) })).status).toBe(401);
      await expectNoSideEffect(d);
      // The encoded path does reach bull-board's route: the guard, not a 404, is what stops the others.
      const asOperator = await d.raw({ path: '/%61dmin/queues/api/queues', headers: bearer(d.tokens.operator) });
      expect(asOperator.status).toBe(200);
      expect(JSON.parse(asOperator.text).queues.map((q: { name: string }) => q.name).sort()).toEqual(['annotate', 'enrich', 'ingest', 'poll', 'stories', 'webhook']);
    });
  });

  it('a table of encodings, slashes, dot segments, case, params and queries on every protected route: never 2xx, no side effect', { timeout: 120_000 }, async () => {
    await withDesks(async (d) => {
      const creds = await credentials(d);
      const { failures, sent } = await attack(d, [...bullBoard, ...operatorApi], creds);
      // Editors may write drafts (these ids do not exist: 404); nobody else gets past 401/403.
      const writes = await attack(d, editorWrites, creds, (_t, who) => (who === 'an editor token' ? [...REFUSED, 409, 422] : REFUSED));
      expect([...failures, ...writes.failures]).toEqual([]);
      expect(sent + writes.sent).toBeGreaterThan(1500);
      await expectNoSideEffect(d);
    });
  });

  for (const router of [{ ignoreTrailingSlash: true }, { ignoreDuplicateSlashes: true }, { caseSensitive: false }, { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, caseSensitive: false }]) {
    it(`fastify's router options open no path the guard misses: ${JSON.stringify(router)}`, { timeout: 120_000 }, async () => {
      await withDesks(
        async (d) => {
          const creds = (await credentials(d)).slice(0, 2);
          const { failures } = await attack(d, [...bullBoard, ...operatorApi], creds);
          expect(failures).toEqual([]);
          await expectNoSideEffect(d);
          // What these options do open is guarded: the operator reaches it, nobody else.
          const spelled = router.caseSensitive === false ? '/ADMIN/QUEUES/api/queues' : router.ignoreDuplicateSlashes ? '//admin//queues/api/queues' : '/admin/queues/api/queues/';
          expect((await d.raw({ path: spelled, headers: bearer(d.tokens.operator) })).status).toBe(200);
          expect((await d.raw({ path: spelled })).status).toBe(401);
        },
        { router },
      );
    });
  }
});

function headersOfStream(base: string, path: string, cookie: string): Promise<Record<string, string | string[] | undefined>> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: hostname, port, path, headers: { cookie }, agent: false }, (res) => {
      resolve(res.headers);
      res.destroy();
    });
    r.on('error', reject);
    r.end();
  });
}

describe('item 13: CSP with frame-ancestors on every response; next and before checked', () => {
  it('every route family answers with a Content-Security-Policy forbidding framing, and X-Frame-Options: DENY', { timeout: 60_000 }, async () => {
    await withDesks(async (d) => {
      const operator = bearer(d.tokens.operator);
      const cookie = await d.login(d.tokens.operator);
      const cases: [string, RawRequest, string][] = [
        ['queue page', { path: '/', headers: { cookie } }, "style-src 'self';"],
        ['page redirect to login', { path: '/' }, "style-src 'self';"],
        ['login page', { path: '/login' }, "style-src 'self';"],
        ['signals page', { path: '/signals' }, "style-src 'self';"],
        ['sources page', { path: '/sources', headers: { cookie } }, "style-src 'self';"],
        ['draft page (404)', { path: '/drafts/d_nope', headers: { cookie } }, "style-src 'self';"],
        ['asset', { path: '/assets/desk.css' }, "style-src 'self';"],
        ['JSON Feed', { path: '/signals.json' }, "style-src 'self';"],
        ['Atom', { path: '/signals.atom' }, "style-src 'self';"],
        ['API', { path: '/api/me', headers: operator }, "style-src 'self';"],
        ['API 401', { path: '/api/me' }, "style-src 'self';"],
        ['API 401 (bad token)', { path: '/api/me', headers: bearer('sdk_wrong') }, "style-src 'self';"],
        ['health', { path: '/healthz' }, "style-src 'self';"],
        ['metrics', { path: '/metrics' }, "style-src 'self';"],
        ['not found', { path: '/nope' }, "style-src 'self';"],
        ['bad URL', { path: '/%' }, ''],
        ['bull-board page', { path: '/admin/queues', headers: operator }, "style-src 'self' 'unsafe-inline'"],
        ['bull-board page (session)', { path: '/admin/queues', headers: { cookie } }, "style-src 'self' 'unsafe-inline'"],
        ['bull-board API', { path: '/admin/queues/api/queues', headers: operator }, "style-src 'self' 'unsafe-inline'"],
        ['bull-board static', { path: `/admin/queues/static/js/${mainJs}`, headers: operator }, "style-src 'self' 'unsafe-inline'"],
        ['bull-board 401', { path: '/admin/queues' }, "style-src 'self' 'unsafe-inline'"],
        ['API docs', { path: '/docs/static/index.html' }, "style-src 'self' 'unsafe-inline'"],
        ['API description', { path: '/docs/json' }, "style-src 'self' 'unsafe-inline'"],
      ];
      const missing: string[] = [];
      for (const [name, req, expected] of cases) {
        const res = await d.raw(req);
        const csp = String(res.headers['content-security-policy'] ?? '');
        if (!csp.includes("frame-ancestors 'none'") || !csp.includes(expected) || res.headers['x-frame-options'] !== 'DENY' || res.status >= 500) {
          missing.push(`${name}: ${res.status} csp=${csp || '(none)'} xfo=${String(res.headers['x-frame-options'])}`);
        }
      }
      const stream = await headersOfStream(d.url, '/events', cookie);
      if (!String(stream['content-security-policy']).includes("frame-ancestors 'none'") || stream['x-frame-options'] !== 'DENY') missing.push(`event stream: ${JSON.stringify(stream)}`);
      expect(missing).toEqual([]);
    });
  });

  it('/login follows only same-origin paths: tab, newline, U+3000, backslash and other origins go to /, never 500', async () => {
    await withDesks(async (d) => {
      const hostile = ['/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/\u3000', '/\u3000/evil.example', '//evil.example', '/\\evil.example', '/\\/evil.example', 'https://evil.example/', '\t//evil.example', '/%09/x/../..//evil.example', '/a/..//evil.example', '/././/evil.example', '/\u0000', '/\u007f', '/\u0085', 'javascript:alert(1)', ''];
      const results: string[] = [];
      for (const next of hostile) {
        const page = await d.raw({ path: `/login?next=${encodeURIComponent(next)}` });
        const post = await d.raw({ method: 'POST', path: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: d.tokens.viewer, next }).toString() });
        const location = String(post.headers.location);
        const target = new URL(location, d.url);
        if (page.status !== 200 || post.status !== 303 || target.origin !== d.url || !/^\/(?!\/)/.test(location) || /[\s\\]/.test(location)) results.push(`${JSON.stringify(next)}: page ${page.status}, login ${post.status} → ${location}`);
      }
      expect(results).toEqual([]);
      // Our own paths still work, query and all; non-ASCII is percent-encoded, not a 500.
      const own = async (next: string) => String((await d.raw({ method: 'POST', path: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: d.tokens.viewer, next }).toString() })).headers.location);
      expect(await own('/drafts/d_1?notice=x#top')).toBe('/drafts/d_1?notice=x#top');
      expect(await own('/sources')).toBe('/sources');
      expect(await own('/signals?q=\u3000')).toBe('/signals?q=%E3%80%80');
    });
  });

  it('a bad `before` (0-0, overflow, not an id) gets 422 with a clear message, on the API and the public page; the feeds ignore it', async () => {
    await withDesks(async (d) => {
      const viewer = bearer(d.tokens.viewer);
      for (const before of ['0-0', '18446744073709551616-0', '0-18446744073709551616', '99999999999999999999999-1', 'abc', '1-', '-1', '1-2-3', '1.5-0']) {
        const api = await d.raw({ path: `/api/signals?before=${encodeURIComponent(before)}`, headers: viewer });
        expect(api.status, `api before=${before}`).toBe(422);
        expect(JSON.parse(api.text).fields.before).toMatch(/stream id from a previous page/);
        const page = await d.raw({ path: `/signals?before=${encodeURIComponent(before)}` });
        expect(page.status, `page before=${before}`).toBe(422);
        expect(page.text).toContain('is not a stream id from a previous page');
        for (const feed of ['/signals.json', '/signals.atom']) expect((await d.raw({ path: `${feed}?before=${encodeURIComponent(before)}` })).status).toBe(200);
      }
      const listed = await d.raw({ path: '/api/signals?before=a&before=b', headers: viewer });
      expect(listed.status).toBe(422);
      // Valid ids, the largest included, still page.
      expect((await d.raw({ path: '/api/signals?before=0-1', headers: viewer })).status).toBe(200);
      expect((await d.raw({ path: '/api/signals?before=18446744073709551615-18446744073709551615', headers: viewer })).status).toBe(200);
      expect((await d.raw({ path: '/signals?before=1764583200000-0' })).status).toBe(200);
    });
  });
});

describe('item 15: the Host header never sets a link', () => {
  const pages = ['/signals.json', '/signals.atom', '/signals', '/login', '/', '/docs/json', '/api/me', '/admin/queues'];
  const hostile = { host: 'evil.example', 'x-forwarded-host': 'evil2.example', 'x-forwarded-proto': 'https', forwarded: 'host=evil3.example;proto=https' };

  it('without SIGNAL_DESK_PUBLIC_URL the feeds use the address the server is bound to', async () => {
    await withDesks(async (d) => {
      for (const path of pages) {
        const res = await d.raw({ path, headers: hostile });
        expect(`${JSON.stringify(res.headers)}${res.text}`, path).not.toMatch(/evil/);
      }
      const feed = JSON.parse((await d.raw({ path: '/signals.json', headers: hostile })).text);
      expect(feed.home_page_url).toBe(`${d.url}/signals`);
      expect(feed.feed_url).toBe(`${d.url}/signals.json`);
      const atom = (await d.raw({ path: '/signals.atom', headers: hostile })).text;
      expect(atom).toContain(`${d.url}/signals`);
    });
  });

  it('with SIGNAL_DESK_PUBLIC_URL the feeds use it, whatever Host says', async () => {
    await withDesks(
      async (d) => {
        const res = await d.raw({ path: '/signals.json', headers: hostile });
        expect(res.headers['cache-control']).toBe('public, max-age=60');
        const feed = JSON.parse(res.text);
        expect(feed.home_page_url).toBe('https://desk.example.com/signals');
        expect(feed.feed_url).toBe('https://desk.example.com/signals.json');
        for (const path of pages) expect(`${JSON.stringify((await d.raw({ path, headers: hostile })).headers)}${(await d.raw({ path, headers: hostile })).text}`, path).not.toMatch(/evil/);
      },
      { env: { SIGNAL_DESK_PUBLIC_URL: 'https://desk.example.com/' } },
    );
  });
});
