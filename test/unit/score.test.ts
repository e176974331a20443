import { describe, expect, it } from 'vitest';
import { explainScore, initialScore, type ScoreInput } from '../../src/drafts/score.ts';
import { editedByHand, scoreDraft } from '../../src/drafts/scoreDraft.ts';
import { toDraft } from '../../src/drafts/toDraft.ts';
import { ScoreComponent, type DraftSignal } from '../../src/drafts/schema.ts';
import type { StoryRecord } from '../../src/stories/storyRecord.ts';

const now = Date.parse('2026-11-27T12:00:00Z');
const base: ScoreInput = { weight: 1, publishedAt: '2026-11-27T10:00:00Z', now, publishers: [{ name: 'Own', weight: 1 }], boost: 0, entities: { inHeadline: 0, shared: 0 } };
const points = (input: Partial<ScoreInput>) => Object.fromEntries(explainScore({ ...base, ...input }).components.map((c) => [c.name, c.points]));

describe('explainScore', () => {
  it.each([
    ['a lone fresh item from a fully trusted source', {}, 60],
    ['weight 0.8, fresh', { weight: 0.8 }, 52],
    ['30 hours old is half as fresh', { publishedAt: '2026-11-26T06:00:00Z' }, 50],
    ['very old keeps only its source weight', { publishedAt: '2025-01-01T00:00:00Z' }, 40],
    ['no date counts half fresh', { publishedAt: null }, 50],
    ['weight 0 and very old scores 0', { weight: 0, publishedAt: '2025-01-01T00:00:00Z' }, 0],
    ['three other publishers of the story', { publishers: [{ name: 'Own', weight: 1 }, { name: 'A', weight: 1 }, { name: 'B', weight: 1 }, { name: 'C', weight: 0.5 }] }, 60 + 20],
    ['coverage is capped at 25', { publishers: ['Own', 'A', 'B', 'C', 'D', 'E'].map((name) => ({ name, weight: 1 })) }, 85],
    ['the same publisher twice counts once', { publishers: [{ name: 'Own', weight: 1 }, { name: 'A', weight: 1 }, { name: 'a', weight: 0.5 }] }, 68],
    ['a rule boost adds its points', { boost: 15 }, 75],
    ['a negative boost takes points away', { boost: -30 }, 30],
    ['the total is held to 0–100', { boost: 100 }, 100],
    ['the total never goes below 0', { boost: -100 }, 0],
    ['entities in the headline and shared with others', { entities: { inHeadline: 2, shared: 1 } }, 68],
    ['at most three headline entities count', { entities: { inHeadline: 9, shared: 9 } }, 75],
  ] as [string, Partial<ScoreInput>, number][])('%s', (_n, input, score) => {
    expect(explainScore({ ...base, ...input }).score).toBe(score);
  });

  it('names every component, in order, and the parts add up to the score', () => {
    const r = explainScore({ ...base, weight: 0.7, publishers: [{ name: 'Own', weight: 0.7 }, { name: 'Reuters', weight: 0.9 }], boost: 10, boostedBy: ['DRAM watch'], entities: { inHeadline: 1, shared: 1 } });
    expect(r.components.map((c) => c.name)).toEqual(['source_weight', 'freshness', 'coverage', 'rules', 'entities']);
    expect(r.components.reduce((s, c) => s + c.points, 0)).toBe(r.score);
    expect(r.components.every((c) => Number.isInteger(c.points))).toBe(true);
  });

  it('says why in plain words', () => {
    const r = explainScore({ ...base, publishedAt: '2026-11-26T06:00:00Z', publishers: [{ name: 'Own', weight: 1 }, { name: 'Reuters', weight: 0.9 }, { name: 'AP', weight: 1 }], boost: 10, boostedBy: ['DRAM watch'], entities: { inHeadline: 2, shared: 1 } });
    const detail = Object.fromEntries(r.components.map((c) => [c.name, c.detail]));
    expect(detail.source_weight).toBe('source trust weight 1.00 × 40');
    expect(detail.freshness).toBe('30 hours old: 50% fresh (halves every 24 hours after the first 6)');
    expect(detail.coverage).toBe('2 other publishers: Reuters 0.9, AP 1.0');
    expect(detail.rules).toBe('+10 from DRAM watch');
    expect(detail.entities).toBe('2 named in the headline, 1 also named by other publishers');
    expect(explainScore(base).components.find((c) => c.name === 'coverage')!.detail).toBe('no other publisher covers this story yet');
  });

  it('details stay within what a stored breakdown holds, whatever the names (long, many)', () => {
    const long = 'N'.repeat(500);
    const r = explainScore({ ...base, publishers: [{ name: 'Own', weight: 1 }, ...Array.from({ length: 40 }, (_, i) => ({ name: `${long}${i}`, weight: 1 }))], boost: 5, boostedBy: Array.from({ length: 50 }, () => long) });
    for (const c of r.components) expect(ScoreComponent.safeParse(c).success).toBe(true);
    expect(r.components.find((c) => c.name === 'coverage')!.detail).toMatch(/^40 other publishers: N+… 1\.0, .* and 35 more \(at most 25\)$/);
  });

  it('refuses nonsense input without throwing: weights outside 0–1, NaN boost', () => {
    expect(points({ weight: 7 }).source_weight).toBe(40);
    expect(points({ weight: -1 }).source_weight).toBe(0);
    expect(points({ boost: Number.NaN }).rules).toBe(0);
  });
});

