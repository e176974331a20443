import { describe, expect, it } from 'vitest';
import { toDraft } from '../../src/drafts/toDraft.ts';
import { commitDrafts } from '../../src/dedupe/seenStore.ts';
import { ageRank, reviewRank } from '../../src/drafts/score.ts';
import { getDraft } from '../../src/review/draftStore.ts';
import { bearer, withDesks, type Desk } from './deskHttp.ts';

/**
 * Issue 11 (desk flow): the new routes attacked as an outsider. The bulk routes' role and CSRF checks belong to
 * the route, however its path is spelled; hostile reasons, ids and form field names are refused or cleaned;
 * the live preview and the next-draft link reflect nothing unescaped.
 */

async function seed(d: Desk, titles: string[]): Promise<string[]> {
  const source = { id: 'toms', name: 'Tom’s Hardware', url: 'https://www.tomshardware.com/feeds/all', weight: 0.8, tags: [] };
  const drafts = titles.map((title, i) => toDraft({ key: `k${i}`, guid: `g${i}`, url: `https://www.tomshardware.com/news/${i}`, title, author: null, publishedAt: new Date(d.clock.now() - i * 60_000).toISOString(), updatedAt: null, categories: [], summary: null }, source, new Date(d.clock.now()).toISOString()));
  await commitDrafts(d.redis, d.keys, source.id, drafts.map((x, i) => ({ itemHash: `h${i}`, urlHash: undefined, draftId: x.id, rank: reviewRank(x.score, x.discoveredAt), age: ageRank(x.publishedAt, x.discoveredAt), json: JSON.stringify(x) })), d.clock.now(), 86_400_000);
  return drafts.map((x) => x.id);
}

