import { describe, expect, it } from 'vitest';
import { extractMainText } from '../../src/article/mainText.ts';
import { toPageShingles } from '../../src/article/shingles.ts';
import { saveArticleShingles } from '../../src/review/articleShingles.ts';
import { EDITORIAL, withDesk } from '../helpers/desk.ts';

const EXCERPT = 'Dock workers at the northern container terminal voted on Thursday to end a nine-day strike.';
const PAGE = `<html><body><nav><a href="/">Home</a></nav><article>
  <p>${EXCERPT} The operator agreed to a pay rise of six percent over two years, and to a review of night-shift staffing.</p>
  <p>The stoppage had left more than forty ships waiting offshore, and freight forwarders said it would take at least a fortnight to clear the backlog of containers, many of them refrigerated.</p>
</article><footer>All rights reserved</footer></body></html>`;

describe('copy guard: the article itself, through the desk on real Redis', () => {
  it('refuses (422) a "Why now" that copies a sentence of the article not in the excerpt, naming "Why now" and the site; an original sentence passes', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ summary: EXCERPT, url: 'https://harbourtimes.example/port-strike' }]);
      // What the enrich worker stores: the page's main text as shingle hashes, never the text.
      await saveArticleShingles(h.redis, h.keys, id!, toPageShingles(extractMainText(PAGE)));
      expect(await h.redis.get(h.keys.shingles(id!))).not.toMatch(/fortnight/);

      const copy = 'Freight forwarders said it would take at least a fortnight to clear the backlog.';
      const e = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 1, ...EDITORIAL, whyNow: copy } });
      expect(e.status).toBe(200);
      const refused = await h.api('POST', `/api/drafts/${id}/approve`, { token: h.tokens.editor, body: { version: e.body.version } });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toBe('copied_text');
      expect(refused.body.message).toMatch(/^cannot approve: Why now copies 1\d words of the article at harbourtimes\.example/);
      expect(Object.keys(refused.body.fields)).toEqual(['whyNow']);

      const own = 'Terminal capacity returns within two weeks, so importers can stop rerouting through the south.';
      const e2 = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: e.body.version, whyNow: own } });
      const approved = await h.api('POST', `/api/drafts/${id}/approve`, { token: h.tokens.editor, body: { version: e2.body.version } });
      expect(approved.status).toBe(200);
      expect(approved.body.signal.whyNow ?? approved.body.draft.whyNow).toBe(own);
    });
  });

  it('without stored shingles the same text passes (it is not in the excerpt)', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{ summary: EXCERPT }]);
      const e = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 1, ...EDITORIAL, whyNow: 'Freight forwarders said it would take at least a fortnight to clear the backlog.' } });
      expect((await h.api('POST', `/api/drafts/${id}/approve`, { token: h.tokens.editor, body: { version: e.body.version } })).status).toBe(200);
    });
  });
});