const feedItem = { key: 'k1', guid: null, url: 'https://own.example/a', title: 'Nvidia and AMD agree on a GPU interconnect standard', author: null, publishedAt: '2026-11-27T10:00:00Z', updatedAt: null, categories: [], summary: null };
const draft = (over: Partial<DraftSignal> = {}): DraftSignal => ({ ...toDraft(feedItem, { id: 'own', name: 'Own', url: 'https://own.example/feed', weight: 0.8, tags: [] }, '2026-11-27T11:00:00Z'), ...over });
const member = (sourceId: string, sourceName: string, headline: string) => ({ draftId: `d_${sourceId.padEnd(16, 'x')}`, sourceId, sourceName, headline, link: null, addedAt: '2026-11-27T11:00:00Z', publishedAt: null, why: 'similar' });
const weights: Record<string, number> = { own: 0.8, reuters: 1, verge: 0.5 };
const weightOf = (id: string) => weights[id] ?? 0.5;

describe('scoreDraft', () => {
  it('a new draft starts with source weight and freshness, and keeps the breakdown', () => {
    const d = draft();
    expect(d.score).toBe(52);
    expect(d.scoreBreakdown.map((c) => [c.name, c.points])).toEqual([['source_weight', 32], ['freshness', 20], ['coverage', 0], ['rules', 0], ['entities', 0]]);
    expect(initialScore({ name: 'Own', weight: 0.8 }, d.publishedAt, Date.parse(d.discoveredAt))).toEqual({ score: d.score, components: d.scoreBreakdown });
  });

  it('coverage breadth grows as other publishers join the story; the draft\'s own source never counts', () => {
    const d = draft();
    const story = (members: ReturnType<typeof member>[]): StoryRecord => ({ id: 'st_1', createdAt: '2026-11-27T11:00:00Z', updatedAt: '2026-11-27T11:00:00Z', members });
    const alone = scoreDraft(d, { story: story([member('own', 'Own', d.headline)]), weightOf, now });
    const two = scoreDraft(d, { story: story([member('own', 'Own', d.headline), member('reuters', 'Reuters', 'GPU makers agree')]), weightOf, now });
    const three = scoreDraft(d, { story: story([member('own', 'Own', d.headline), member('reuters', 'Reuters', 'GPU makers agree'), member('verge', 'The Verge', 'A GPU pact')]), weightOf, now });
    expect([alone.score, two.score, three.score]).toEqual([52, 60, 64]);
    expect(three.components.find((c) => c.name === 'coverage')!.detail).toBe('2 other publishers: Reuters 1.0, The Verge 0.5');
    expect(scoreDraft(d, { story: undefined, weightOf, now }).score).toBe(52);
  });

  it('other sources\' items for the same article (coverage) count as other publishers, once per source', () => {
    const coverage = [
      { sourceId: 'reuters', sourceName: 'Reuters', headline: 'Nvidia and AMD agree on GPU link', link: 'https://own.example/a', at: '2026-11-27T11:00:00Z', publishedAt: null },
      { sourceId: 'own', sourceName: 'Own', headline: 'Own again', link: 'https://own.example/a', at: '2026-11-27T11:00:00Z', publishedAt: null },
    ];
    const d = draft({ coverage });
    const story: StoryRecord = { id: 'st_1', createdAt: '2026-11-27T11:00:00Z', updatedAt: '2026-11-27T11:00:00Z', members: [member('own', 'Own', d.headline), member('reuters', 'Reuters', 'GPU makers agree')] };
    const r = scoreDraft(d, { story: undefined, weightOf, now });
    expect(r.components.find((c) => c.name === 'coverage')).toMatchObject({ points: 8, detail: '1 other publisher: Reuters 1.0' });
    expect(scoreDraft(d, { story, weightOf, now }).components.find((c) => c.name === 'coverage')!.points).toBe(8);
  });

  it('a score an editor set by hand stays as coverage grows; the breakdown still says what the pipeline sees', () => {
    const d = draft();
    const story: StoryRecord = { id: 'st_1', createdAt: '2026-11-27T11:00:00Z', updatedAt: '2026-11-27T11:00:00Z', members: [member('own', 'Own', d.headline), member('reuters', 'Reuters', 'GPU makers agree')] };
    expect(editedByHand(d)).toBe(false);
    const edited = { ...d, score: 95 };
    expect(editedByHand(edited)).toBe(true);
    const r = scoreDraft(edited, { story, weightOf, now });
    expect(r.score).toBe(95);
    expect(r.components.find((c) => c.name === 'coverage')!.points).toBe(8);
    // A draft from before the breakdown existed is re-scored.
    expect(scoreDraft({ ...d, score: 95, scoreBreakdown: [] }, { story, weightOf, now }).score).toBe(60);
  });

  it('entity prominence: headline entities, and those other publishers\' headlines name too (whole words only)', () => {
    const annotation = {
      at: '2026-11-27T11:00:00Z',
      entities: [
        { name: 'Nvidia', kind: 'organization' as const, from: 'headline' as const, count: 1 },
        { name: 'AMD', kind: 'organization' as const, from: 'headline' as const, count: 1 },
        { name: 'Jensen Huang', kind: 'person' as const, from: 'excerpt' as const, count: 1 },
      ],
      suggestion: null,
      rules: [{ rule: 'GPU watch', action: 'boost' as const, detail: "keyword 'GPU': +5" }],
      boost: 5,
      view: null,
    };
    const d = draft({ annotation });
    const story: StoryRecord = { id: 'st_1', createdAt: '2026-11-27T11:00:00Z', updatedAt: '2026-11-27T11:00:00Z', members: [member('own', 'Own', d.headline), member('reuters', 'Reuters', 'Nvidia, AMD settle on one link; jensen huang speaks'), member('verge', 'The Verge', 'AMDX is not AMD… nor is Nvidias')] };
    const r = scoreDraft(d, { story, weightOf, now });
    const entities = r.components.find((c) => c.name === 'entities')!;
    expect(entities).toMatchObject({ points: 2 * 3 + 3 * 2, detail: '2 named in the headline, 3 also named by other publishers' });
    expect(r.components.find((c) => c.name === 'rules')).toMatchObject({ points: 5, detail: '+5 from GPU watch' });
    // Only the own source's headline names them: nothing shared.
    const solo = scoreDraft(d, { story: { ...story, members: [member('own', 'Own', d.headline)] }, weightOf, now });
    expect(solo.components.find((c) => c.name === 'entities')!.points).toBe(6);
  });
});
