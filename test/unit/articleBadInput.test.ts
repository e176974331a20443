import { describe, expect, it } from 'vitest';
import { extractArticle } from '../../src/article/extractArticle.ts';
import { JSONLD_LIMITS } from '../../src/article/readJsonLd.ts';

// Untrusted pages: each returns metadata (what could be read) without throwing; the caps bound the work.
const URL = 'https://news.example/2024/story.html';
const ld = (json: string) => `<script type="application/ld+json">${json}</script>`;

describe('extractArticle on hostile pages', () => {
  it('10,000 JSON-LD blocks: the first blocks are read, the rest skipped and said so', () => {
    const blocks = Array.from({ length: 10_000 }, (_, i) => ld(`{"@type":"NewsArticle","headline":"Block ${i}"}`)).join('');
    const m = extractArticle(`<html><head>${blocks}</head></html>`, URL);
    expect(m.title).toEqual({ value: 'Block 0', rule: 'jsonld:headline' });
    expect(m.ignored).toContain(`JSON-LD blocks after the first ${JSONLD_LIMITS.maxBlocks} not read (10000 on the page)`);
  });

  it('JSON-LD nested 1,000 deep: the article at the top is read, the depth is not walked', () => {
    const deep = '{"x":'.repeat(1000) + '{"@type":"Person","name":"Deep"}' + '}'.repeat(1000);
    const m = extractArticle(ld(`{"@type":"NewsArticle","headline":"Top","author":"Ana Ruiz","nest":${deep}}`), URL);
    expect(m.title?.value).toBe('Top');
    expect(m.authors?.value).toEqual(['Ana Ruiz']);
  });

  it('arrays nested 100,000 deep (beyond what JSON.parse can hold) cost that block only', () => {
    const m = extractArticle(ld('['.repeat(100_000) + ']'.repeat(100_000)) + ld('{"@type":"NewsArticle","headline":"Still here"}'), URL);
    expect(m.title?.value).toBe('Still here');
  });

  it('invalid JSON next to a valid block: the valid block wins, the broken one is recorded', () => {
    const m = extractArticle(ld('{"@type":"NewsArticle","headline":') + ld('{"@type":"NewsArticle","headline":"Good"}'), URL);
    expect(m.title).toEqual({ value: 'Good', rule: 'jsonld:headline' });
    expect(m.ignored).toEqual(['JSON-LD block 1 is not valid JSON']);
  });

  it('JSON-LD values of the wrong shape yield nothing rather than throwing', () => {
    const m = extractArticle(ld('{"@type":["NewsArticle"],"headline":{"a":[1,2]},"author":[null,7,{"name":{"x":1}}],"image":[[[]]],"keywords":{"k":1},"wordCount":"lots","isAccessibleForFree":"maybe"}') + '<title>Fallback</title>', URL);
    expect(m.title).toEqual({ value: 'Fallback', rule: 'title-tag' });
    expect(m.authors).toBeUndefined();
    expect(m.image).toBeUndefined();
    expect(m.wordCount).toBeUndefined();
    expect(m.isAccessibleForFree).toBeUndefined();
  });

  it('a 5 MB attribute value is cut, not kept whole', () => {
    const huge = 'A'.repeat(5 * 1024 * 1024);
    const m = extractArticle(`<meta property="og:title" content="${huge}"><meta property="og:description" content="${huge}"><meta name="author" content="${huge}"><link rel="canonical" href="https://news.example/${huge}">`, URL);
    expect(m.title!.value.length).toBeLessThanOrEqual(500);
    expect(m.description!.value.length).toBeLessThanOrEqual(1000);
    expect(m.authors).toBeUndefined(); // one 5-million-letter word is not a name
    expect(m.canonicalUrl?.rule).toBe('page-url'); // a 5 MB link is not followed
  });

  it('not HTML at all (binary, empty) gives empty metadata', () => {
    expect(extractArticle('', URL)).toEqual({ robots: { nosnippet: false, noarchive: false, noindex: false, applied: [] }, canonicalUrl: { value: URL, rule: 'page-url' } });
    const bin = extractArticle(String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => i % 256)), URL);
    expect(bin.title).toBeUndefined();
  });
});

describe('extractArticle on deep markup', () => {
  it('100,000 nested elements are flattened past the depth cap: what comes after is still read', () => {
    const deep = '<div class="x">'.repeat(100_000) + 'text' + '</div>'.repeat(100_000);
    const m = extractArticle(`<html lang="en"><head><title>Deep page</title></head><body>${deep}<meta name="author" content="Late Meta"></body></html>`, URL);
    expect(m.title?.value).toBe('Deep page');
    expect(m.authors).toEqual({ value: ['Late Meta'], rule: 'meta:author' });
    expect(m.lang?.value).toBe('en');
  });
});
