import type { Queue } from 'bullmq';
import { digest } from '../dedupe/itemKey.ts';
import type { StoryJobData } from '../queue/jobs.ts';

const CHUNK = 1000;

/** The story job's id: from the drafts' ids and the reason (a retried annotate job names the same story job). Pure. */
export function storyJobId(draftIds: string[], reason: 'new' | 'enriched'): string {
  return `stories-${reason}-${digest([...draftIds].sort().join(','))}`;
}

/**
 * Queues the story job for annotated drafts (called by the annotate processor once their annotations are
 * written). Job id from the drafts' ids and the reason, so a retry queues the same job. The queue's global
 * concurrency is 1 (set by every worker process at start), so story decisions never interleave.
 */
export async function queueStories(queue: Queue | undefined, draftIds: string[], reason: 'new' | 'enriched'): Promise<string | undefined> {
  const ids = [...new Set(draftIds)];
  if (!queue || ids.length === 0) return undefined;
  const jobs: { name: string; data: StoryJobData; opts: { jobId: string } }[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    jobs.push({ name: 'stories', data: { draftIds: chunk, reason }, opts: { jobId: storyJobId(chunk, reason) } });
  }
  await queue.addBulk(jobs);
  return jobs[0]!.opts.jobId;
}
