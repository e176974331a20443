import { describe, expect, it } from 'vitest';
import { extractArticle } from '../../src/article/extractArticle.ts';
import { readRobots } from '../../src/article/readRobots.ts';

const URL = 'https://news.example/a.html';
const robots = (html: string, header?: string, now?: number) => extractArticle(html, URL, header ? { 'x-robots-tag': header } : {}, { now }).robots;

describe('robots directives (meta robots/googlebot and X-Robots-Tag; the most restrictive wins)', () => {
  it('nosnippet from meta robots', () => {
    expect(robots('<meta name="robots" content="NoSnippet">')).toEqual({ nosnippet: true, noarchive: false, noindex: false, applied: ['meta robots: nosnippet'] });
  });

  it('the smallest max-snippet wins across meta and header; -1 (no limit) is no directive', () => {
    const r = robots('<meta name="robots" content="max-snippet:120"><meta name="googlebot" content="max-snippet:-1">', 'max-snippet: 40');
    expect(r.maxSnippet).toBe(40);
    expect(r.nosnippet).toBe(false);
    expect(r.applied).toEqual(['meta robots: max-snippet:120', 'X-Robots-Tag: max-snippet:40']);
  });

  it('max-snippet:0 is nosnippet', () => {
    expect(robots('', 'max-snippet:0')).toMatchObject({ nosnippet: true, maxSnippet: 0 });
  });

  it('a header line for another robot is ignored; one for googlebot applies, and says so', () => {
    const r = robots('', 'bingbot: nosnippet, noarchive, googlebot: noindex');
    expect(r).toMatchObject({ nosnippet: false, noarchive: false, noindex: true, applied: ['X-Robots-Tag (googlebot): noindex'] });
  });

  it('a meta for another robot is ignored', () => {
    expect(robots('<meta name="bingbot" content="nosnippet">').nosnippet).toBe(false);
  });

  it('none is noindex', () => {
    expect(robots('<meta name="robots" content="none">')).toMatchObject({ noindex: true, applied: ['meta robots: none (noindex, nofollow)'] });
  });

  it('unavailable_after (with a comma in its date) applies once the date has passed on the injected clock', () => {
    const header = 'unavailable_after: Friday, 25-Jun-2027 15:00:00 GMT, noarchive';
    expect(robots('', header, Date.parse('2027-01-01T00:00:00Z'))).toMatchObject({ noindex: false, noarchive: true });
    expect(robots('', header, Date.parse('2027-07-01T00:00:00Z'))).toMatchObject({ noindex: true, noarchive: true });
  });

  it('several X-Robots-Tag headers joined by commas are all read', () => {
    expect(readRobots([{ where: 'X-Robots-Tag', value: 'noarchive, nosnippet' }])).toMatchObject({ noarchive: true, nosnippet: true });
  });

  it('nonsense costs nothing', () => {
    expect(robots('<meta name="robots" content="max-snippet:lots, ,,, ::">', 'googlebot:')).toEqual({ nosnippet: false, noarchive: false, noindex: false, applied: [] });
  });
});
