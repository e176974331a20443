import { describe, expect, it } from 'vitest';
import { toPlainText, truncate } from '../../src/parse/text.ts';
import { matchFilters } from '../../src/drafts/matchFilters.ts';
import { normalizeLanguage } from '../../src/parse/normalizeLanguage.ts';
import { fixWindows1252 } from '../../src/parse/windows1252.ts';

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

describe('toPlainText never carries code', () => {
  it.each([
    ['a style with its rules', 'a<style>p { color: red }</style>b', 'a b'],
    ['a noscript with its fallback', 'a<noscript><img src=x>Enable JS</noscript>b', 'a b'],
    ['a template', 'a<template><p>hidden</p></template>b', 'a b'],
    ['an iframe with its content', 'a<iframe src="https://x.example/">inner</iframe>b', 'a b'],
    ['an object with its fallback', 'a<object data="x.swf"><param name="q">fallback</object>b', 'a b'],
    ['an embed (void)', 'a<embed src="x.swf">b', 'a b'],
    ['an svg with its text, nested svg too', 'a<svg><svg><text>in</text></svg><text>out</text></svg>b', 'a b'],
    ['math', 'a<math><mi>x</mi><script>y</script></math>b', 'a b'],
    ['a comment', 'a<!-- secret -->b', 'a b'],
    ['an empty comment written <!-->', 'a<!-->b', 'a b'],
    ['an unclosed script, dropped to the end', 'Title<script>alert(1)', 'Title'],
    ['an unclosed style, dropped to the end', 'Title<style>p{}', 'Title'],
    ['an unclosed svg, dropped to the end', 'Title<svg><text>x</text>', 'Title'],
    ['an unclosed comment, dropped to the end', 'Title<!-- alert(1)', 'Title'],
    ['upper-case tags and a spaced end tag', 'a<SCRIPT type="x">y</SCRIPT >b', 'a b'],
    ['a "</svg>" inside a script inside an svg does not end the svg', 'a<svg><script>"</svg>"</script>in</svg>b', 'a b'],
    ['a self-closed script without an end tag is empty', 'a<script src="x"/>b', 'a b'],
    ['a self-closed script with an end tag runs to it', 'a<script/>code</script>b', 'a b'],
    ['a script escaped once', '&lt;script&gt;alert(1)&lt;/script&gt;Title', 'Title'],
    ['a script escaped once, unclosed', 'Title&lt;script&gt;alert(1)', 'Title'],
    ['a comment escaped once, unclosed', 'Title&lt;!-- alert(1)', 'Title'],
    ['a style escaped once', '&lt;style&gt;p{}&lt;/style&gt;Title', 'Title'],
    ['a doctype', '<!DOCTYPE html>Title', 'Title'],
    ['a lone less-than before a word is text ("a<b")', 'a<b', 'a<b'],
    ['a less-than before a digit is text', '1 <2 and 3> 2', '1 <2 and 3> 2'],
    ['an escaped less-than stays text', '5 &lt; 6 &amp;&amp; 7 &gt; 3', '5 < 6 && 7 > 3'],
    ['CJK text is untouched', '東京<b>タワー</b>、<p>北京</p>서울', '東京タワー、 北京 서울'],
    ['inline tags join, block tags separate', '<b>in</b>line<p>block</p>end<br>x', 'inline block end x'],
  ])('%s', (_n, input, expected) => {
    expect(toPlainText(input)).toBe(expected);
  });

  // Each input would make a backtracking regex over the text quadratic; the test only has to finish.
  const MB = 1 << 20;
  it.each([
    ['"<script" repeated (never a tag: no ">")', '<script', (out: string | null) => expect(out).toBe('<script'.repeat(Math.ceil(MB / 7)))],
    ['"<script>" repeated (dropped to the end)', 'x<script>', (out: string | null) => expect(out).toBe('x')],
    ['"<!--" repeated (dropped to the end)', '<!--', (out: string | null) => expect(out).toBeNull()],
    ['"<a " repeated (text)', '<a ', (out: string | null) => expect(out).toBe('<a '.repeat(Math.ceil(MB / 3)).trim())],
    ['"<svg>" repeated (dropped to the end)', '<svg>', (out: string | null) => expect(out).toBeNull()],
    ['"&lt;script&gt;" repeated (dropped after decoding)', 'y&lt;script&gt;', (out: string | null) => expect(out).toBe('y')],
  ])('a megabyte of %s', (_n, unit, check) => {
    check(toPlainText(unit.repeat(Math.ceil(MB / unit.length))));
  });
});

