import type { Queue } from 'bullmq';
import { draftBatchJobId, queueDraftBatches } from '../queue/queueDraftBatches.ts';

/** The annotate job's id: from the drafts' ids and the reason, so the same drafts always name the same job. Pure. */
export function annotateJobId(draftIds: string[], reason: 'new' | 'enriched'): string {
  return draftBatchJobId('annotate', draftIds, reason);
}

/**
 * Queues the annotate job for drafts (the new drafts of one ingest commit, or one enriched draft), 1,000 drafts
 * a job, under ids from the drafts' ids and the reason: a retried ingest queues the same job. Returns the (first)
 * job id, or undefined when there is nothing to annotate or no queue.
 */
export async function queueAnnotation(queue: Queue | undefined, draftIds: string[], reason: 'new' | 'enriched'): Promise<string | undefined> {
  return queueDraftBatches(queue, 'annotate', draftIds, reason);
}
