import { describe, expect, it } from 'vitest';
import { toPlainText, truncate } from '../../src/parse/text.ts';
import { matchFilters } from '../../src/drafts/matchFilters.ts';

describe('toPlainText', () => {
  it.each([
    ['strips tags', '<p>Hello <b>world</b></p>', 'Hello world'],
    ['decodes entities', 'AT&amp;T &ndash; 5 &lt; 6', 'AT&T – 5 < 6'],
    ['strips markup escaped twice', '&lt;img src=x onerror=alert(1)&gt;Title', 'Title'],
    ['drops scripts with their content', 'a<script>alert(1)</script>b', 'a b'],
    ['keeps a lone less-than', 'x < y and y > z', 'x < y and y > z'],
    ['collapses whitespace', '  a \n\t b\u00a0 c ', 'a b c'],
    ['empty becomes null', ' <br/> ', null],
    ['removes a right-to-left override', 'Shares \u202Eevil\u202C fall', 'Shares evil fall'],
    ['removes embeddings, isolates and marks', '\u202Aa\u202B\u202Db\u2066c\u2067d\u2068e\u2069\u200Ef\u200F\u061C', 'abcdef'],
    ['removes bidi controls sent as references', 'x&#x202E;y&#8238;z&rlm;', 'xyz'],
  ])('%s', (_n, input, expected) => {
    expect(toPlainText(input)).toBe(expected);
  });

  it('truncates on a word boundary with an ellipsis, within the limit', () => {
    const out = truncate('one two three four five six seven', 20)!;
    expect(out).toBe('one two three four…');
    expect(out.length).toBeLessThanOrEqual(20);
    expect(truncate('short', 20)).toBe('short');
  });
});

describe('matchFilters', () => {
  const item = { guid: null, url: null, title: 'New AI chips from Arm', author: null, publishedAt: null, updatedAt: null, categories: ['Hardware'], summary: 'He said it ships in Q2.' };
  it.each([
    ['no filters keep everything', [], [], true],
    ['include matches a word', ['ai'], [], true],
    ['include does not match inside a word ("said")', ['aid'], [], false],
    ['include matches categories', ['hardware'], [], true],
    ['exclude wins', ['ai'], ['arm'], false],
  ])('%s', (_n, include, exclude, kept) => {
    expect(matchFilters(item, { include, exclude })).toBe(kept);
  });
});
