import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractListing } from '../../src/extract/extractListing.ts';
import { parseListing } from '../../src/extract/parseListing.ts';
import { ParseError } from '../../src/errors.ts';
import { SourceSchema } from '../../src/config/sourceSchema.ts';

const page = readFileSync('fixtures/extract/base-href-relative-links-and-link-wrapped-cards.html', 'utf8');

// fixtures/extract/<case>.html beside <case>.expected.json ({url, selectors, listing}); named after the quirk covered.
describe('golden listing fixtures', () => {
  const DIR = 'fixtures/extract';
  it.each(readdirSync(DIR).filter((f) => f.endsWith('.html')))('%s', (file) => {
    const expected = JSON.parse(readFileSync(`${DIR}/${file.replace(/\.html$/, '.expected.json')}`, 'utf8'));
    expect(extractListing(readFileSync(`${DIR}/${file}`, 'utf8'), expected.url, expected.selectors)).toEqual(expected.listing);
  });
});
const selectors = { item: 'article.card', title: '.card__title', date: 'time, .date', summary: '.card__dek' };

describe('extractListing (fixtures/extract/base-href-relative-links-and-link-wrapped-cards.html)', () => {
  const listing = extractListing(page, 'https://wire.example/latest', selectors);

  it('reads each card: headline, link resolved against <base href>, date, summary', () => {
    expect(listing.matched).toBe(5);
    expect(listing.title).toBe('Example Wire — Latest');
    expect(listing.items.map(({ title, url, publishedAt, summary }) => ({ title, url, publishedAt, summary }))).toEqual([
      { title: 'Chip plant & fab expansion approved', url: 'https://wire.example/news/2026/11/27/chip-plant', publishedAt: '2026-11-27T08:30:00.000Z', summary: 'Regulators sign off on the new site.' },
      { title: 'Datacentre power deal read', url: 'https://wire.example/energy/dc-power', publishedAt: '2026-11-26T17:05:00.000Z', summary: null },
      // A javascript: link is dropped, the headline kept.
      { title: 'A link we never follow', url: null, publishedAt: null, summary: null },
      // The enclosing link of a title counts.
      { title: 'Whole card is a link', url: 'https://other.example/story?id=7', publishedAt: null, summary: null },
    ]);
  });

  it('skips a card with neither headline nor link, and counts it', () => {
    expect(listing.skipped).toBe(1);
  });

  it('gives every item a key, the URL when there is one', () => {
    expect(listing.items[0]!.key).toContain('wire.example/news/2026/11/27/chip-plant');
  });
});

describe('parseListing', () => {
  it('reports selectors that match nothing as selectors_broken, not as an empty page', () => {
    const err = (() => {
      try {
        parseListing(page, { url: 'https://wire.example/', selectors: { item: 'div.story', title: 'h3' } });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).code).toBe('selectors_broken');
    expect((err as ParseError).message).toContain('"div.story" matches nothing');
  });
});

describe('html sources in the sources file', () => {
  it.each([
    ['kind html needs selectors', { kind: 'html' }, 'selectors', 'is required for kind html'],
    ['selectors belong to kind html', { kind: 'rss', selectors: { item: 'a', title: 'b' } }, 'selectors', 'applies to kind html only'],
    ['an invalid CSS selector is named', { kind: 'html', selectors: { item: 'div[', title: 'h2' } }, 'selectors.item', 'is not a valid CSS selector'],
  ])('%s', (_name, over, path, message) => {
    const r = SourceSchema.safeParse({ id: 'x', name: 'X', url: 'https://x.example/', ...over });
    expect(r.success).toBe(false);
    const issue = r.error!.issues.find((i) => i.path.join('.') === path);
    expect(issue?.message).toContain(message);
  });
});

describe('discoverFeedLinks', () => {
  it('reads rel="alternate" feed links only, resolves them, drops duplicates and non-http, and stops at 10', async () => {
    const { discoverFeedLinks, MAX_FEED_LINKS } = await import('../../src/extract/discoverFeeds.ts');
    const html = `<head>
      <link rel="alternate stylesheet" type="text/css" href="/x.css">
      <link rel="Alternate" type="application/RSS+XML; charset=utf-8" href="/rss" title=" Main ">
      <link rel="alternate" type="application/rss+xml" href="/rss">
      <link rel="alternate" type="application/atom+xml" href="javascript:alert(1)">
      <link rel="alternate" type="text/html" href="/fr/">
      ${Array.from({ length: 50 }, (_, i) => `<link rel="alternate" type="application/feed+json" href="/f${i}.json">`).join('')}
    </head>`;
    const links = discoverFeedLinks(html, 'https://site.example/blog/');
    expect(links[0]).toEqual({ url: 'https://site.example/rss', type: 'application/rss+xml', title: 'Main' });
    expect(links).toHaveLength(MAX_FEED_LINKS);
    expect(links.map((l) => l.url)).not.toContain('javascript:alert(1)');
  });
});
