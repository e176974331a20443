import type { DraftSignal, ScoreComponent } from './schema.ts';
import { explainScore } from './score.ts';
import type { StoryRecord } from '../stories/storyRecord.ts';

export interface ScoreContext {
  /** The draft's story, when it has one. */
  story: StoryRecord | undefined;
  /** A source's trust weight (0–1) by id; an unknown source counts as 0.5. */
  weightOf: (sourceId: string) => number;
  now: number;
}

/**
 * A draft's explained score from what the draft and its story say now (publishers of the story, rule boosts,
 * entities). Pure. The annotate stage and the story stage both call it, so the score is made one way.
 * Placeholder of the contract commit (the score helper fills it in).
 */
export function scoreDraft(draft: DraftSignal, ctx: ScoreContext): { score: number; components: ScoreComponent[] } {
  const publishers = [...new Map((ctx.story?.members ?? []).map((m) => [m.sourceId, { name: m.sourceName, weight: ctx.weightOf(m.sourceId) }])).values()];
  return explainScore({
    weight: ctx.weightOf(draft.source.id),
    publishedAt: draft.publishedAt,
    now: ctx.now,
    publishers: publishers.length ? publishers : [{ name: draft.source.name, weight: ctx.weightOf(draft.source.id) }],
    boost: draft.annotation?.boost ?? 0,
    entities: { inHeadline: draft.annotation?.entities.filter((e) => e.from === 'headline').length ?? 0, shared: 0 },
  });
}
