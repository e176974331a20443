import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { reviewListCommand, reviewShowCommand } from '../../src/cli/commands/review.ts';
import { getDraft } from '../../src/review/draftStore.ts';
import { withDesk } from '../helpers/desk.ts';
import { annotate, putStory, seedFrom } from '../helpers/stories.ts';

function sink(): { out: Writable; text: () => string } {
  let buf = '';
  return { out: new Writable({ write: (c, _e, done) => ((buf += String(c)), done()) }), text: () => buf };
}

// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

// Attack 10 (desk, CLI): `review list` prints story members' headlines and sources, `review show` the entities and
// the suggestion's why, into an operator's terminal. An editor's headline (the API kept ESC) or a C1 control
// (U+009B is CSI) in a source's text must not reach the terminal as a control sequence.
describe('review list and show print no terminal control sequences', () => {
  it('an editor headline with ESC sequences and a feed headline with C1 CSI are printed without them', async () => {
    await withDesk(async (h) => {
      const r = await seedFrom(h, { id: 'reuters', name: 'Reuters\u009b2J' }, { title: 'Nvidia to buy\u009b31m chip startup' });
      const a = await seedFrom(h, { id: 'ap', name: 'AP News' }, { title: 'Nvidia agrees deal for chip startup' });
      await putStory(h, 's_nvidia', [r, a], [40, 70]);
      await annotate(h, r, { entities: [{ name: 'Nv\u001b]0;owned\u0007idia', kind: 'organization', from: 'headline', count: 1 }] });
      const version = (await getDraft(h.redis, h.keys, a))!.version;
      const edit = await h.api('PATCH', `/api/drafts/${a}`, { token: h.tokens.editor, body: { version, headline: 'Nvidia \u001b[2J\u001b]0;pwned\u0007agrees deal', whyNow: 'line one\nline two\ttabbed' } });
      expect(edit.status).toBe(200);
      expect(edit.body.headline).not.toMatch(TERMINAL_CONTROL);
      // Line breaks and tabs of a multi-line field are text, not controls: kept.
      expect(edit.body.whyNow).toBe('line one\nline two\ttabbed');

      const list = sink();
      await reviewListCommand(h.settings, { limit: 10 }, list.out);
      expect(list.text()).toContain('Nvidia to buy');
      expect(list.text()).not.toMatch(TERMINAL_CONTROL);
      for (const id of [r, a]) {
        const show = sink();
        await reviewShowCommand(h.settings, id, {}, show.out);
        expect(show.text()).not.toMatch(TERMINAL_CONTROL);
      }
    });
  });
});
