import type { Queue } from 'bullmq';
import { draftBatchJobId, queueDraftBatches } from '../queue/queueDraftBatches.ts';

/** The story job's id: from the drafts' ids and the reason (a retried annotate job names the same story job). Pure. */
export function storyJobId(draftIds: string[], reason: 'new' | 'enriched'): string {
  return draftBatchJobId('stories', draftIds, reason);
}

/**
 * Queues the story job for annotated drafts (called by the annotate processor once their annotations are
 * written), 1,000 drafts a job, under ids from the drafts' ids and the reason: a retry queues the same job. The
 * queue's global concurrency is 1 (set by every worker process at start), so story decisions never interleave.
 */
export async function queueStories(queue: Queue | undefined, draftIds: string[], reason: 'new' | 'enriched'): Promise<string | undefined> {
  return queueDraftBatches(queue, 'stories', draftIds, reason);
}