const enc = (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');

/** The same path as a router, a proxy or a browser might spell it. */
function spellings(path: string): string[] {
  const segs = path.split('/').slice(1);
  const last = segs.length - 1;
  const at = (i: number, f: (s: string) => string) => `/${segs.map((s, j) => (j === i ? f(s) : s)).join('/')}`;
  return [
    path,
    at(last, enc),
    at(last, (s) => `${enc(s[0]!)}${s.slice(1)}`),
    at(0, (s) => `${enc(s[0]!).toUpperCase()}${s.slice(1)}`),
    path.toUpperCase(),
    at(last, (s) => s.toUpperCase()),
    `/${segs.map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('/')}`,
    `/${path}`,
    `/${segs[0]}//${segs.slice(1).join('/')}`,
    `/${segs[0]}/./${segs.slice(1).join('/')}`,
    `/x/..${path}`,
    `/x/%2e%2e${path}`,
    `/${segs[0]}%2F${segs.slice(1).join('/')}`,
    `${path}/`,
    `${path};x=1`,
    `${path}?x=1`,
    `${path}%00`,
  ];
}

describe('issue 11: the bulk routes attacked', () => {
  it('every spelling of POST /api/drafts/bulk and /queue/bulk: refused without credentials, for a viewer, and for a session without the CSRF token; nothing changes', { timeout: 60_000 }, async () => {
    await withDesks(async (d) => {
      const ids = await seed(d, ['One', 'Two']);
      const viewer = await d.login(d.tokens.viewer);
      const editor = await d.login(d.tokens.editor);
      const picks = ids.map((id) => ({ id, version: 1 }));
      const json = JSON.stringify({ action: 'reject', reason: 'forged', drafts: picks });
      const form = new URLSearchParams({ action: 'reject', reason: 'forged', ...Object.fromEntries(ids.map((id) => [`pick.${id}`, '1'])) }).toString();
      const failures: string[] = [];
      let sent = 0;
      for (const [route, body, type] of [['/api/drafts/bulk', json, 'application/json'], ['/queue/bulk', form, 'application/x-www-form-urlencoded']] as const) {
        for (const path of spellings(route)) {
          for (const [who, headers] of [['nobody', {}], ['a viewer token', bearer(d.tokens.viewer)], ['a viewer session', { cookie: viewer }], ['an editor session without CSRF', { cookie: editor }]] as const) {
            const res = await d.raw({ method: 'POST', path, headers: { ...headers, 'content-type': type }, body });
            sent++;
            // 303: a page route sends a browser without a session to the login page, and does nothing else.
            const refused = [400, 401, 403, 404, 405].includes(res.status) || (res.status === 303 && who === 'nobody' && String(res.headers.location).startsWith('/login'));
            if (!refused) failures.push(`POST ${path} with ${who} → ${res.status} ${res.text.slice(0, 80)}`);
          }
        }
      }
      expect(failures).toEqual([]);
      expect(sent).toBe(2 * 17 * 4);
      for (const id of ids) expect((await getDraft(d.redis, d.keys, id))!.status).toBe('pending');
      // The percent-encoded spelling does reach the route: the guard, not a 404, is what stopped the others.
      const encoded = await d.raw({ method: 'POST', path: `/api/drafts/${enc('bulk')}`, headers: { ...bearer(d.tokens.editor), 'content-type': 'application/json' }, body: json });
      expect([encoded.status, JSON.parse(encoded.text).done]).toEqual([200, 2]);
    });
  });

  it("with fastify's loosest router options the spellings they open reach the route's guard: a viewer is refused, an editor is not", { timeout: 60_000 }, async () => {
    await withDesks(
      async (d) => {
        const ids = await seed(d, ['One']);
        const body = JSON.stringify({ action: 'release', drafts: ids.map((id) => ({ id })) });
        const failures: string[] = [];
        for (const path of spellings('/api/drafts/bulk')) {
          for (const [who, headers] of [['nobody', {}], ['a viewer token', bearer(d.tokens.viewer)]] as const) {
            const res = await d.raw({ method: 'POST', path, headers: { ...headers, 'content-type': 'application/json' }, body });
            if (![400, 401, 403, 404, 405].includes(res.status)) failures.push(`POST ${path} with ${who} → ${res.status}`);
          }
        }
        expect(failures).toEqual([]);
        const loose = await d.raw({ method: 'POST', path: '//API/Drafts/BULK/', headers: { ...bearer(d.tokens.editor), 'content-type': 'application/json' }, body });
        expect(loose.status).toBe(200);
      },
      { router: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, caseSensitive: false } },
    );
  });

  it('hostile bodies: a 5,000-character reason, bidi and zero-width characters, look-alike and prototype ids, repeated and too many picks', async () => {
    await withDesks(async (d) => {
      const [a, b] = await seed(d, ['One', 'Two']);
      const api = async (body: unknown) => {
        const res = await d.raw({ method: 'POST', path: '/api/drafts/bulk', headers: { ...bearer(d.tokens.editor), 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: res.status, body: JSON.parse(res.text) };
      };
      const long = await api({ action: 'reject', reason: 'x'.repeat(5000), drafts: [{ id: a, version: 1 }] });
      // Refused once for the whole request (not one failure per draft), and nothing rejected.
      // Found by this attack: zod's too_big fell back to the schema's "required" message, for one draft too.
      expect([long.status, long.body.fields]).toEqual([422, { reason: 'at most 500 characters' }]);
      const one = await d.raw({ method: 'POST', path: `/api/drafts/${a}/reject`, headers: { ...bearer(d.tokens.editor), 'content-type': 'application/json' }, body: JSON.stringify({ version: 1, reason: 'x'.repeat(5000) }) });
      expect([one.status, JSON.parse(one.text).fields]).toEqual([422, { reason: 'at most 500 characters' }]);
      for (const id of ['ｄ_AAAAAAAAAAAAAAAA', 'd_AAAAAAAAAAAAAAA\u200b', '__proto__', 'constructor', `${a}/../x`]) {
        const res = await api({ action: 'release', drafts: [{ id }] });
        expect([id, res.status, res.body.fields]).toEqual([id, 422, { 'drafts.0.id': 'must be a draft id (d_…)' }]);
      }
      const tooMany = await api({ action: 'release', drafts: Array.from({ length: 5000 }, () => ({ id: a })) });
      expect(tooMany.status).toBe(422);
      const cleaned = await api({ action: 'reject', reason: '\u202eevil\u202c \u200bspam', drafts: [{ id: a, version: 1 }, { id: a, version: 1 }] });
      expect([cleaned.status, cleaned.body.results.length]).toEqual([200, 1]);
      // Bidi controls go, as in a one-draft rejection (a zero-width space is text the desk keeps as typed).
      expect((await getDraft(d.redis, d.keys, a!))!.decision!.reason).toBe('evil \u200bspam');

      // The form: a field name that is a prototype key, a repeated pick, a pick that is not an id.
      const editor = await d.login(d.tokens.editor);
      const page = await d.raw({ path: '/', headers: { cookie: editor } });
      const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.text)![1]!;
      const post = (body: string) => d.raw({ method: 'POST', path: '/queue/bulk', headers: { cookie: editor, 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(csrf)}&${body}` });
      expect((await post('action=release&pick.__proto__=1')).status).toBe(422);
      expect((await post(`action=release&pick.${b}=1&pick.${b}=1`)).status).toBe(422);
      const script = await post(`action=release&pick.${encodeURIComponent('<script>alert(1)</script>')}=1`);
      expect(script.status).toBe(422);
      expect(script.text).not.toContain('<script>alert(1)');
      expect((await getDraft(d.redis, d.keys, b!))!.status).toBe('pending');
    });
  });

  it('the live preview needs the CSRF token and escapes what it reflects; a crafted `prev` only ever names one of our drafts', async () => {
    await withDesks(async (d) => {
      const [a, b] = await seed(d, ['One', 'Two <img src=x onerror=alert(1)>']);
      const editor = await d.login(d.tokens.editor);
      const page = await d.raw({ path: `/drafts/${a}`, headers: { cookie: editor } });
      const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.text)![1]!;
      const preview = (headers: Record<string, string>, fields: Record<string, string>) => d.raw({ method: 'POST', path: `/fragments/drafts/${a}/preview`, headers: { cookie: editor, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });
      expect((await preview({}, { headline: 'x' })).status).toBe(403);
      expect((await preview({ 'x-csrf-token': csrf, origin: 'https://evil.example' }, { headline: 'x' })).status).toBe(403);
      const hostile = await preview({ 'x-csrf-token': csrf }, { headline: '<script>alert(1)</script>', whyNow: '"><svg onload=alert(2)>', winners: 'A\n<b>B</b>' });
      expect(hostile.status).toBe(200);
      expect(hostile.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(hostile.text).not.toMatch(/<script|<svg|<b>/);
      expect((await getDraft(d.redis, d.keys, a!))!.version).toBe(1);

      const back = await d.raw({ path: `/drafts/${a}?prev=${b}`, headers: { cookie: editor } });
      expect(back.text).toContain(`<a href="/drafts/${b}" rel="prev" class="back">← Back to “Two &lt;img src=x onerror=alert(1)&gt;”</a>`);
      for (const lure of ['javascript:alert(1)', '//evil.example', `${b}"><script>`, 'd_AAAAAAAAAAAAAAAA']) {
        const res = await d.raw({ path: `/drafts/${a}?prev=${encodeURIComponent(lure)}`, headers: { cookie: editor } });
        expect([lure, res.status, res.text.includes('rel="prev"')]).toEqual([lure, 200, false]);
      }
      // The queue's filters ride along (`?queue=`): only known filters, escaped where they are shown.
      const carried = await d.raw({ path: `/drafts/${a}?queue=${encodeURIComponent('q="><script>alert(1)</script>&next=//evil.example&status=approved')}`, headers: { cookie: editor } });
      expect(carried.text).not.toContain('<script>alert(1)');
      expect(carried.text).toContain('<input type="hidden" name="queue" value="q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E">');
      const next = await d.raw({ method: 'POST', path: `/drafts/${a}/reject`, headers: { cookie: editor, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, version: '1', reason: 'x', then: 'next', queue: '\r\nLocation: //evil.example&q=zzz' }).toString() });
      expect([next.status, next.headers.location]).toEqual([303, '/?q=zzz&done=rejected']);
    });
  });
});
