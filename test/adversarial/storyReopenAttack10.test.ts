import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { getDraft } from '../../src/review/draftStore.ts';
import { withDesk } from '../helpers/desk.ts';

// Attack 10 (story stage): a draft the story stage never placed (a rule dropped it, or an editor rejected it
// before its story job ran) and that an editor reopens must still reach a story, not stay pending outside any.

describe('reopen of a draft in no story', () => {
  it('queues a story job for it', { timeout: 30_000 }, async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ title: 'Sponsored: the best GPU deals this week' }]);
      const v1 = (await getDraft(h.redis, h.keys, id!))!;
      expect(v1.story).toBeNull();
      const rejected = await h.api('POST', `/api/drafts/${id}/reject`, { token: h.tokens.editor, body: { version: v1.version, reason: 'looks sponsored' } });
      expect(rejected.status).toBe(200);
      const v2 = (await getDraft(h.redis, h.keys, id!))!;
      const reopened = await h.api('POST', `/api/drafts/${id}/reopen`, { token: h.tokens.editor2, body: { version: v2.version } });
      expect(reopened.status).toBe(200);

      const stories = new Queue('stories', { connection: h.redis, prefix: h.settings.prefix });
      try {
        const jobs = await stories.getJobs(['wait', 'prioritized', 'delayed', 'active']);
        expect(jobs.map((j) => j.data)).toEqual([{ draftIds: [id], reason: 'new' }]);
      } finally {
        await stories.close();
      }
    });
  });
});
