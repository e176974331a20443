import { describe, expect, it } from 'vitest';
import { normalizeUrl } from '../../src/dedupe/normalizeUrl.ts';
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
  ])('%s', (_name, input, expected) => {
    expect(normalizeUrl(input)).toBe(expected);
  });

  it.each([['relative', '/a'], ['mailto', 'mailto:x@example.com'], ['garbage', 'ht!tp://']])('rejects %s', (_n, input) => {
    expect(normalizeUrl(input)).toBeUndefined();
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
  it('skips an item with nothing to identify or show', () => {
    expect(assignKeys([item({ categories: ['x'] })])).toEqual({ items: [], skipped: 1 });
  });
});
