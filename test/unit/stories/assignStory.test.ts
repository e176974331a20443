import { describe, expect, it } from 'vitest';
import { assignStory, STORY_RULES } from '../../../src/stories/assignStory.ts';
import { memoryStore } from '../../../src/stories/memoryStore.ts';
import { placeItem } from '../../../src/stories/placeItem.ts';
import type { StoryDecision, StoryItem } from '../../../src/stories/types.ts';

const H = 3_600_000;
const T0 = Date.parse('2026-03-02T08:00:00Z');
const WINDOW = 72 * H;

let n = 0;
function item(headline: string, opts: Partial<StoryItem> = {}): StoryItem {
  n += 1;
  return { id: `d_${n}`, sourceId: `src${n}`, sourceName: `Source ${n}`, at: T0, headline, text: '', urls: [], entities: [], blocked: [], ...opts };
}

/** Unrelated coverage first, so that word weights (IDF) are those of a working desk, not of an empty one. */
const BACKGROUND = [
  'Central bank holds interest rates steady as inflation cools',
  'Storm brings flooding to coastal towns, thousands without power',
  'Football club sacks manager after fifth straight defeat',
  'Parliament passes budget after late-night vote',
  'Film festival opens with record number of premieres',
  'Oil prices climb on supply worries',
  'Hospital strike enters third week as talks stall',
  'Court blocks new voting law pending appeal',
];

/** Places `earlier` (after the background) then decides `next` against what the store holds. */
async function decide(earlier: StoryItem[], next: StoryItem): Promise<{ decision: StoryDecision; stories: Map<string, string> }> {
  const store = memoryStore({ windowMs: WINDOW });
  const stories = new Map<string, string>();
  for (const [i, h] of BACKGROUND.entries()) await placeItem(store, item(h, { at: T0 - 100 * H - i }), T0 - 100 * H, { windowMs: WINDOW });
  let now = T0 - 100 * H;
  for (const e of earlier) {
    now = Math.max(now, e.at);
    stories.set(e.id, (await placeItem(store, e, now, { windowMs: WINDOW })).storyId);
  }
  now = Math.max(now, next.at);
  return { decision: await placeItem(store, next, now, { windowMs: WINDOW }), stories };
}

const quake = () => item('Magnitude 7.1 earthquake strikes off northern Japan, tsunami warning issued', {
  text: 'A powerful earthquake struck off the coast of Iwate prefecture on Monday, prompting a tsunami warning.',
  entities: ['japan', 'iwate'],
  urls: ['digest-quake-1'],
});

