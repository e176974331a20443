import { describe, expect, it } from 'vitest';
import { decodePage } from '../../src/article/decodePage.ts';
import { extractArticle } from '../../src/article/extractArticle.ts';
import { normaliseLang } from '../../src/article/normaliseLang.ts';
import { splitAuthors } from '../../src/article/rules/authors.ts';

const URL = 'https://www.news.example/2024/a.html';

describe('author clean-up', () => {
  it.each([
    ['By Priya Shah and Tom Boyd', ['Priya Shah', 'Tom Boyd']],
    ['Priya Shah, Tom Boyd', ['Priya Shah', 'Tom Boyd']],
    ['Von Jonas Weber und Lea Kraus', ['Jonas Weber', 'Lea Kraus']],
    ['Par Sébastien Farcis', ['Sébastien Farcis']],
    ['Okafor, Chidi', ['Okafor, Chidi']],
    ['Brenda Goodman, MA', ['Brenda Goodman']],
    ['By Nathan Willis March 25, 2015', ['Nathan Willis']],
    ['Jane Doe | Reporter', ['Jane Doe']],
    ['Mac & i', ['Mac & i']],
    ['Ann Lee & Bo Chan', ['Ann Lee', 'Bo Chan']],
  ])('%s', (raw, names) => expect(splitAuthors(raw)).toEqual(names));

  it.each(['https://www.facebook.com/newsdesk', 'Staff', 'Our Foreign Staff', 'desk@news.example', 'admin', ''])('%s is not an author', (raw) => expect(splitAuthors(raw)).toBeUndefined());
});

describe('language tags', () => {
  it.each([['en_us', 'en-US'], ['EN', 'en'], ['pt-br', 'pt-BR'], ['zh-hant-tw', 'zh-Hant-TW'], ['de-AT, en', 'de-AT']])('%s → %s', (raw, tag) => expect(normaliseLang(raw)).toBe(tag));
  it.each(['english', '12', '', 'en-', '<script>'])('%s is not a tag', (raw) => expect(normaliseLang(raw)).toBeUndefined());
});

describe('rule order and clean-ups', () => {
  it('an article node wins over the WebPage and WebSite nodes of the same graph', () => {
    const m = extractArticle('<script type="application/ld+json">{"@graph":[{"@type":"WebSite","name":"Site"},{"@type":"WebPage","name":"Page name","headline":"Page headline"},{"@type":"NewsArticle","headline":"Article headline"}]}</script>', URL);
    expect(m.title).toEqual({ value: 'Article headline', rule: 'jsonld:headline' });
  });

  it('a JSON-LD headline that is a description gives way to the name that matches the <title>', () => {
    const m = extractArticle('<title>New Zealand - Wikipedia</title><script type="application/ld+json">{"@type":"Article","name":"New Zealand","headline":"country in Oceania"}</script>', URL);
    expect(m.title).toEqual({ value: 'New Zealand', rule: 'jsonld:name' });
  });

  it('a <title> suffix is cut only when it is the site (by name or by host)', () => {
    expect(extractArticle('<title>Budget passes – News Example</title>', URL).title?.value).toBe('Budget passes');
    expect(extractArticle('<title>Budget passes - a long night</title>', URL).title?.value).toBe('Budget passes - a long night');
    expect(extractArticle('<meta property="og:site_name" content="The Courier"><title>The Courier | Budget passes at last</title>', URL).title?.value).toBe('Budget passes at last');
  });

  it('a publisher\'s og:title is kept as written', () => {
    expect(extractArticle('<meta property="og:site_name" content="eHow"><meta property="og:title" content="How to Build a Terrarium | eHow">', URL).title?.value).toBe('How to Build a Terrarium | eHow');
  });

  it('a canonical on a subdomain of the same registrable domain is the same site; a co.uk neighbour is not', () => {
    expect(extractArticle('<link rel="canonical" href="https://amp.news.example/a">', URL).canonicalUrl?.rule).toBe('link:canonical');
    const uk = extractArticle('<link rel="canonical" href="https://other.co.uk/a">', 'https://bbc.co.uk/a');
    expect(uk.canonicalUrl).toEqual({ value: 'https://bbc.co.uk/a', rule: 'page-url' });
    expect(uk.ignored).toEqual(['canonical https://other.co.uk/a (link rel=canonical) points at another site']);
  });

  it('images are resolved against the page and must be http(s)', () => {
    expect(extractArticle('<meta property="og:image" content="data:image/png;base64,AAAA"><meta name="twitter:image" content="/i.jpg">', URL).image).toEqual({ value: 'https://www.news.example/i.jpg', rule: 'meta:twitter:image' });
  });
});

describe('decodePage (charset from BOM, then <meta charset>, else UTF-8)', () => {
  it('reads a windows-1252 page by its meta charset', () => {
    const bytes = Buffer.concat([Buffer.from('<meta charset="windows-1252"><title>Caf'), Buffer.from([0xe9, 0x20, 0x93, 0x6f, 0x6b, 0x94]), Buffer.from('</title>')]);
    expect(decodePage(bytes).text).toContain('Café “ok”');
  });
  it('reads a Shift_JIS page by its http-equiv content type', () => {
    const bytes = Buffer.concat([Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"><title>'), Buffer.from([0x93, 0xfa, 0x96, 0x7b]), Buffer.from('</title>')]);
    expect(decodePage(bytes).text).toContain('日本');
  });
  it('a BOM wins over the meta label', () => {
    expect(decodePage(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<meta charset="iso-8859-1">é')])).text).toBe('<meta charset="iso-8859-1">é');
  });
  it('a page saved as UTF-8 that still says gb2312 is read as UTF-8', () => {
    expect(decodePage(Buffer.from('<meta charset="gb2312"><title>人工智能</title>')).text).toContain('人工智能');
  });
});

describe('authors from several tags', () => {
  it('one article:author or DC.creator tag per author: all of them, DC names written surname first kept whole', () => {
    const m = extractArticle('<meta name="DC.creator" content="Kooman, F."><meta name="DC.creator" content="Jong, Michiel de">', URL);
    expect(m.authors).toEqual({ value: ['Kooman, F.', 'Jong, Michiel de'], rule: 'meta:dc.creator' });
    expect(extractArticle('<meta property="article:author" content="Ann Lee"><meta property="article:author" content="https://x.example/bo"><meta property="article:author" content="Bo Chan">', URL).authors?.value).toEqual(['Ann Lee', 'Bo Chan']);
  });
});
