import { describe, expect, it } from 'vitest';
import { withDesk } from '../helpers/desk.ts';

/** Issue 11, item 1: fields are named as the desk labels them, everywhere an editor reads about them. */
describe('field labels on the draft page', () => {
  it("the history names edited fields as the form labels them, as `review show` does (found: the page said `whyNow, secondOrderEffects`); a hostile field name in the audit is escaped", async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      const edit = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 1, whyNow: 'Now', whyImportant: 'Because', secondOrderEffects: { direct: 'x' } } });
      expect(edit.status).toBe(200);
      // A field name no form has (an audit entry written by an older or other tool) is shown as it is, escaped.
      await h.redis.rpush(h.keys.audit(id!), JSON.stringify({ at: new Date(h.clock.now()).toISOString(), actor: 'script', action: 'edit', fields: ['<img src=x onerror=alert(1)>'] }));
      const login = await fetch(`${h.url}/login`, { method: 'POST', body: new URLSearchParams({ token: h.tokens.viewer, next: '/' }), redirect: 'manual' });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const page = await (await fetch(`${h.url}/drafts/${id}`, { headers: { cookie } })).text();
      const history = page.slice(page.indexOf('<strong>editor</strong> edited'));
      expect(history).toMatch(/^<strong>editor<\/strong> edited: Why now, Why it&apos;s important, Second-order effects </);
      expect(page).not.toContain('whyNow, whyImportant');
      expect(page).toContain('edited: &lt;img src=x onerror=alert(1)&gt;');
      expect(page).not.toContain('<img src=x');
    });
  });
});