describe('assignStory: the decision table', () => {
  it('same link, different wording: joins for certain', async () => {
    const first = quake();
    const { decision, stories } = await decide([first], item('Tsunami alert after strong quake', { urls: ['digest-quake-1'] }));
    expect(decision).toMatchObject({ kind: 'join', storyId: stories.get(first.id), similarity: 1 });
    expect(decision.reasons[0]).toBe('same link');
  });

  it('same event, different wording, another publisher within the hour: joins, naming shared terms and entities', async () => {
    const first = quake();
    const { decision, stories } = await decide([first], item('Strong earthquake hits northern Japan; tsunami warning for Iwate coast', {
      at: T0 + 0.5 * H,
      text: 'Japan issued a tsunami warning after a magnitude 7.1 quake struck off Iwate.',
      entities: ['japan', 'iwate'],
    }));
    expect(decision.kind).toBe('join');
    expect(decision.storyId).toBe(stories.get(first.id));
    expect(decision.reasons.join(' | ')).toMatch(/terms .*(earthquak|tsunami)/);
    expect(decision.reasons.join(' | ')).toMatch(/entities .*japan/);
    expect(decision.reasons).toContain('another publisher');
  });

  it('same entity, different event: starts its own story', async () => {
    const earnings = item('Apple quarterly revenue beats forecasts on iPhone sales', {
      text: 'Apple reported record revenue for the quarter, driven by strong iPhone demand in China.',
      entities: ['apple', 'iphone', 'china'],
    });
    const { decision } = await decide([earnings], item('Apple sued by EU regulators over App Store payment rules', {
      at: T0 + 2 * H,
      text: 'The European Commission filed a complaint accusing Apple of blocking rival payment systems.',
      entities: ['apple', 'app store', 'european commission'],
    }));
    expect(decision.kind).toBe('new');
    expect(decision.reasons[0]).toMatch(new RegExp(`^closest s_\\d+: similar [\\d.]+ \\(needs ${STORY_RULES.joinAt}\\)$`));
  });

  it('time alone never joins: an unrelated item in the same minute starts its own story', async () => {
    const { decision } = await decide([quake()], item('Chess champion wins ninth title in Oslo', { entities: ['oslo'] }));
    expect(decision.kind).toBe('new');
  });

  it('a story with no addition for longer than the window is not a candidate, even for the same headline', async () => {
    const first = quake();
    const { decision } = await decide([first], item(first.headline, { at: T0 + WINDOW + H, text: first.text, entities: first.entities }));
    expect(decision.kind).toBe('new');
    expect(decision.reasons).toEqual(['nothing similar in the window']);
  });

  it('split out by an editor: never rejoins that story, even with the same headline and link', async () => {
    const first = quake();
    const store = memoryStore({ windowMs: WINDOW });
    const started = await placeItem(store, first, T0, { windowMs: WINDOW });
    const again = item(first.headline, { text: first.text, urls: first.urls, entities: first.entities, blocked: [started.storyId] });
    const decision = await placeItem(store, again, T0, { windowMs: WINDOW });
    expect(decision.kind).toBe('new');
    expect(decision.storyId).not.toBe(started.storyId);
    expect(decision.reasons).toContain(`not ${started.storyId}: split out of it by an editor`);
  });

  it('closer in time counts for more: the same pair scores higher an hour apart than two days apart', async () => {
    const first = quake();
    const follow = (at: number) => item('Japan earthquake: tsunami warning lifted, damage assessed in Iwate', { at, entities: ['japan', 'iwate'] });
    const near = (await decide([first], follow(T0 + H))).decision;
    const far = (await decide([first], follow(T0 + 48 * H))).decision;
    expect(near.similarity).toBeGreaterThan(far.similarity);
  });

  it('a different publisher counts for more than the same publisher again', async () => {
    const first = quake();
    const next = (sourceId: string) => item('Japan quake sets off tsunami warning', { sourceId, at: T0 + H, entities: ['japan'] });
    const other = (await decide([first], next('another-paper'))).decision;
    const same = (await decide([first], next(first.sourceId))).decision;
    expect(other.similarity - same.similarity).toBeCloseTo(STORY_RULES.newPublisher + STORY_RULES.samePublisher, 2);
  });

  it('Chinese headlines: the same event joins, another event does not', async () => {
    const first = item('日本东北部发生7.1级地震 气象厅发布海啸预警', { entities: ['日本'] });
    const same = (await decide([first], item('日本岩手县近海发生强烈地震 发布海啸预警', { at: T0 + H, entities: ['日本'] }))).decision;
    const other = (await decide([first], item('中国央行宣布下调存款准备金率', { at: T0 + H }))).decision;
    expect(same.kind).toBe('join');
    expect(other.kind).toBe('new');
  });

  it('no candidates: a new story with a deterministic id (a retried job names the same story)', () => {
    const d = assignStory(item('Anything', { id: 'd_abc' }), [], T0, { windowMs: WINDOW });
    expect(d).toEqual({ kind: 'new', storyId: 's_abc', similarity: 0, reasons: ['nothing similar in the window'] });
  });

  it('a signature that is not one (bad JSON from a store) is left out, not trusted', () => {
    const d = assignStory(quake(), [{ id: 's_x', signature: { id: 's_x', lastAt: 'soon', firstAt: 0, size: 1 } as never }], T0, { windowMs: WINDOW });
    expect(d.kind).toBe('new');
  });
});

describe('placeItem: a retried job', () => {
  it('placing the same item again names the same story and counts nothing twice', async () => {
    const store = memoryStore({ windowMs: WINDOW });
    const first = quake();
    const a = await placeItem(store, first, T0, { windowMs: WINDOW });
    const before = await store.docFrequencies(['w:tsunami']);
    const b = await placeItem(store, first, T0 + 1000, { windowMs: WINDOW });
    expect(b).toMatchObject({ kind: 'join', storyId: a.storyId, reasons: ['already in this story'] });
    expect(await store.docFrequencies(['w:tsunami'])).toEqual(before);
    const [sig] = await store.signatures([a.storyId]);
    expect(sig!.size).toBe(1);
  });
});
