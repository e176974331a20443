import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { extractDates } from '../../src/article/dates/extractDates.ts';
import { findTextDates } from '../../src/article/dates/findTextDates.ts';
import { readUrlDate } from '../../src/article/dates/readUrlDate.ts';
import { toIsoDate } from '../../src/article/dates/toIsoDate.ts';
import type { JsonLdNode } from '../../src/article/types.ts';

// A minimal JSON-LD flattening, as extractArticle passes it: every object of every valid block.
function flatten(value: unknown, out: JsonLdNode[] = []): JsonLdNode[] {
  if (Array.isArray(value)) value.forEach((v) => flatten(v, out));
  else if (value && typeof value === 'object') {
    out.push(value as JsonLdNode);
    Object.values(value).forEach((v) => flatten(v, out));
  }
  return out;
}

function datesOf(html: string, pageUrl = 'https://news.example/a', now?: number) {
  const $ = cheerio.load(html);
  const nodes: JsonLdNode[] = [];
  $('script[type="application/ld+json"]').each((_, el) => {
    try {
      flatten(JSON.parse($(el).text()), nodes);
    } catch {
      // a broken block: the others still count
    }
  });
  return extractDates({ $, pageUrl, nodes, now });
}

// fixtures/article/date-<quirk>.html beside date-<quirk>.expected.json: {url, now?, dates}.
const DIR = 'fixtures/article';
const cases = readdirSync(DIR).filter((f) => f.startsWith('date-') && f.endsWith('.html'));

describe('golden date fixtures', () => {
  it('has a fixture per quirk', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });
  it.each(cases)('%s', (file) => {
    const expected = JSON.parse(readFileSync(`${DIR}/${file.replace(/\.html$/, '.expected.json')}`, 'utf8')) as { url: string; now?: number; dates: unknown };
    expect(datesOf(readFileSync(`${DIR}/${file}`, 'utf8'), expected.url, expected.now)).toEqual(expected.dates);
  });
});

describe('extractDates', () => {
  it('prefers the earliest structured day: a meta tag older than the JSON-LD wins, with its own provenance', () => {
    const html = `<meta property="article:published_time" content="2024-01-02T08:00:00Z">
      <script type="application/ld+json">{"@type":"BlogPosting","datePublished":"2024-01-05T08:00:00Z"}</script>`;
    expect(datesOf(html).publishedAt).toEqual({ value: '2024-01-02T08:00:00Z', rule: 'meta:article:published_time' });
  });

  it('on the same day, the higher-priority rule keeps its time', () => {
    const html = `<meta name="date" content="2024-01-05">
      <script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-01-05T08:00:00+02:00"}</script>`;
    expect(datesOf(html).publishedAt).toEqual({ value: '2024-01-05T06:00:00Z', rule: 'jsonld:datePublished' });
  });

  it('takes the article node that names the page over another article node of the page', () => {
    const html = `<script type="application/ld+json">[{"@type":"NewsArticle","url":"https://news.example/other","datePublished":"2020-01-01"},
      {"@type":"NewsArticle","url":"https://news.example/a","datePublished":"2024-02-02"}]</script>`;
    expect(datesOf(html).publishedAt?.value).toBe('2024-02-02');
  });

  it('reads parsely-page JSON, sailthru.date and dc.date', () => {
    expect(datesOf(`<meta name="parsely-page" content='{"pub_date":"2014-11-23T16:00:00+04:00"}'>`).publishedAt).toEqual({ value: '2014-11-23T12:00:00Z', rule: 'meta:parsely-page' });
    expect(datesOf('<meta name="sailthru.date" content="2015-02-03 10:00:00">').publishedAt?.rule).toBe('meta:sailthru.date');
    expect(datesOf('<meta name="DC.date.issued" content="2015-02-03">').publishedAt).toEqual({ value: '2015-02-03', rule: 'meta:dc.date.issued' });
  });

  it('reads itemprop=datePublished from content, datetime or text, but not inside a comment', () => {
    expect(datesOf('<span itemprop="datePublished">5 May 2021</span>').publishedAt).toEqual({ value: '2021-05-05', rule: 'itemprop:datePublished' });
    expect(datesOf('<div class="comments"><span itemprop="datePublished" content="2021-05-05"></span></div>').publishedAt).toBeUndefined();
  });

  it('drops dates after now + 1 day and before 1995', () => {
    const now = Date.UTC(2024, 0, 10);
    expect(datesOf('<meta property="article:published_time" content="2024-01-10T20:00:00Z">', undefined, now).publishedAt?.value).toBe('2024-01-10T20:00:00Z');
    expect(datesOf('<meta property="article:published_time" content="2024-01-12T12:00:00Z">', undefined, now).publishedAt).toBeUndefined();
    expect(datesOf('<meta property="article:published_time" content="1994-12-31">').publishedAt).toBeUndefined();
  });

  it('survives JSON-LD nested 1,000 deep and thousands of nodes', () => {
    let deep: Record<string, unknown> = { '@type': 'Article', datePublished: '2022-02-02' };
    for (let i = 0; i < 1000; i++) deep = { '@type': 'Thing', child: deep };
    const nodes = Array.from({ length: 10_000 }, (_, i) => ({ '@type': 'Comment', dateCreated: `2000-01-${(i % 28) + 1}` }) as JsonLdNode);
    const $ = cheerio.load('<p>x</p>');
    expect(() => extractDates({ $, pageUrl: 'https://news.example/a', nodes: [deep, ...nodes] })).not.toThrow();
  });
});

