import { assignStory } from './assignStory.ts';
import type { StoryConfig, StoryDecision, StoryItem, StoryStore } from './types.ts';

/**
 * Places one item: reads its candidates from the store, decides (pure `assignStory`), records the decision.
 * The same code for the workers (Redis store, one at a time across processes: the story queue's global
 * concurrency is 1) and for `signal-desk cluster --jsonl` (memory store).
 * Placeholder of the contract commit: the clusterer helper replaces the body (retrieval, signature update).
 */
export async function placeItem(store: StoryStore, item: StoryItem, now: number, config: StoryConfig): Promise<StoryDecision> {
  const decision = assignStory(item, [], now, config);
  await store.commit({ signature: { id: decision.storyId, firstAt: item.at, lastAt: item.at, size: 1 }, indexTerms: [], observedTerms: [], itemId: item.id }, now);
  return decision;
}

