import { describe, expect, it } from 'vitest';
import { withDesk } from '../helpers/desk.ts';

// Issue 8, item 12: merging into a draft another editor holds a claim on was allowed (200) and bumped its
// version. It is a write to that draft, so it gets 409 `locked` like every other write.

describe('merge respects the claim on the draft merged into (issue 8, item 12)', () => {
  it('409 locked while another editor holds the target; allowed for the holder and once the claim expires', async () => {
    await withDesk(async (h) => {
      const [a, b, c] = await h.seed([{ title: 'Story told by one outlet' }, { title: 'Same story told by another' }, { title: 'A third take' }]);
      expect((await h.api('POST', `/api/drafts/${b}/claim`, { token: h.tokens.editor2, body: {} })).status).toBe(200);

      const blocked = await h.api('POST', `/api/drafts/${a}/merge`, { token: h.tokens.editor, body: { version: 1, into: b } });
      expect(blocked.status).toBe(409);
      expect(blocked.body).toMatchObject({ error: 'locked', details: { claim: { user: 'editor2' } } });
      expect(blocked.body.message).toContain(`draft ${b} is claimed by editor2`);
      // Nothing changed on either draft.
      const [afterA, afterB] = await Promise.all([a, b].map((id) => h.api('GET', `/api/drafts/${id}`, { token: h.tokens.editor })));
      expect(afterA!.body).toMatchObject({ status: 'pending', version: 1, mergedInto: null });
      expect(afterB!.body).toMatchObject({ status: 'pending', version: 1, related: [] });
      expect(afterB!.body.history.map((e: { action: string }) => e.action)).toEqual(['claim']);

      // The holder may merge into the draft they hold.
      const byHolder = await h.api('POST', `/api/drafts/${c}/merge`, { token: h.tokens.editor2, body: { version: 1, into: b } });
      expect(byHolder.status, byHolder.text).toBe(200);
      expect(byHolder.body.into).toMatchObject({ version: 2, related: [{ draftId: c }] });

      // Once the claim has expired, anyone may.
      h.clock.advance(16 * 60_000);
      const later = await h.api('POST', `/api/drafts/${a}/merge`, { token: h.tokens.editor, body: { version: 1, into: b } });
      expect(later.status, later.text).toBe(200);
      expect(later.body.into.version).toBe(3);
    });
  });
});
