import { describe, expect, it } from 'vitest';
import { DraftSignal } from '../../src/drafts/schema.ts';
import { toDraft } from '../../src/drafts/toDraft.ts';

const draft = () =>
  toDraft(
    { key: 'guid:1', guid: '1', url: 'https://example.com/a', title: 'A', author: null, publishedAt: null, updatedAt: null, categories: [], summary: 'S' },
    { id: 'src', name: 'Source', url: 'https://example.com/rss', weight: 1, tags: [] },
    '2026-12-01T00:00:00.000Z',
  );

describe('a stored draft with a page field or coverage entry that no longer fits still reads', () => {
  it('a javascript: canonical or an oversized title in the enrichment reads as null; the rest of the draft and enrichment stays', () => {
    const stored = {
      ...draft(),
      enrichment: {
        state: 'done',
        canonicalUrl: { value: 'javascript:alert(1)', rule: 'link:canonical' },
        title: { value: 'x'.repeat(5000), rule: 'meta:og:title' },
        siteName: { value: 'Example', rule: 'meta:og:site_name' },
      },
    };
    const d = DraftSignal.parse(JSON.parse(JSON.stringify(stored)));
    expect(d.headline).toBe('A');
    expect(d.enrichment?.state).toBe('done');
    expect(d.enrichment?.canonicalUrl).toBeNull();
    expect(d.enrichment?.title).toBeNull();
    expect(d.enrichment?.siteName).toEqual({ value: 'Example', rule: 'meta:og:site_name' });
  });

  it('an enrichment that is not an object reads as none, and a bad coverage entry is left out, not the draft', () => {
    const good = { sourceId: 'b', sourceName: 'B', headline: 'A too', link: 'https://b.example/a', at: '2026-12-01T00:00:00.000Z' };
    const d = DraftSignal.parse({ ...draft(), enrichment: 'garbage', coverage: [good, { sourceId: 'c', link: 'javascript:x' }] });
    expect(d.enrichment).toBeNull();
    expect(d.coverage.map((c) => c.sourceId)).toEqual(['b']);
  });
});
