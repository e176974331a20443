import { describe, expect, it } from 'vitest';
import { countByReason } from '../../src/drafts/recordSkips.ts';
import { describeSkipCounts, SKIP_LABELS, SKIP_REASONS, skipLabel, skipReason } from '../../src/drafts/skipReason.ts';
import type { RawItem } from '../../src/parse/types.ts';

const item = (over: Partial<RawItem>): RawItem => ({ guid: null, url: null, title: null, author: null, publishedAt: null, updatedAt: null, categories: [], summary: null, ...over });

describe('skipReason: what the draft stage makes no draft of', () => {
  const cases: { name: string; item: RawItem; filters?: { include: string[]; exclude: string[] }; want: string | undefined }[] = [
    { name: 'a title and a link', item: item({ title: 'T', url: 'https://e.com/a' }), want: undefined },
    { name: 'a title only', item: item({ title: 'T' }), want: undefined },
    { name: 'a link only', item: item({ url: 'https://e.com/a' }), want: undefined },
    { name: 'a category and a date only', item: item({ categories: ['Sport'], publishedAt: '2026-12-01T10:00:00.000Z' }), want: 'no_title_or_link' },
    { name: 'a summary but neither title nor link', item: item({ summary: 'Words', guid: 'g' }), want: 'no_title_or_link' },
    { name: 'a blank title and a javascript: link', item: item({ title: '  ', url: 'javascript:alert(1)' }), want: 'no_title_or_link' },
    { name: 'a relative link is no link', item: item({ url: '/a' }), want: 'no_title_or_link' },
    { name: 'left out by an exclude filter', item: item({ title: 'Court rules' }), filters: { include: [], exclude: ['court'] }, want: 'filtered' },
    { name: 'not in an include filter', item: item({ title: 'Court rules' }), filters: { include: ['chips'], exclude: [] }, want: 'filtered' },
    { name: 'neither title nor link comes first, before the filters', item: item({ categories: ['court'] }), filters: { include: [], exclude: ['court'] }, want: 'no_title_or_link' },
  ];
  for (const c of cases) it(c.name, () => expect(skipReason(c.item, { filters: c.filters })).toBe(c.want));

  it('every reason has a label a user reads; an unknown code shows as it is', () => {
    for (const r of SKIP_REASONS) expect(SKIP_LABELS[r]).toMatch(/^[a-z]/);
    expect(skipLabel('no_title_or_link')).toBe('no title or link');
    expect(skipLabel('from_the_future')).toBe('from_the_future');
  });

  it('counts by reason, most first, in words', () => {
    expect(countByReason(['no_title_or_link:abc', 'filtered:def', 'no_title_or_link:x:y'])).toEqual({ no_title_or_link: 2, filtered: 1 });
    expect(describeSkipCounts({ filtered: 1, no_title_or_link: 3, unreadable: 0 })).toBe("no title or link 3, filtered out by the source's rules 1");
    expect(describeSkipCounts({})).toBe('');
  });
});
