import type { Queue } from 'bullmq';
import { digest } from '../dedupe/itemKey.ts';

const CHUNK = 1000;

/** A draft-batch job's id: the stage, the reason and the drafts' ids, so the same drafts always name the same job. Pure. */
export function draftBatchJobId(stage: 'annotate' | 'stories', draftIds: string[], reason: string): string {
  return `${stage}-${reason}-${digest([...draftIds].sort().join(','))}`;
}

/**
 * Queues jobs of `{draftIds, reason}` for a stage (annotate, stories), 1,000 drafts a job, each under its
 * deterministic id: a retry queues the same jobs (BullMQ ignores an id it holds). Returns the first job id, or
 * undefined when there is nothing to queue or no queue.
 */
export async function queueDraftBatches(queue: Queue | undefined, stage: 'annotate' | 'stories', draftIds: string[], reason: 'new' | 'enriched'): Promise<string | undefined> {
  const ids = [...new Set(draftIds)];
  if (!queue || ids.length === 0) return undefined;
  const jobs: { name: string; data: { draftIds: string[]; reason: 'new' | 'enriched' }; opts: { jobId: string } }[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    jobs.push({ name: stage, data: { draftIds: chunk, reason }, opts: { jobId: draftBatchJobId(stage, chunk, reason) } });
  }
  await queue.addBulk(jobs);
  return jobs[0]!.opts.jobId;
}
