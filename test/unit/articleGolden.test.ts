import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodePage } from '../../src/article/decodePage.ts';
import { extractArticle } from '../../src/article/extractArticle.ts';
import type { ArticleMetadata } from '../../src/article/types.ts';

// fixtures/article/<quirk>.html beside <quirk>.expected.json (and an optional <quirk>.headers.json: the response
// headers); each named after the extraction rule or quirk it covers. Files named date-* belong to the dates
// pass (test/unit/articleDates*.test.ts); dates are left out here, so the two passes change independently.
const ARTICLE_FIXTURES = 'fixtures/article';
const FIXTURE_PAGE_URL = 'https://news.example/2024/story.html';
const FIXTURE_NOW = Date.parse('2026-06-01T00:00:00Z');

const cases = readdirSync(ARTICLE_FIXTURES).filter((f) => f.endsWith('.html') && !f.startsWith('date-') && !f.startsWith('maintext-'));

function extractFixture(file: string): Omit<ArticleMetadata, 'publishedAt' | 'modifiedAt'> {
  const base = `${ARTICLE_FIXTURES}/${file.replace(/\.html$/, '')}`;
  const headers = existsSync(`${base}.headers.json`) ? JSON.parse(readFileSync(`${base}.headers.json`, 'utf8')) : {};
  const { publishedAt: _p, modifiedAt: _m, ...rest } = extractArticle(decodePage(readFileSync(`${base}.html`), headers['content-type']).text, FIXTURE_PAGE_URL, headers, { now: FIXTURE_NOW });
  return rest;
}

describe('golden article fixtures (extractArticle, one quirk each)', () => {
  it('has fixtures', () => expect(cases.length).toBeGreaterThan(20));
  it.each(cases)('%s', (file) => {
    const expected = JSON.parse(readFileSync(`${ARTICLE_FIXTURES}/${file.replace(/\.html$/, '.expected.json')}`, 'utf8'));
    expect(extractFixture(file)).toEqual(expected);
  });
});
