import { describe, expect, it } from 'vitest';
import { withDesk, type DeskHarness } from '../helpers/desk.ts';

const headlines = async (h: DeskHarness, query: string): Promise<string[]> => {
  const r = await h.api('GET', `/api/drafts?limit=200&${query}`, { token: h.tokens.viewer });
  expect(r.status, r.text).toBe(200);
  return r.body.drafts.map((d: { headline: string }) => d.headline.slice(0, 12)).sort();
};

describe('search: a long headline does not use up what a draft is found by (issue 11, item 3)', () => {
  it('a 60-character CJK headline or a 60-word one: the draft is still found by its source name, author and tags, and by its last words', async () => {
    // Found: a draft's words were capped at 48 distinct tokens, headline first; a CJK headline is one token per
    // character (pairs), so a 48-character Japanese headline left nothing for the source name, author or tags.
    const cjk = '半導体メモリ価格が第四四半期に急騰し主要メーカー各社は長期契約の見直しを迫られる中で投資家は設備投資計画の下方修正を警戒している模様だ関係者';
    const words = Array.from({ length: 60 }, (_, i) => `w${i}x`).join(' ');
    await withDesk(async (h) => {
      await h.seed([
        { title: cjk, author: 'Kim Zetter', categories: ['Lithography'] },
        { title: words, author: 'Kim Zetter', categories: ['Lithography'] },
        { title: 'Plain headline', author: 'Someone Else' },
      ], 'Nikkei Asia');
      expect([...cjk].length).toBeGreaterThanOrEqual(60);
      const both = [cjk.slice(0, 12), words.slice(0, 12)].sort();
      expect(await headlines(h, 'q=zetter')).toEqual(both);
      expect(await headlines(h, 'q=lithograph')).toEqual(both);
      expect(await headlines(h, 'q=nikkei')).toHaveLength(3);
      expect(await headlines(h, `q=${encodeURIComponent('関係者')}`)).toEqual([cjk.slice(0, 12)]);
      expect(await headlines(h, 'q=w59x')).toEqual([words.slice(0, 12)]);
    });
  });
});
