import { describe, expect, it } from 'vitest';
import { FIELD_CHARS, featuresOf, tokenize } from '../../../src/stories/features.ts';
import { memoryStore } from '../../../src/stories/memoryStore.ts';
import { CANDIDATES_MAX, PER_TERM, placeItem } from '../../../src/stories/placeItem.ts';
import type { StoryItem, StoryStore } from '../../../src/stories/types.ts';

const H = 3_600_000;
const T0 = Date.parse('2026-03-02T08:00:00Z');
const config = { windowMs: 72 * H };

const item = (id: string, headline: string, opts: Partial<StoryItem> = {}): StoryItem => ({
  id, sourceId: `src-${id}`, sourceName: `Source ${id}`, at: T0, headline, text: '', urls: [], entities: [], blocked: [], ...opts,
});

/** The memory store, counting what the clusterer asks of it: how many stories it compares, the largest signature it writes. */
function countingStore() {
  const inner = memoryStore(config);
  const seen = { maxCompared: 0, maxSignatureBytes: 0, maxPostingRead: 0 };
  const store: StoryStore = {
    docFrequencies: (t) => inner.docFrequencies(t),
    async postings(terms, since, perTerm) {
      const out = await inner.postings(terms, since, perTerm);
      for (const ids of out.values()) seen.maxPostingRead = Math.max(seen.maxPostingRead, ids.length);
      return out;
    },
    async signatures(ids) {
      seen.maxCompared = Math.max(seen.maxCompared, ids.length);
      return inner.signatures(ids);
    },
    async commit(write, now) {
      seen.maxSignatureBytes = Math.max(seen.maxSignatureBytes, JSON.stringify(write.signature).length);
      return inner.commit(write, now);
    },
  };
  return { store, seen, inner };
}

describe('stories: bad input stays correct and bounded', () => {
  it('10,000 items with the same headline: one story, a signature of bounded size, bounded retrieval', async () => {
    const { store, seen } = countingStore();
    const stories = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const d = await placeItem(store, item(`x${i}`, 'Breaking: markets fall sharply at the open', { sourceId: `s${i % 300}`, at: T0 + i * 1000 }), T0 + i * 1000, config);
      stories.add(d.storyId);
    }
    expect(stories.size).toBe(1);
    expect(seen.maxCompared).toBeLessThanOrEqual(CANDIDATES_MAX);
    expect(seen.maxSignatureBytes).toBeLessThan(20_000);
  }, 60_000);

  it('10,000 different stories sharing one word: each item compares at most CANDIDATES_MAX stories, reading at most PER_TERM per term', async () => {
    const { store, seen } = countingStore();
    const stories = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const unique = `alpha${i}z bravo${i * 7919}z charlie${i * 104729}z`; // digits: never stemmed into one another
      const d = await placeItem(store, item(`y${i}`, `Markets ${unique}`, { at: T0 + i * 1000 }), T0 + i * 1000, config);
      stories.add(d.storyId);
    }
    expect(stories.size).toBe(10_000);
    expect(seen.maxPostingRead).toBeLessThanOrEqual(PER_TERM);
    expect(seen.maxCompared).toBeLessThanOrEqual(CANDIDATES_MAX);
  }, 60_000);

  it('one-character headlines say nothing: each starts its own story', async () => {
    const { store } = countingStore();
    const ids = [];
    for (const [i, h] of ['a', 'a', '?', '?', '…', '1'].entries()) ids.push((await placeItem(store, item(`c${i}`, h), T0, config)).storyId);
    expect(new Set(ids).size).toBe(6);
  });

  it('a 5,000-character headline is read up to the cap: as many terms as its first part, a bounded signature', async () => {
    const words = Array.from({ length: 900 }, (_, i) => `word${i.toString(36)}`).join(' ');
    expect(words.length).toBeGreaterThan(5_000);
    const long = words.slice(0, 5_000);
    expect(tokenize(long)).toEqual(tokenize(long.slice(0, FIELD_CHARS)));
    const f = featuresOf({ headline: long, text: long, entities: [long], urls: [long] });
    expect(f.headline.size).toBeLessThanOrEqual(80);
    expect(f.entities[0]!.length).toBeLessThanOrEqual(122);
    const { store, seen } = countingStore();
    const a = await placeItem(store, item('l1', long, { text: long }), T0, config);
    const b = await placeItem(store, item('l2', long, { text: long }), T0 + H, config);
    expect(b.storyId).toBe(a.storyId);
    expect(seen.maxSignatureBytes).toBeLessThan(20_000);
  });

  it('every script mixed (Latin, Cyrillic, Arabic, Devanagari, Han, kana, Hangul, Thai, emoji, bidi marks, lone surrogates)', async () => {
    const mixed = 'Zürich 東京 Москва القاهرة दिल्ली 서울 กรุงเทพ とうきょう 🚀🔥 \u202Eevil\u202C \uD800 naïve café';
    const terms = tokenize(mixed);
    for (const w of ['w:zurich', 'w:東京', 'w:москва', 'w:القاهرة', 'w:서울', 'w:naiv', 'w:cafe']) expect(terms).toContain(w);
    expect(terms.some((t) => /[\u202E\uD800]/u.test(t))).toBe(false);
    const { store } = countingStore();
    const first = await placeItem(store, item('m1', mixed), T0, config);
    const again = await placeItem(store, item('m2', mixed), T0 + H, config);
    const other = await placeItem(store, item('m3', 'Москва: новый мост открыт для движения'), T0 + H, config);
    expect(again.storyId).toBe(first.storyId);
    expect(other.storyId).not.toBe(first.storyId);
  });
});
