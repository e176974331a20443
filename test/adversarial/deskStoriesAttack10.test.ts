import { describe, expect, it } from 'vitest';
import { getDraft } from '../../src/review/draftStore.ts';
import { recordMember, writeStoryToDrafts } from '../../src/stories/recordStory.ts';
import { getStoryRecords } from '../../src/stories/storyRecords.ts';
import { withDesk } from '../helpers/desk.ts';
import { putStory, seedFrom } from '../helpers/stories.ts';

const REUTERS = { id: 'reuters', name: 'Reuters' };
const AP = { id: 'ap', name: 'AP News' };
const ARS = { id: 'ars', name: 'Ars Technica' };

// Attack 10 (desk): an editor's move lands while the story stage is placing the same draft (it read the draft
// before the move, decided, listed it in a story and now writes `draft.story`). The stage's write goes stale and
// is retried on the re-read draft: it must not overwrite the editor's pinned story with its own decision.
describe('an editor moves a draft while the story stage is placing it', () => {
  it('the pinned story the editor chose stays; the stage does not list the draft in its own story either', async () => {
    await withDesk(async (h) => {
      const target = await seedFrom(h, REUTERS, { title: 'Nvidia to buy Arm server chip startup' });
      await putStory(h, 's_target', [target]);
      const d = await seedFrom(h, AP, { title: 'A new Linux kernel is out' });
      const other = await seedFrom(h, ARS, { title: 'Linux kernel release notes' });
      await putStory(h, 's_kernel', [other]);

      // The stage read `d` (no story yet) and decided it joins s_kernel; the editor moves it first.
      const before = (await getDraft(h.redis, h.keys, d))!;
      expect(before.story).toBeNull();
      const moved = await h.api('POST', `/api/drafts/${d}/move`, { token: h.tokens.editor, body: { version: before.version, to: 's_target' } });
      expect(moved.status).toBe(200);

      // The stage goes on with what it read: lists `before` in s_kernel, then writes the story onto the drafts.
      const now = h.clock.now();
      const record = await recordMember(h.redis, h.keys, before, 's_kernel', 'similar: 0.70 (terms)', now);
      await writeStoryToDrafts({ redis: h.redis, keys: h.keys, weightOf: () => 0.8, now }, d, { id: 's_kernel', pinned: false, blocked: [] }, record, 'similar: 0.70 (terms)', before.story);

      const after = (await getDraft(h.redis, h.keys, d))!;
      expect(after.story).toEqual({ id: 's_target', pinned: true, blocked: [] });
      const records = await getStoryRecords(h.redis, h.keys, ['s_target', 's_kernel']);
      expect(records.get('s_target')!.members.map((m) => m.draftId)).toEqual([target, d]);
      expect(records.get('s_kernel')!.members.map((m) => m.draftId)).toEqual([other]);
    });
  });
});

// Attack 10 (desk): the editor read the draft before the story stage put it in a story (a system write), then
// splits it. The split names a story the editor never saw: 409, as for any change made from a stale page.
describe('split from a page read before the story stage placed the draft', () => {
  it('is 409 stale_version, and the draft stays where the stage put it', async () => {
    await withDesk(async (h) => {
      const r = await seedFrom(h, REUTERS, { title: 'Nvidia to buy Arm server chip startup' });
      const a = await seedFrom(h, AP, { title: 'Nvidia agrees deal for chip startup' });
      const read = (await getDraft(h.redis, h.keys, a))!.version;
      await putStory(h, 's_nvidia', [r, a]);
      const res = await h.api('POST', `/api/drafts/${a}/split`, { token: h.tokens.editor, body: { version: read } });
      expect(res.status).toBe(409);
      expect(res.body.error).toBe('stale_version');
      expect((await getDraft(h.redis, h.keys, a))!.story).toEqual({ id: 's_nvidia', pinned: false, blocked: [] });
    });
  });
});
