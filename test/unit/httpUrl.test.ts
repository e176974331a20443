import { describe, expect, it } from 'vitest';
import { DraftSignal } from '../../src/drafts/schema.ts';
import { HttpUrl, toHttpUrl } from '../../src/drafts/httpUrl.ts';

describe('toHttpUrl: links are http(s), judged as a browser reads them', () => {
  it.each([
    ['https', 'https://example.com/a?b=1#c', 'https://example.com/a?b=1#c'],
    ['http, upper-case scheme and host', 'HTTP://EXAMPLE.com/A', 'http://example.com/A'],
    ['surrounding spaces are what the parser drops', '  https://example.com/a ', 'https://example.com/a'],
    ['javascript:', 'javascript:alert(1)', undefined],
    ['JAVASCRIPT:', 'JAVASCRIPT:alert(1)', undefined],
    ['leading space', ' javascript:alert(1)', undefined],
    ['leading control character', '\u0001javascript:alert(1)', undefined],
    ['tab inside the scheme', 'java\tscript:alert(1)', undefined],
    ['newline inside the scheme', 'java\nscript:alert(1)', undefined],
    ['vbscript:', 'vbscript:msgbox(1)', undefined],
    ['data:', 'data:text/html,<script>alert(1)</script>', undefined],
    ['file:', 'file:///etc/passwd', undefined],
    ['ftp:', 'ftp://example.com/', undefined],
    ['relative path', '/news/1', undefined],
    ['protocol-relative', '//evil.example/', undefined],
    ['not a URL', 'not a url', undefined],
    ['no host', 'http://', undefined],
    ['not a string', 42, undefined],
  ])('%s', (_name, input, expected) => {
    expect(toHttpUrl(input)).toBe(expected);
  });

  it('HttpUrl refuses, HttpLink (the draft link) drops to null', () => {
    expect(HttpUrl.safeParse('javascript:alert(1)').success).toBe(false);
    expect(DraftSignal.shape.link.parse('javascript:alert(1)')).toBeNull();
    expect(DraftSignal.shape.link.parse('https://example.com/')).toBe('https://example.com/');
  });
});
