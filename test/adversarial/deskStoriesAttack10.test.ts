import { describe, expect, it } from 'vitest';
import { getDraft } from '../../src/review/draftStore.ts';
import { recordMember, writeStoryToDrafts } from '../../src/stories/recordStory.ts';
import { getStoryRecords } from '../../src/stories/storyRecords.ts';
import { EDITORIAL, withDesk } from '../helpers/desk.ts';
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

// Attack 10 (desk): approving the lead of a story of 56 pending members. Each member merged into the signal must
// be listed in its related coverage; the draft keeps 50 related entries, so the members beyond stay pending.
describe('approving a story bigger than the related coverage holds', () => {
  it('every member merged is listed in the signal; the others stay pending in the story', { timeout: 120_000 }, async () => {
    await withDesk(async (h) => {
      const ids: string[] = [];
      for (let i = 0; i < 56; i++) ids.push(await seedFrom(h, { id: `src${i}`, name: `Source ${i}` }, { title: `Chip deal reported, take ${i}` }));
      await putStory(h, 's_deal', ids, ids.map((_, i) => 90 - i));
      const lead = ids[0]!;
      const version = (await getDraft(h.redis, h.keys, lead))!.version;
      const edit = await h.api('PATCH', `/api/drafts/${lead}`, { token: h.tokens.editor, body: { version, ...EDITORIAL } });
      expect(edit.status).toBe(200);
      const res = await h.api('POST', `/api/drafts/${lead}/approve`, { token: h.tokens.editor, body: { version: edit.body.version } });
      expect(res.status).toBe(200);
      const merged = res.body.merged as string[];
      const links = new Set((res.body.signal.related as { link: string }[]).map((r) => r.link));
      for (const id of merged) expect(links.has((await getDraft(h.redis, h.keys, id))!.link ?? '')).toBe(true);
      const statuses = await Promise.all(ids.slice(1).map(async (id) => (await getDraft(h.redis, h.keys, id))!.status));
      expect(statuses.filter((s) => s === 'merged')).toHaveLength(merged.length);
      expect(statuses.filter((s) => s === 'pending')).toHaveLength(55 - merged.length);
    });
  });
});