describe('findTextDates', () => {
  it.each([
    ['Publicado el 5 de marzo de 2024', [2024, 3, 5], 'published'],
    ['Pubblicato il 5 marzo 2024', [2024, 3, 5], 'published'],
    ['Atualizado em 5 de março de 2024', [2024, 3, 5], 'modified'],
    ['Gepubliceerd op 5 maart 2024', [2024, 3, 5], 'published'],
    ['Mis à jour le 5 mars 2024', [2024, 3, 5], 'modified'],
    ['Aktualisiert am 05.03.2024', [2024, 3, 5], 'modified'],
    ['Posted Mar. 5th, 2024', [2024, 3, 5], 'published'],
    ['发布时间：2024年3月5日', [2024, 3, 5], 'published'],
    ['2024년 3월 5일', [2024, 3, 5], undefined],
    ['25/03/2024', [2024, 3, 25], undefined],
  ])('%s', (text, [y, m, d], label) => {
    expect(findTextDates(text)[0]).toMatchObject({ year: y, month: m, day: d, label });
  });

  it('leaves numeric dates that read both ways, and impossible days', () => {
    expect(findTextDates('04/05/2024')).toEqual([]);
    expect(toIsoDate('31 February 2024')).toBeUndefined();
  });
});

describe('readUrlDate', () => {
  it.each([
    ['https://x.example/2024/03/05/slug', '2024-03-05'],
    ['https://x.example/news/2024-03-05-slug', '2024-03-05'],
    ['https://x.example/news/20240305/slug', '2024-03-05'],
    ['https://x.example/2024/03/slug', undefined],
    ['https://x.example/item/12345678/', undefined],
  ])('%s', (url, day) => {
    expect(readUrlDate(url)?.value).toBe(day);
  });
});

describe('toIsoDate', () => {
  it('honours offsets, keeps day-only values as days, reads epochs, never throws', () => {
    expect(toIsoDate('2024-03-05T23:30:00-05:00')?.value).toBe('2024-03-06T04:30:00Z');
    expect(toIsoDate('2024-03-05')?.value).toBe('2024-03-05');
    expect(toIsoDate('1676551869')?.value).toBe('2023-02-16T12:51:09Z');
    for (const bad of ['', 'TBD', '1', {}, null, 'x'.repeat(10_000), '2024-13-01']) expect(toIsoDate(bad)).toBeUndefined();
  });
});

// Real pages from mozilla/readability's test set, read in place (../shared/corpus, or SIGNAL_DESK_CORPUS); skipped when absent.
const READABILITY = `${process.env.SIGNAL_DESK_CORPUS ?? '../shared/corpus'}/readability/test/test-pages`;
const haveCorpus = existsSync(READABILITY);
if (!haveCorpus) console.warn(`articleDates: ${READABILITY} is absent, the corpus check is skipped`);

describe.skipIf(!haveCorpus)('readability pages: the publication day matches publishedTime', () => {
  const pages = haveCorpus
    ? readdirSync(READABILITY).flatMap((name) => {
        const meta = `${READABILITY}/${name}/expected-metadata.json`;
        if (!existsSync(meta)) return [];
        const gold = (JSON.parse(readFileSync(meta, 'utf8')) as { publishedTime?: string }).publishedTime;
        return gold ? [{ name, gold }] : [];
      })
    : [];
  it('at least 99% of the annotated pages', () => {
    const misses: string[] = [];
    for (const { name, gold } of pages) {
      const html = readFileSync(`${READABILITY}/${name}/source.html`, 'utf8').replace(/<!\[CDATA\[|\]\]>/g, '');
      const got = datesOf(html, 'http://fakehost/test/page.html').publishedAt?.value;
      const want = /^\d{4}-\d{2}-\d{2}$/.test(gold) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(gold) ? gold.slice(0, 10) : new Date(gold.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString().slice(0, 10);
      if (got?.slice(0, 10) !== want) misses.push(`${name}: ${got} ≠ ${gold}`);
    }
    expect(pages.length).toBeGreaterThan(20);
    expect(misses.length / pages.length, misses.join('\n')).toBeLessThanOrEqual(0.01);
  });
});
