import { describe, expect, it } from 'vitest';
import { withDesk, type DeskHarness } from '../helpers/desk.ts';

/** Logs in through the form like a browser; returns the cookie and the page's CSRF token. */
async function login(h: DeskHarness, token: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token, next: '/' }), redirect: 'manual' });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const page = await (await fetch(`${h.url}/`, { headers: { cookie } })).text();
  return { cookie, csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]! };
}

describe('desk messages name fields and times as editors see them', () => {
  it('the banner of a refused form says "Why now", the claim box and the 409 banner say the time in UTC', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      const editor = await login(h, h.tokens.editor);
      const post = (who: { cookie: string; csrf: string }, action: string, fields: Record<string, string>) =>
        fetch(`${h.url}/drafts/${id}/${action}`, { method: 'POST', headers: { cookie: who.cookie }, body: new URLSearchParams({ _csrf: who.csrf, ...fields }), redirect: 'manual' });

      const refused = await post(editor, 'edit', { version: '1', intent: 'save', whyNow: 'x'.repeat(1001) });
      expect(refused.status).toBe(422);
      const page = await refused.text();
      expect(page).toContain('<p class="notice error" role="alert">invalid fields: Why now: at most 1000 characters</p>');
      expect(page).not.toContain('whyNow: at most');
      // The API says the same; its `fields` map stays keyed by field name for programs.
      const api = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 1, whyNow: 'x'.repeat(1001) } });
      expect(api.body).toEqual({ error: 'invalid_fields', message: 'invalid fields: Why now: at most 1000 characters', fields: { whyNow: 'at most 1000 characters' } });

      expect((await post(editor, 'claim', {})).status).toBe(303);
      const claimed = await (await fetch(`${h.url}/drafts/${id}`, { headers: { cookie: editor.cookie } })).text();
      expect(claimed).toContain('Claimed by <strong>editor</strong> until <time datetime="2026-11-27T10:15:00.000Z">2026-11-27 10:15 UTC</time>.');

      const other = await login(h, h.tokens.editor2);
      const locked = await post(other, 'edit', { version: '1', intent: 'save', whyNow: 'Mine' });
      expect(locked.status).toBe(409);
      expect(await locked.text()).toContain(`draft ${id} is claimed by editor until 2026-11-27 10:15 UTC: wait until then or ask editor to release it (an operator can take it over)`);
    });
  });
});
