import type { Queue } from 'bullmq';

/**
 * Queues the annotate job for drafts (the new drafts of one ingest commit, or one enriched draft). Job id from
 * the drafts' ids and the reason, so a retried ingest queues the same job. Placeholder of the contract commit:
 * the runtime helper fills it in and calls it from the ingest and enrich processors.
 */
export async function queueAnnotation(queue: Queue | undefined, draftIds: string[], reason: 'new' | 'enriched'): Promise<string | undefined> {
  void queue;
  void draftIds;
  void reason;
  return undefined;
}
