import { describe, expect, it } from 'vitest';
import { withDesk, type DeskHarness } from '../helpers/desk.ts';

const list = async (h: DeskHarness, query: string) => h.api('GET', `/api/drafts?limit=200&${query}`, { token: h.tokens.viewer });
const headlines = async (h: DeskHarness, query: string): Promise<string[]> => {
  const r = await list(h, query);
  expect(r.status, r.text).toBe(200);
  return r.body.drafts.map((d: { headline: string }) => d.headline).sort();
};

describe('search, attacked', () => {
  it('look-alike letters, zero-width and bidi characters in a query find what the plain word finds', async () => {
    await withDesk(async (h) => {
      await h.seed([{ title: 'Memory prices climb' }, { title: 'Other' }]);
      for (const q of ['m\u0435mory' /* Cyrillic е */, 'ｍｅｍｏｒｙ', 'mem\u200Bory', '\u202Ememory\u202C', 'mem\u00ADory', 'MEM\u200D', 'm\u0065\u0301mory']) {
        expect(await headlines(h, `q=${encodeURIComponent(q)}`), JSON.stringify(q)).toEqual(['Memory prices climb']);
      }
    });
  });

  it('a 5,000-character query is a 422 naming the search field; eight words at most are used of a long one', async () => {
    await withDesk(async (h) => {
      await h.seed([{ title: 'Memory prices climb' }]);
      const long = await list(h, `q=${'a'.repeat(5000)}`);
      expect(long.status).toBe(422);
      expect(long.body.fields.q).toBe('at most 200 characters: search by a few words');
      // 40 words (under 200 characters): bounded to the first eight terms, still an answer.
      const words = Array.from({ length: 40 }, () => 'mem').join(' ');
      expect(await headlines(h, `q=${encodeURIComponent(words)}`)).toEqual(['Memory prices climb']);
    });
  });

  it('regex metacharacters, "*" and "%" are not patterns: no error, no wildcard beyond the words typed', async () => {
    await withDesk(async (h) => {
      await h.seed([{ title: 'DRAM (prices) up 5%' }, { title: 'Other news' }]);
      expect(await headlines(h, `q=${encodeURIComponent('dram*')}`)).toEqual(['DRAM (prices) up 5%']);
      expect(await headlines(h, `q=${encodeURIComponent('(pri')}`)).toEqual(['DRAM (prices) up 5%']);
      expect(await headlines(h, `q=${encodeURIComponent('.*news')}`)).toEqual(['Other news']);
      expect(await headlines(h, `q=${encodeURIComponent('5%')}`)).toEqual(['DRAM (prices) up 5%']);
      expect(await headlines(h, `q=${encodeURIComponent('[a-z]+')}`)).toEqual([]);
      // Symbols alone filter nothing (as an empty search box).
      expect(await headlines(h, `q=${encodeURIComponent('* %')}`)).toEqual(['DRAM (prices) up 5%', 'Other news']);
      // A raw, badly encoded % in the URL is not a server error.
      const raw = await fetch(`${h.url}/api/drafts?q=%&tag=%zz`, { headers: { authorization: `Bearer ${h.tokens.viewer}` } });
      expect(raw.status).toBeLessThan(500);
    });
  });

  it('a tag cannot forge another filter or facet: control characters in data never make an index line of their own', async () => {
    await withDesk(async (h) => {
      await h.seed([{ title: 'Forged', categories: ['x\n\u0001c:secret', 'y\u0000\u0002c\u0000Injected'] }, { title: 'Plain' }]);
      expect(await headlines(h, 'category=secret')).toEqual([]);
      const facets = await h.api('GET', '/api/facets', { token: h.tokens.viewer });
      expect(facets.body.categories.map((c: { value: string }) => c.value)).toEqual(['Infrastructure Software']);
      expect(await headlines(h, 'q=forg')).toEqual(['Forged']);
    });
  });

  it('/api/facets needs credentials under every spelling of its path', async () => {
    await withDesk(async (h) => {
      await h.seed([{ title: 'Secret source', categories: ['internal'] }]);
      for (const path of ['/api/facets', '//api/facets', '/api//facets', '/api/facets/', '/api/%66acets', '/API/facets', '/api/facets?status=pending', '/api/facets%3Fstatus=pending']) {
        const res = await fetch(`${h.url}${path}`, { redirect: 'manual' });
        const text = await res.text();
        expect(res.status, path).not.toBe(200);
        expect(text, path).not.toContain('internal');
      }
    });
  });
});
