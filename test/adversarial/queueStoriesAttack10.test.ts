import { describe, expect, it } from 'vitest';
import { withDesk } from '../helpers/desk.ts';
import { putStory, seedFrom } from '../helpers/stories.ts';

// Attack 10 (desk): the queue as stories with one big story (the brief's "10,000 items with one headline" end up
// in one story of up to 500 members). Its members ranked below the first index batch (200) and beyond the 20
// extra members read per story came out as rows of their own, "in no story", next to the story's row.
describe('the queue as stories with a story of 240 members', () => {
  it('is one row: no member of the story is a row of its own, and every pending member counts as listed', { timeout: 120_000 }, async () => {
    await withDesk(async (h) => {
      const ids: string[] = [];
      for (let i = 0; i < 240; i++) ids.push(await seedFrom(h, { id: `src${i % 7}`, name: `Source ${i % 7}` }, { title: 'Same headline everywhere' }));
      const lone = await seedFrom(h, { id: 'other', name: 'Other' }, { title: 'Something else entirely' });
      await putStory(h, 's_big', ids, ids.map((_, i) => 90 - Math.floor(i / 4)));
      const res = await h.api('GET', '/api/stories?limit=50', { token: h.tokens.viewer });
      expect(res.status).toBe(200);
      const rows = res.body.stories as { storyId: string | null; lead: { id: string }; others: number; members: { draftId: string; listed: boolean }[] }[];
      expect(rows.map((r) => r.storyId)).toEqual(['s_big', null]);
      expect(rows[1]!.lead.id).toBe(lone);
      expect(rows[0]!.others).toBe(239);
      expect(rows[0]!.members.every((m) => m.listed)).toBe(true);
      expect(res.body.nextCursor).toBeNull();
    });
  });
});
