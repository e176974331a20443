import { describe, expect, it } from 'vitest';
import { cleanLink, isTrackingParam, normalizeUrl, TRACKING_PARAMS } from '../../src/dedupe/normalizeUrl.ts';
import { assignKeys } from '../../src/dedupe/itemKey.ts';
import type { RawItem } from '../../src/parse/types.ts';

describe('normalizeUrl', () => {
  it.each([
    ['lower-cases scheme and host', 'HTTPS://Example.COM/Path', 'https://example.com/Path'],
    ['drops the default port', 'https://example.com:443/a', 'https://example.com/a'],
    ['keeps a non-default port', 'http://example.com:8080/a', 'http://example.com:8080/a'],
    ['drops the fragment', 'https://example.com/a#comments', 'https://example.com/a'],
    ['drops utm_* and click ids', 'https://example.com/a?utm_source=rss&utm_medium=feed&fbclid=x&gclid=y&mc_cid=z&id=7', 'https://example.com/a?id=7'],
    ['sorts the remaining query', 'https://example.com/a?b=2&a=1', 'https://example.com/a?a=1&b=2'],
    ['removes an empty query', 'https://example.com/a?utm_source=x', 'https://example.com/a'],
    ['removes a trailing dot of the host', 'https://example.com./a', 'https://example.com/a'],
    ['drops credentials', 'https://user:pw@example.com/a', 'https://example.com/a'],
    ['drops http default port', 'http://Example.com:80/a', 'http://example.com/a'],
    ['tracking names are matched case-insensitively', 'https://example.com/a?UTM_Source=x&FBCLID=y&CMP=share_btn_tw&id=1', 'https://example.com/a?id=1'],
    ['drops newsletter, automation and analytics ids', 'https://example.com/a?mc_eid=1&_hsenc=2&_hsmi=3&mkt_tok=4&vero_id=5&oly_enc_id=6&__s=7&id=1', 'https://example.com/a?id=1'],
    ['drops publisher campaign codes', 'https://example.com/a?ocid=msn&cmpid=rss&cmp=x&s_cid=y&ncid=z&ito=promo&p=2', 'https://example.com/a?p=2'],
    ['drops AT Internet, Webtrekk, Comscore, spm', 'https://example.com/a?xtor=RSS-1&at_medium=feed&at_custom3=x&wt_mc=n&ns_campaign=c&ns_mchannel=m&ns_source=s&spm=a.b.c', 'https://example.com/a'],
    ['drops social share markers', 'https://example.com/a?igshid=1&igsh=2&ref_src=twsrc&sr_share=fb', 'https://example.com/a'],
    ['drops the AMP flag ?amp=1', 'https://example.com/a?amp=1', 'https://example.com/a'],
    ['drops a bare ?amp', 'https://example.com/a?amp', 'https://example.com/a'],
    ['drops outputType=amp', 'https://example.com/a?outputType=amp&id=3', 'https://example.com/a?id=3'],
    ['keeps outputType with another value', 'https://example.com/a?outputType=print', 'https://example.com/a?outputType=print'],
    ['keeps parameters that only look like tracking', 'https://example.com/a?utm=1&ref=home&source=x&campaign=y', 'https://example.com/a?campaign=y&ref=home&source=x&utm=1'],
    ['unwraps the AMP cache /c/s/', 'https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/x.html', 'https://www.example.com/news/x.html'],
    ['unwraps the AMP viewer /v/s/ with its viewer parameters', 'https://www-example-com.cdn.ampproject.org/v/s/www.example.com/x?amp_js_v=0.1&usqp=mq331AQ#aoh=1&referrer=https://www.google.com', 'https://www.example.com/x'],
    ['unwraps the AMP cache without s/ to http', 'https://example-com.cdn.ampproject.org/c/example.com/x', 'http://example.com/x'],
    ['unwraps and drops the amp flag of the origin', 'https://www-example-com.cdn.ampproject.org/c/s/www.example.com/x?amp=1&id=2', 'https://www.example.com/x?id=2'],
    ['unwraps Google\'s AMP viewer', 'https://www.google.com/amp/s/www.Example.com/x', 'https://www.example.com/x'],
    ['unwraps Google\'s AMP viewer on a country domain', 'https://www.google.co.uk/amp/s/example.com/x', 'https://example.com/x'],
    ['keeps an AMP path form (not reliably reversible; rel=canonical settles it)', 'https://example.com/amp/x.html', 'https://example.com/amp/x.html'],
    ['keeps a .amp.html path', 'https://example.com/x.amp.html', 'https://example.com/x.amp.html'],
    ['keeps a cache URL whose origin is not a host', 'https://x.cdn.ampproject.org/c/s/', 'https://x.cdn.ampproject.org/c/s/'],
    ['keeps a google.com path that is not the AMP viewer', 'https://www.google.com/search?q=amp', 'https://www.google.com/search?q=amp'],
    ['keeps www. (a different host can be a different document)', 'https://www.example.com/a', 'https://www.example.com/a'],
  ])('%s', (_name, input, expected) => {
    expect(normalizeUrl(input)).toBe(expected);
  });

  it.each([['relative', '/a'], ['mailto', 'mailto:x@example.com'], ['garbage', 'ht!tp://']])('rejects %s', (_n, input) => {
    expect(normalizeUrl(input)).toBeUndefined();
  });
});

