import { entityKey } from '../entities/extractEntities.ts';
import type { DraftSignal } from './schema.ts';
import { explainScore, type ExplainedScore } from './score.ts';
import type { StoryRecord } from '../stories/storyRecord.ts';

export interface ScoreContext {
  /** The draft's story, when it has one. */
  story: StoryRecord | undefined;
  /** A source's trust weight (0–1) by id; an unknown source counts as 0.5. */
  weightOf: (sourceId: string) => number;
  now: number;
}

/**
 * A draft's explained score from what the draft and its story say now: its source's weight, its freshness,
 * the other publishers of its story (coverage breadth), rule boosts, and the entities its headline names (and
 * how many of them other publishers' headlines in the story name too). Pure. The annotate stage and the story
 * stage both call it, so the score is made one way; `toDraft` starts from the same `explainScore`.
 */
export function scoreDraft(draft: DraftSignal, ctx: ScoreContext): ExplainedScore {
  const own = { name: draft.source.name, weight: ctx.weightOf(draft.source.id) };
  const members = ctx.story?.members ?? [];
  const publishers = [own, ...members.filter((m) => m.sourceId !== draft.source.id).map((m) => ({ name: m.sourceName, weight: ctx.weightOf(m.sourceId) }))];
  const entities = draft.annotation?.entities ?? [];
  const inHeadline = new Set(entities.filter((e) => e.from === 'headline').map((e) => entityKey(e.name)));
  const otherHeadlines = members.filter((m) => m.sourceId !== draft.source.id).map((m) => normalize(m.headline));
  const shared = [...new Set(entities.map((e) => entityKey(e.name)))].filter((key) => key.length > 1 && otherHeadlines.some((h) => containsWord(h, key))).length;
  const boosts = (draft.annotation?.rules ?? []).filter((r) => r.action === 'boost').map((r) => r.rule);
  return explainScore({
    weight: own.weight,
    publishedAt: draft.publishedAt,
    now: ctx.now,
    publishers,
    source: own.name,
    boost: draft.annotation?.boost ?? 0,
    boostedBy: boosts,
    entities: { inHeadline: inHeadline.size, shared },
  });
}

function normalize(text: string): string {
  return entityKey(text);
}

/** `key` as whole words in `text` (both keyed the same way: NFKC, lower case, single spaces). */
function containsWord(text: string, key: string): boolean {
  const word = /[\p{L}\p{N}]/u;
  for (let at = text.indexOf(key); at >= 0; at = text.indexOf(key, at + 1)) {
    const before = text[at - 1] ?? ' ';
    const after = text[at + key.length] ?? ' ';
    if (!word.test(before) && !word.test(after)) return true;
  }
  return false;
}
