import { describe, expect, it } from 'vitest';
import { sameSite } from '../../src/dedupe/sameSite.ts';

describe('sameSite: may a page speak for another link (canonical, fold, published link)?', () => {
  it.each([
    ['https://amp.example.com/a', 'https://www.example.com/a', true],
    ['https://edition.cnn.com/x', 'https://www.cnn.com/x', true],
    ['https://www.bbc.co.uk/news/1', 'https://bbc.co.uk/news/1', true],
    ['https://news.example.com./a', 'https://example.com/a', true],
    ['https://alice.github.io/post', 'https://github.io/post', false],
    ['https://alice.github.io/post', 'https://bob.github.io/post', false],
    ['https://a.co.uk/x', 'https://b.co.uk/x', false],
    ['https://example.com.evil.net/a', 'https://example.com/a', false],
    ['https://example.com@evil.net/a', 'https://example.com/a', false],
    ['https://10.0.0.1/a', 'https://10.0.0.2/a', false],
    ['not a url', 'https://example.com/', false],
  ])('%s and %s → %s', (a, b, same) => {
    expect(sameSite(a, b)).toBe(same);
  });
});