describe('cleanLink (the published link)', () => {
  it.each([
    ['removes tracking parameters and keeps the publisher\'s order', 'https://example.com/a?z=1&utm_source=rss&b=2&fbclid=x', 'https://example.com/a?z=1&b=2'],
    ['keeps the publisher\'s encoding', 'https://example.com/a?q=a%20b+c&utm_medium=feed', 'https://example.com/a?q=a%20b+c'],
    ['removes an encoded tracking name', 'https://example.com/a?utm%5Fsource=rss&id=1', 'https://example.com/a?id=1'],
    ['keeps the fragment and the amp flag (the publisher\'s own)', 'https://example.com/a?amp=1#part-2', 'https://example.com/a?amp=1#part-2'],
    ['drops an empty query', 'https://example.com/a?utm_source=rss', 'https://example.com/a'],
    ['unwraps an AMP cache URL to the origin', 'https://www-example-com.cdn.ampproject.org/c/s/www.example.com/x?amp_js_v=0.1#aoh=1', 'https://www.example.com/x'],
    ['leaves a clean link alone', 'https://example.com/a?b=2&a=1', 'https://example.com/a?b=2&a=1'],
  ])('%s', (_name, input, expected) => {
    expect(cleanLink(input)).toBe(expected);
  });
  it('refuses non-http links', () => {
    expect(cleanLink('javascript:alert(1)')).toBeUndefined();
    expect(cleanLink('/relative')).toBeUndefined();
  });
});

describe('TRACKING_PARAMS (the documented list)', () => {
  it('has the families the README names, each non-empty', () => {
    for (const f of TRACKING_PARAMS) expect(f.names.length + f.prefixes.length).toBeGreaterThan(0);
    for (const name of ['utm_source', 'fbclid', 'gclid', 'mc_cid', 'mc_eid', 'igshid', 'ref_src', 'ocid', 'cmpid', '_hsenc', 'mkt_tok', 'spm', 'at_medium', 'xtor', 'ito', 'wt_mc', 'ns_campaign', 'ns_mchannel', 'ns_source', 'cmp', 'CMP']) expect(isTrackingParam(name)).toBe(true);
    for (const name of ['id', 'p', 'page', 'q', 'ref', 'amp', 'story']) expect(isTrackingParam(name)).toBe(false);
  });
  it('the README lists every name and prefix of the table', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Canonical links'));
    for (const f of TRACKING_PARAMS) for (const n of [...f.names, ...f.prefixes.map((p) => `${p}*`)]) expect(section).toContain(`\`${n}\``);
  });
});

const item = (over: Partial<RawItem>): RawItem => ({ guid: null, url: null, title: null, author: null, publishedAt: null, updatedAt: null, categories: [], summary: null, ...over });

describe('assignKeys', () => {
  it('uses the guid when it is unique in the feed', () => {
    const { items } = assignKeys([item({ guid: 'a', url: 'https://e.com/1' }), item({ guid: 'b', url: 'https://e.com/2' })]);
    expect(items.map((i) => i.key)).toEqual(['guid:a', 'guid:b']);
  });
  it('falls back to the normalised URL when guids repeat within the feed', () => {
    const { items } = assignKeys([item({ guid: 'same', url: 'https://e.com/1?utm_source=x' }), item({ guid: 'same', url: 'https://e.com/2' })]);
    expect(items.map((i) => i.key)).toEqual(['url:https://e.com/1', 'url:https://e.com/2']);
  });
  it('falls back to a hash of title and date without guid and URL', () => {
    const { items } = assignKeys([item({ title: 'A', publishedAt: '2020-01-01T00:00:00.000Z' }), item({ title: 'A', publishedAt: '2020-01-02T00:00:00.000Z' })]);
    expect(items[0]!.key).toMatch(/^hash:/);
    expect(items[0]!.key).not.toBe(items[1]!.key);
  });
  it('keys an item with only a category and a date by a hash of all its content (the draft stage decides whether it can be a signal)', () => {
    const { items, skipped } = assignKeys([
      item({ categories: ['x'], publishedAt: '2020-01-01T00:00:00.000Z' }),
      item({ categories: ['y'], publishedAt: '2020-01-01T00:00:00.000Z' }),
      item({ categories: ['x'], publishedAt: '2020-01-01T00:00:00.000Z' }),
      item({ categories: ['x'] }),
    ]);
    expect(skipped).toBe(0);
    expect(items).toHaveLength(4);
    expect(items[0]!.key).toMatch(/^content:[\w-]{22}$/);
    expect(items[0]!.key).not.toBe(items[1]!.key);
    expect(items[0]!.key).toBe(items[2]!.key);
    expect(items[0]!.key).not.toBe(items[3]!.key);
    expect(items[0]).toMatchObject({ categories: ['x'], publishedAt: '2020-01-01T00:00:00.000Z' });
  });
  it('keys an item with only an author or an update date by its content too', () => {
    const { items } = assignKeys([item({ author: 'Ann' }), item({ updatedAt: '2020-01-01T00:00:00.000Z' })]);
    expect(items.map((i) => i.key)).toEqual([expect.stringMatching(/^content:/), expect.stringMatching(/^content:/)]);
    expect(items[0]!.key).not.toBe(items[1]!.key);
  });
  it('reports even an item with no field at all, keyed by its place among the empty ones', () => {
    const { items, skipped } = assignKeys([item({}), item({ title: 'x' }), item({})]);
    expect(items.map((i) => i.key.split(':')[0] === 'empty' ? i.key : 'other')).toEqual(['empty:1', 'other', 'empty:2']);
    expect(skipped).toBe(0);
  });
});
