import { describe, expect, it } from 'vitest';
import { ENTITY_LIMITS, expandInternalEntities } from '../../src/parse/expandInternalEntities.ts';
import { parseFeed } from '../../src/parse/parseFeed.ts';

const wrap = (items: string) => `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://e.example/</link>${items}</channel></rss>`;
const item = (i: number) => `<item><title>Item ${i}</title><link>https://e.example/${i}</link></item>`;

describe('malformed XML is read leniently, keeping whole items', () => {
  it.each([
    ['a missing final >', wrap(item(1) + item(2)).slice(0, -1), 2, false],
    ['a stray close tag', wrap(`${item(1)}<item><title>B</p></title><link>https://e.example/b</link></item>`), 2, false],
    ['mismatched markup inside a title', wrap(`<item><title>A <b>bold</title><link>https://e.example/a</link></item>`), 1, false],
    ['a truncated download', wrap(item(1) + item(2) + '<item><title>cut').slice(0, -22), 2, true],
  ])('%s', async (_name, body, count, truncated) => {
    const feed = await parseFeed(body, { url: 'https://e.example/feed' });
    expect(feed.items).toHaveLength(count);
    expect(feed.recovered).toMatchObject({ code: 'malformed_xml', truncated });
    expect(feed.recovered!.message).toMatch(/at line \d+, column \d+/);
  });

  it('keeps the strict error when no whole item survives', async () => {
    await expect(parseFeed(wrap('<item><title>cut').slice(0, 95))).rejects.toMatchObject({ code: 'malformed_xml' });
  });

  it('a well-formed feed is not marked recovered', async () => {
    expect((await parseFeed(wrap(item(1)))).recovered).toBeNull();
  });

  it('reads a truncated 100,000-item feed', async () => {
    const body = wrap(Array.from({ length: 100_000 }, (_, i) => item(i)).join('')).slice(0, -40);
    const feed = await parseFeed(body);
    expect(feed.items).toHaveLength(99_999);
    expect(feed.recovered?.truncated).toBe(true);
  });

  it('a truncated Atom feed keeps its whole entries', async () => {
    const atom = '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><id>1</id><title>A</title></entry><entry><id>2</id><title>B';
    const feed = await parseFeed(atom);
    expect(feed.items.map((i) => i.title)).toEqual(['A']);
    expect(feed.recovered?.truncated).toBe(true);
  });
});

describe('internal DTD entities', () => {
  const doc = (decls: string, body: string) => `<!DOCTYPE rss [${decls}]><rss>${body}</rss>`;

  it('expands declared general entities, nested, as text', () => {
    expect(expandInternalEntities(doc('<!ENTITY a "A &amp; <b>"><!ENTITY b "[&a;]">', '&b; &c;'))).toContain('<rss>[A &amp; &lt;b>] &c;</rss>');
  });

  it.each([
    ['an external entity', '<!ENTITY x SYSTEM "file:///etc/passwd">', '&x;'],
    ['a parameter entity', '<!ENTITY % x "p">', '&x;'],
    ['a cycle', '<!ENTITY x "&y;"><!ENTITY y "&x;">', '&x;'],
    ['nesting past the limit', Array.from({ length: ENTITY_LIMITS.depth + 1 }, (_, i) => `<!ENTITY e${i} "${i ? `&e${i - 1};` : 'v'}">`).join(''), `&e${ENTITY_LIMITS.depth};`],
    ['an expansion past 16 KB', `<!ENTITY a "${'a'.repeat(1024)}"><!ENTITY b "${'&a;'.repeat(17)}">`, '&b;'],
  ])('leaves %s literal', (_name, decls, ref) => {
    expect(expandInternalEntities(doc(decls, ref))).toContain(`<rss>${ref}</rss>`);
  });

  it('adds at most 1 MB to the document', () => {
    const input = doc(`<!ENTITY a "${'a'.repeat(16_000)}">`, '&a;'.repeat(200));
    const out = expandInternalEntities(input);
    expect(out.length - input.length).toBeLessThanOrEqual(ENTITY_LIMITS.total);
    expect(out).toContain('&a;');
  });
});
