import type { Queue } from 'bullmq';
import { digest } from '../dedupe/itemKey.ts';
import type { AnnotateJobData } from '../queue/jobs.ts';

const CHUNK = 1000;

/** The annotate job's id: from the drafts' ids and the reason, so the same drafts always name the same job. Pure. */
export function annotateJobId(draftIds: string[], reason: 'new' | 'enriched'): string {
  return `annotate-${reason}-${digest([...draftIds].sort().join(','))}`;
}

/**
 * Queues the annotate job for drafts (the new drafts of one ingest commit, or one enriched draft). Job id from
 * the drafts' ids and the reason, so a retried ingest queues the same job (BullMQ ignores an id it holds).
 * More than 1,000 drafts go as several jobs of 1,000. Returns the (first) job id, or undefined when there is
 * nothing to annotate or no queue.
 */
export async function queueAnnotation(queue: Queue | undefined, draftIds: string[], reason: 'new' | 'enriched'): Promise<string | undefined> {
  const ids = [...new Set(draftIds)];
  if (!queue || ids.length === 0) return undefined;
  const jobs: { name: string; data: AnnotateJobData; opts: { jobId: string } }[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    jobs.push({ name: 'annotate', data: { draftIds: chunk, reason }, opts: { jobId: annotateJobId(chunk, reason) } });
  }
  await queue.addBulk(jobs);
  return jobs[0]!.opts.jobId;
}
