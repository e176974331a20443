import { UnrecoverableError, type Job } from 'bullmq';
import { JobDataError } from '../src/errors.ts';
import { AnnotateJobData, validateJobData, type AnnotateResult } from '../src/queue/jobs.ts';
import { queueStories } from '../src/stories/queueStories.ts';
import type { WorkerContext } from './context.ts';

/**
 * Placeholder of the runtime helper, so the pipeline runs end to end (ingest → annotate → stories) before
 * the annotate helper's processor lands: it annotates nothing and hands every draft to the story stage. The
 * annotate helper replaces this file (entities, rules, suggestion, score, drops), keeping the export's name
 * and the `queueStories` call at its end.
 */
export function createAnnotateProcessor(ctx: WorkerContext) {
  return async (job: Job): Promise<AnnotateResult> => {
    let data: AnnotateJobData;
    try {
      data = validateJobData(AnnotateJobData, job.data, 'annotate');
    } catch (err) {
      if (err instanceof JobDataError) throw new UnrecoverableError(err.message);
      throw err;
    }
    const storyJobId = await queueStories(ctx.queues.stories, data.draftIds, data.reason);
    return { annotated: 0, dropped: [], ...(storyJobId ? { storyJobId } : {}) };
  };
}
