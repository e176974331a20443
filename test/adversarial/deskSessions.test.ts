import { describe, expect, it } from 'vitest';
import { clientOf } from '../../src/auth/failureLimit.ts';
import { bearer, withDesks, type Desk } from './deskHttp.ts';

/**
 * Issue 8, items 10 and 14: a session belongs to the credential it was opened with, never to a name; failed
 * logins and tokens are limited per client across desk processes (Redis), with Retry-After.
 */

const me = async (d: Desk, headers: Record<string, string>, server = 0, localAddress?: string) => d.raw({ path: '/api/me', headers, localAddress }, server);
const form = (body: Record<string, string>) => ({ method: 'POST', path: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });

describe('item 10: revoked sessions stay revoked when the name comes back', () => {
  it('revoke, add the same name again with another role: the old cookie gets 401 (pages: the login page), the old token too', async () => {
    await withDesks(async (d) => {
      const operator = bearer(d.tokens.operator);
      const cookie = await d.login(d.tokens.editor);
      expect(JSON.parse((await me(d, { cookie })).text)).toMatchObject({ name: 'editor', role: 'editor', via: 'session' });

      // As reported: the cookie is not used between the revocation and the new user (a use in between
      // would have found the user revoked and dropped the session).
      expect((await d.raw({ method: 'DELETE', path: '/api/users/editor', headers: operator })).status).toBe(200);
      const readded = await d.raw({ method: 'POST', path: '/api/users', headers: { ...operator, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'editor', role: 'operator' }) });
      expect(readded.status).toBe(201);
      const newToken = JSON.parse(readded.text).token as string;

      // The old browser session: 401 on the API, the login page for pages, nothing on the dashboard.
      expect((await me(d, { cookie })).status).toBe(401);
      const page = await d.raw({ path: '/', headers: { cookie } });
      expect(page.status).toBe(303);
      expect(page.headers.location).toMatch(/^\/login\?next=/);
      expect((await d.raw({ path: '/admin/queues/api/queues', headers: { cookie } })).status).toBe(401);
      expect((await d.raw({ path: '/api/users', headers: { cookie } })).status).toBe(401);
      // The old token never works again; the new one, and a new login with it, do.
      expect((await me(d, bearer(d.tokens.editor))).status).toBe(401);
      expect(JSON.parse((await me(d, bearer(newToken))).text)).toMatchObject({ name: 'editor', role: 'operator', via: 'token' });
      const fresh = await d.login(newToken);
      expect(JSON.parse((await me(d, { cookie: fresh })).text)).toMatchObject({ name: 'editor', role: 'operator', via: 'session' });
      expect((await me(d, { cookie })).status).toBe(401);
    });
  });

  it('a session opened by another process is checked the same way (the credential is in Redis, not in memory)', async () => {
    await withDesks(
      async (d) => {
        const cookie = await d.login(d.tokens.viewer, 0);
        expect((await me(d, { cookie }, 1)).status).toBe(200);
        await d.raw({ method: 'DELETE', path: '/api/users/viewer', headers: bearer(d.tokens.operator) }, 1);
        await d.raw({ method: 'POST', path: '/api/users', headers: { ...bearer(d.tokens.operator), 'content-type': 'application/json' }, body: JSON.stringify({ name: 'viewer', role: 'editor' }) }, 1);
        expect((await me(d, { cookie }, 0)).status).toBe(401);
        expect((await me(d, { cookie }, 1)).status).toBe(401);
      },
      { count: 2 },
    );
  });
});

describe('item 14: failed logins and tokens are limited per client, across processes', () => {
  const env = { SIGNAL_DESK_AUTH_FAILURES: '5', SIGNAL_DESK_AUTH_WINDOW_MINUTES: '15' };

  it('two desk processes share the count: the 6th failure gets 429 with Retry-After, for right tokens too, only from that client', async () => {
    await withDesks(
      async (d) => {
        const cookie = await d.login(d.tokens.editor); // before the attack: sessions are never limited
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) statuses.push((await me(d, bearer(`sdk_wrong${i}`), i % 2)).status);
        expect(statuses).toEqual([401, 401, 401, 401, 401]);

        for (const server of [0, 1]) {
          const limited = await me(d, bearer('sdk_wrong'), server);
          expect(limited.status).toBe(429);
          // The window is 15 minutes from 10:00:00 on the injected clock: it ends at 10:15:00.
          expect(limited.headers['retry-after']).toBe('900');
          expect(JSON.parse(limited.text)).toMatchObject({ error: 'rate_limited' });
          // A right token from the limited client is not even checked (a guesser learns nothing).
          expect((await me(d, bearer(d.tokens.viewer), server)).status).toBe(429);
          const login = await d.raw(form({ token: d.tokens.viewer, next: '/' }), server);
          expect(login.status).toBe(429);
          expect(login.headers['retry-after']).toBe('900');
          expect(login.text).toContain('Too many failed logins');
        }
        // Other clients are not limited by these failures, and right tokens never count.
        for (const server of [0, 1]) {
          expect((await me(d, bearer(d.tokens.viewer), server, '127.0.0.2')).status).toBe(200);
          expect((await me(d, bearer('sdk_wrong'), server, '127.0.0.3')).status).toBe(401);
        }
        for (let i = 0; i < 20; i++) expect((await me(d, bearer(d.tokens.editor), i % 2, '127.0.0.4')).status).toBe(200);
        // The session opened before keeps working from the limited address.
        expect((await me(d, { cookie })).status).toBe(200);

        d.clock.advance(10 * 60_000);
        expect((await me(d, bearer('sdk_wrong'))).headers['retry-after']).toBe('300');
        d.clock.advance(5 * 60_000);
        expect((await me(d, bearer(d.tokens.viewer))).status).toBe(200);
      },
      { env, count: 2 },
    );
  });

  it('failed form logins count like wrong tokens, and 1,000 wrong tokens, 100 at a time, get 5 answers of 401', { timeout: 60_000 }, async () => {
    await withDesks(
      async (d) => {
        for (let i = 0; i < 3; i++) expect((await d.raw(form({ token: `sdk_wrong${i}`, next: '/' }))).status).toBe(401);
        expect((await me(d, bearer('sdk_wrong'))).status).toBe(401);
        expect((await d.raw(form({ token: 'sdk_wrong', next: '/' }), 1)).status).toBe(401);
        expect((await d.raw(form({ token: 'sdk_wrong', next: '/' }))).status).toBe(429);

        const counts: Record<number, number> = {};
        const batch = async (from: string, n: number) => {
          const res = await Promise.all(Array.from({ length: n }, (_, i) => me(d, bearer(`sdk_guess${i}`), i % 2, from)));
          for (const r of res) counts[r.status] = (counts[r.status] ?? 0) + 1;
        };
        for (let i = 0; i < 10; i++) await batch('127.0.0.5', 100);
        // Each attempt is counted before its token is checked: 100 at once get no more than 5 tries.
        expect(counts).toEqual({ 401: 5, 429: 995 });
      },
      { env, count: 2 },
    );
  });

  it('one client is an IPv4 address (also IPv4-mapped) or an IPv6 /64, however it is written', () => {
    expect(clientOf('203.0.113.7')).toBe('203.0.113.7');
    expect(clientOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientOf('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientOf('2001:db8:1:3::1')).not.toBe(clientOf('2001:db8:1:2::1'));
  });
});
