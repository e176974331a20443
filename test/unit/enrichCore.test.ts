import { describe, expect, it } from 'vitest';
import { classifyPage } from '../../src/enrich/classifyPage.ts';
import { planEnrichment } from '../../src/enrich/queueEnrichment.ts';
import { extractArticle } from '../../src/article/extractArticle.ts';
import { applyRobotsToExcerpt, toAppliedRobots } from '../../src/enrich/robotsRules.ts';
import { toEnrichment } from '../../src/enrich/toEnrichment.ts';
import { FetchError } from '../../src/errors.ts';

const NO_ROBOTS = { nosnippet: false, noarchive: false, noindex: false, applied: [] };
const open = { nosnippet: false, maxSnippet: null, noarchive: false, applied: [] };

describe('classifyPage', () => {
  it.each([
    [200, 'text/html; charset=utf-8', 'done', false],
    [200, undefined, 'done', false],
    [200, 'application/pdf', 'non_html', false],
    [200, 'video/mp4', 'non_html', false],
    [429, undefined, 'failed', true],
    [503, undefined, 'failed', true],
    [404, undefined, 'failed', false],
    [403, undefined, 'refused', false],
  ] as const)('HTTP %i %s → %s (retry %s)', (status, type, state, retry) => {
    expect(classifyPage({ status, headers: { 'content-type': type } }, 1000)).toMatchObject({ state, retry });
  });
  it('names the limit a page broke, and the guard or robots.txt that refused it', () => {
    expect(classifyPage(new FetchError('too_large', 'x'), 2048).reason).toMatch(/larger than 2048 bytes.*SIGNAL_DESK_PAGE_MAX_BYTES/);
    expect(classifyPage(new FetchError('blocked_address', '10.0.0.1 (private) is not a public address'), 1)).toMatchObject({ state: 'refused', retry: false });
    expect(classifyPage(new FetchError('robots_disallowed', 'robots.txt disallows /a'), 1)).toMatchObject({ state: 'refused', reason: 'robots.txt disallows /a' });
    expect(classifyPage(new FetchError('timeout', 'no complete response'), 1)).toMatchObject({ state: 'failed', retry: true });
    expect(classifyPage(new FetchError('shutdown', 'bye'), 1).shutdown).toBe(true);
  });
});

describe('robots directives', () => {
  // The enrich stage records what the extractor read from the page's metas and its X-Robots-Tag header.
  const robotsOf = (header: string, meta = '') =>
    toAppliedRobots(extractArticle(`<html><head>${meta}</head><body></body></html>`, 'https://news.example/a', { 'x-robots-tag': header }).robots);
  it('X-Robots-Tag: unscoped and ours apply, another agent\'s do not; the smallest max-snippet wins', () => {
    expect(robotsOf('otherbot: nosnippet, max-snippet:40')).toMatchObject({ nosnippet: false, maxSnippet: null });
    expect(robotsOf('max-snippet:20', '<meta name="robots" content="max-snippet:50">')).toMatchObject({ maxSnippet: 20, applied: ['meta robots: max-snippet:50', 'X-Robots-Tag: max-snippet:20'] });
    expect(robotsOf('googlebot: noarchive')).toMatchObject({ noarchive: true });
    // `none` is noindex, nofollow (Google's definition): it withholds no snippet by itself.
    expect(robotsOf('none')).toMatchObject({ nosnippet: false, noarchive: false });
    expect(robotsOf('max-snippet:-1').maxSnippet).toBeNull();
  });
  it('nosnippet drops the excerpt, max-snippet cuts it by characters (not UTF-16 units)', () => {
    expect(applyRobotsToExcerpt('some text', { ...open, nosnippet: true })).toEqual({ excerpt: null, effects: ['nosnippet: the excerpt was dropped'] });
    expect(applyRobotsToExcerpt('😀😀😀 abc', { ...open, maxSnippet: 2 }).excerpt).toBe('😀😀');
    expect(applyRobotsToExcerpt('short', { ...open, maxSnippet: 20 })).toEqual({ excerpt: 'short', effects: [] });
    expect(applyRobotsToExcerpt('text', { ...open, maxSnippet: 0 }).excerpt).toBeNull();
  });
});

describe('toEnrichment', () => {
  const page = { finalUrl: 'https://news.example/a', contentType: 'text/html' };
  it('keeps the schema limits, http(s) links only, a canonical on the page\'s own site only, no description under noarchive', () => {
    const e = toEnrichment(
      {
        robots: NO_ROBOTS,
        title: { value: 'x'.repeat(900), rule: 'meta:og:title' },
        description: { value: 'About it', rule: 'meta:description' },
        authors: { value: Array.from({ length: 40 }, (_, i) => `Author ${i}`), rule: 'jsonld:author' },
        image: { value: 'javascript:alert(1)', rule: 'meta:og:image' },
        canonicalUrl: { value: 'https://elsewhere.example/a', rule: 'link:canonical' },
        publishedAt: { value: 'yesterday', rule: 'meta:date' },
        lang: { value: 'en_US', rule: 'html-lang' },
      },
      page,
      { ...open, noarchive: true },
      Date.UTC(2026, 0, 1),
    );
    expect(Array.from(e.title!.value)).toHaveLength(500);
    expect(e.authors!.value).toHaveLength(20);
    expect(e).toMatchObject({ state: 'done', image: null, canonicalUrl: null, publishedAt: null, description: null, lang: { value: 'en-US' }, at: '2026-01-01T00:00:00.000Z' });
    expect(toEnrichment({ robots: NO_ROBOTS, canonicalUrl: { value: 'https://www.news.example/a', rule: 'link:canonical' } }, page, open, 0).canonicalUrl).toEqual({ value: 'https://www.news.example/a', rule: 'link:canonical' });
  });
});

describe('planEnrichment', () => {
  it('one job id per normalised link; disabled with the reason otherwise', () => {
    const a = planEnrichment('https://News.example/a?utm_source=rss#top', { enabled: true, sourceEnrich: true });
    const b = planEnrichment('https://news.example/a', { enabled: true, sourceEnrich: true });
    expect(a.state === 'pending' && b.state === 'pending' && a.jobId === b.jobId).toBe(true);
    expect(planEnrichment(null, { enabled: true, sourceEnrich: true })).toMatchObject({ state: 'disabled', reason: expect.stringMatching(/no http\(s\) link/) });
    expect(planEnrichment('https://x.example/', { enabled: false, sourceEnrich: true })).toMatchObject({ state: 'disabled', reason: expect.stringMatching(/SIGNAL_DESK_ENRICH=off/) });
    expect(planEnrichment('https://x.example/', { enabled: true, sourceEnrich: false })).toMatchObject({ state: 'disabled', reason: expect.stringMatching(/enrich: false/) });
  });
});
