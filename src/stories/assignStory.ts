import type { StoryCandidate, StoryConfig, StoryDecision, StoryItem } from './types.ts';

/**
 * Placeholder of the contract commit: every item starts its own story. The clusterer (helper "stories-core")
 * replaces it with the real decision: same URL digest → join for certain; otherwise weighted similarity of
 * terms, entities and time, with different publishers counting for more, over the candidates given.
 */
export function assignStory(item: StoryItem, candidates: StoryCandidate[], now: number, config: StoryConfig): StoryDecision {
  void candidates;
  void now;
  void config;
  return { kind: 'new', storyId: newStoryId(item), similarity: 0, reasons: ['placeholder: no clusterer yet'] };
}

/** The id of the story a `new` decision starts (deterministic: a retried job names the same story). */
export function newStoryId(item: Pick<StoryItem, 'id'>): string {
  return `s_${item.id.replace(/^d_/, '')}`;
}
