import type { Queue } from 'bullmq';

/**
 * Queues the story job for annotated drafts (called by the annotate processor once their annotations are
 * written). Job id from the drafts' ids and the reason. Placeholder of the contract commit (runtime helper).
 */
export async function queueStories(queue: Queue | undefined, draftIds: string[], reason: 'new' | 'enriched'): Promise<string | undefined> {
  void queue;
  void draftIds;
  void reason;
  return undefined;
}
