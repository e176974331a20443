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
 * the other publishers of its story and of its article's coverage (coverage breadth), rule boosts, and the entities its headline names (and
 * how many of them other publishers' headlines in the story name too). Pure. The annotate stage and the story
 * stage both call it, so the score is made one way; `toDraft` starts from the same `explainScore`. A score an
 * editor set by hand is kept (`editedByHand`); only its breakdown is brought up to date.
 */
export function scoreDraft(draft: DraftSignal, ctx: ScoreContext): ExplainedScore {
  const own = { name: draft.source.name, weight: ctx.weightOf(draft.source.id) };
  // Other publishers: the story's members from other sources, and the other sources' items the pipeline
  // recorded for this very article (`coverage`: same link, folded into this draft instead of a second one).
  const others = [
    ...(ctx.story?.members ?? []).map((m) => ({ sourceId: m.sourceId, name: m.sourceName, headline: m.headline })),
    ...draft.coverage.map((c) => ({ sourceId: c.sourceId, name: c.sourceName, headline: c.headline })),
  ].filter((o) => o.sourceId !== draft.source.id);
  const publishers = [own, ...others.map((o) => ({ name: o.name, weight: ctx.weightOf(o.sourceId) }))];
  const entities = draft.annotation?.entities ?? [];
  const inHeadline = new Set(entities.filter((e) => e.from === 'headline').map((e) => normalize(e.name)));
  const otherHeadlines = others.map((o) => normalize(o.headline));
  const shared = [...new Set(entities.map((e) => normalize(e.name)))].filter((key) => key.length > 1 && otherHeadlines.some((h) => containsWord(h, key))).length;
  const boosts = (draft.annotation?.rules ?? []).filter((r) => r.action === 'boost').map((r) => r.rule);
  const explained = explainScore({
    weight: own.weight,
    publishedAt: draft.publishedAt,
    now: ctx.now,
    publishers,
    source: own.name,
    boost: draft.annotation?.boost ?? 0,
    boostedBy: boosts,
    entities: { inHeadline: inHeadline.size, shared },
  });
  // An editor's own score stays: the breakdown keeps saying what the pipeline sees, the number is theirs.
  return editedByHand(draft) ? { score: draft.score, components: explained.components } : explained;
}

/**
 * True when an editor set the score: it no longer is what its stored breakdown adds up to (every pipeline write
 * stores both together). A draft from before the breakdown (none stored) is the pipeline's. Pure.
 */
export function editedByHand(draft: Pick<DraftSignal, 'score' | 'scoreBreakdown'>): boolean {
  if (!draft.scoreBreakdown.length) return false;
  const sum = draft.scoreBreakdown.reduce((total, c) => total + c.points, 0);
  return draft.score !== Math.max(0, Math.min(100, Math.round(sum)));
}

/**
 * Headlines keyed for containsWord, remembered: re-scoring a story's members reads every other member's headline
 * for each of them (members² keyings per placement, a third of the story stage's CPU in a 500-member story), and
 * entityKey (NFKC, look-alikes, invisible characters) is the costly part. Bounded: emptied when full, and a text
 * longer than a headline is keyed afresh (so 20,000 hostile 5,000-character fields cannot pin memory).
 */
const keyedHeadlines = new Map<string, string>();
const KEYED_MAX = 20_000;
const KEYED_TEXT_MAX = 400;

function normalize(text: string): string {
  if (text.length > KEYED_TEXT_MAX) return entityKey(text);
  let key = keyedHeadlines.get(text);
  if (key === undefined) {
    if (keyedHeadlines.size >= KEYED_MAX) keyedHeadlines.clear();
    key = entityKey(text);
    keyedHeadlines.set(text, key);
  }
  return key;
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