describe('fixWindows1252', () => {
  it.each([
    ['0x92 apostrophe', 'don\u0092t', 'don’t'],
    ['0x93 / 0x94 quotes', '\u0093quoted\u0094', '“quoted”'],
    ['0x91 single quote', '\u0091x\u0092', '‘x’'],
    ['0x96 / 0x97 dashes', 'a\u0096b\u0097c', 'a–b—c'],
    ['0x80 euro', '\u0080 5', '€ 5'],
    ['0x85 ellipsis, 0x99 trade mark', 'wait\u0085 Brand\u0099', 'wait… Brand™'],
    ['0x8A, 0x8C, 0x8E, 0x9A, 0x9C, 0x9E, 0x9F letters', '\u008a\u008c\u008e\u009a\u009c\u009e\u009f', 'ŠŒŽšœžŸ'],
    ['0x82, 0x84, 0x8B, 0x9B quotes', '\u0082\u0084\u008b\u009b', '‚„‹›'],
    ['0x83, 0x86, 0x87, 0x88, 0x89, 0x95, 0x98', '\u0083\u0086\u0087\u0088\u0089\u0095\u0098', 'ƒ†‡ˆ‰•˜'],
    ['the five undefined ones are dropped', 'a\u0081\u008d\u008f\u0090\u009db', 'ab'],
    ['Latin-1 letters and the real characters are untouched', 'Café ’ “ € ÿ', 'Café ’ “ € ÿ'],
  ])('%s', (_n, input, expected) => {
    expect(fixWindows1252(input)).toBe(expected);
  });

  it('is applied by toPlainText, raw or as a reference', () => {
    expect(toPlainText('don\u0092t &#147;stop&#148; &#x96; now')).toBe('don’t “stop” – now');
  });
});

describe('normalizeLanguage', () => {
  it.each([
    ['en_US', 'en-US'],
    ['EN-us', 'en-US'],
    ['en-us', 'en-US'],
    ['EN', 'en'],
    ['pt_br', 'pt-BR'],
    ['zh-hant-tw', 'zh-Hant-TW'],
    ['sr_latn_rs', 'sr-Latn-RS'],
    ['es-419', 'es-419'],
    ['de-AT, en', 'de-AT'],
    ['  fr-ca  ', 'fr-CA'],
  ])('%s → %s', (raw, tag) => expect(normalizeLanguage(raw)).toBe(tag));

  it.each([
    ['a word', 'english'],
    ['digits', '12'],
    ['empty', ''],
    ['a dangling separator', 'en-'],
    ['markup', '<script>'],
    ['too long', `en-${'abcdefgh-'.repeat(4)}x`],
    ['a subtag over 8 characters', 'en-abcdefghi'],
    ['not a string', 42],
    ['undefined', undefined],
  ])('%s is not a tag', (_n, raw) => expect(normalizeLanguage(raw)).toBeNull());
});

describe('what counts as a tag (htmlElements.ts) and text read once', () => {
  it.each([
    ['a generic type', 'Why vector<int> is fast', 'Why vector<int> is fast'],
    ['a tag-like word naming no element', 'The </example> end tag', 'The </example> end tag'],
    ['an HTML element', 'Some <b>bold</b> words', 'Some bold words'],
    ['an obsolete element', '<font color="red">Red</font> alert', 'Red alert'],
    ['a namespaced element', 'Word<o:p></o:p> salad', 'Word salad'],
    ['a custom element', '<my-widget>Inside</my-widget> out', 'Inside out'],
    ['a script is code whatever surrounds it', 'Before <script>x()</script> after', 'Before after'],
  ])('%s', (_name, input, expected) => {
    expect(toPlainText(input)).toBe(expected);
  });

  it('text that was HTML once keeps revealed tags as text, but never code', () => {
    expect(toPlainText('The &lt;blink&gt; tag', { once: true })).toBe('The <blink> tag');
    expect(toPlainText('How the &lt;script&gt; tag works', { once: true })).toBe('How the <script> tag works');
    expect(toPlainText('Safe &lt;script&gt;steal()&lt;/script&gt; text', { once: true })).toBe('Safe text');
    expect(toPlainText('Kept &lt;!-- hidden', { once: true })).toBe('Kept');
  });

  it('literal text (Atom type="text") is not decoded, and still loses code', () => {
    expect(toPlainText('AT&amp;T <b>x</b>', { literal: true })).toBe('AT&amp;T <b>x</b>');
    expect(toPlainText('A <script>steal()</script> title', { literal: true })).toBe('A title');
  });

  it('a megabyte of "<script>" without an end tag, read once, stays one pass and stays text', () => {
    const text = '&lt;script&gt;'.repeat(80_000);
    const out = toPlainText(text, { once: true });
    expect(out?.startsWith('<script><script>')).toBe(true);
  });
});
