import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { capDepth, extractMainText } from '../../src/article/mainText.ts';
import { toTokens } from '../../src/review/compareText.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/article', name), 'utf8');

describe('extractMainText: the article body without page chrome', () => {
  it('keeps every paragraph of the article and none of the navigation, related links, share tools, captions, sidebar, comments, ads or footer', () => {
    const text = extractMainText(fixture('maintext-chrome-around-article.html'));
    expect(text).toContain('Dock workers at the northern container terminal voted on Thursday');
    expect(text).toContain('many of them holding refrigerated food');
    expect(text).toContain('hiring eighty permanent crane operators by the spring');
    for (const chrome of ['Weather', 'Business', 'Strike talks stall', 'Share on social networks', 'photographed from the lighthouse', 'Celebrity chef', 'held out for ten percent', 'cheap flights', 'All rights reserved', 'var nav']) {
      expect(text).not.toContain(chrome);
    }
  });

  it('falls back to looser passes when the strict one finds almost nothing (the article inside a "share" wrapper)', () => {
    const para = 'The council approved the new budget on Monday, raising spending on schools and roads, and cutting the parking fees. ';
    const html = `<html><body><div id="gigya-share-wrapper"><p>${para.repeat(3)}</p><p>${para.repeat(3)}</p></div><nav><a href="/">Home</a></nav></body></html>`;
    const text = extractMainText(html);
    expect(text).toContain('The council approved the new budget');
    expect(text).not.toContain('Home');
  });

  it('stays bounded on hostile input: ten million nested divs, 100,000 paragraphs', () => {
    expect(extractMainText('<html><body>' + '<div>'.repeat(10_000_000) + 'deep text')).toBe('');
    const many = extractMainText('<html><body><article>' + '<p>A paragraph of the article, with commas, and enough words to score well.</p>'.repeat(100_000) + '</article>');
    expect(many.length).toBeLessThanOrEqual(200_000);
    expect(many.startsWith('A paragraph of the article')).toBe(true);
  });

  it('cuts the page where elements nest deeper than the limit, not at void or self-closing ones', () => {
    expect(capDepth('<div><div><div>x</div></div></div>', 2)).toBe('<div><div>');
    const flat = '<div>' + '<br><img src=x><p>a<span/>'.repeat(1000) + '</div>';
    expect(capDepth(flat, 2)).toBe(flat);
  });

  const pages = join(resolve(process.env.SIGNAL_DESK_CORPUS ?? '../shared/corpus'), 'readability/test/test-pages');
  if (!existsSync(pages)) console.warn(`mainText: corpus pages SKIPPED, none at ${pages} (set SIGNAL_DESK_CORPUS)`);
  const corpus = ['ars-1', 'bbc-1', 'cnn', 'wikipedia', 'nytimes-1', 'guardian-1'].filter((p) => existsSync(join(pages, p, 'source.html')));
  it.skipIf(corpus.length === 0)(`finds most of the expected main text on Readability's test pages (${corpus.length ? corpus.join(', ') : 'skipped: ../shared/corpus/readability is absent'})`, () => {
    for (const page of corpus) {
      const got = new Set(toTokens(extractMainText(readFileSync(join(pages, page, 'source.html'), 'utf8'))).map((t) => t.t));
      const want = toTokens(cheerio.load(readFileSync(join(pages, page, 'expected.html'), 'utf8')).root().text()).map((t) => t.t);
      const recall = want.filter((w) => got.has(w)).length / want.length;
      expect(recall, page).toBeGreaterThan(0.9);
    }
  });
});
