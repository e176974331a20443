import { UnrecoverableError, type Job } from 'bullmq';
import { annotateDrafts } from '../src/annotate/annotateDrafts.ts';
import { JobDataError } from '../src/errors.ts';
import { AnnotateJobData, validateJobData, type AnnotateResult } from '../src/queue/jobs.ts';
import { recordRuleDrops } from '../src/rules/recordRuleDrops.ts';
import { queueStories } from '../src/stories/queueStories.ts';
import type { WorkerContext } from './context.ts';

/**
 * The annotate job: entities, rules, a category suggestion and the explained score for a batch of drafts
 * (src/annotate/annotateDrafts.ts), then the story job for those still pending. Wiring only; a failure
 * throws and BullMQ retries (the writes are version-checked, so a retry re-reads and writes once more at most).
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
    const outcome = await annotateDrafts(
      { redis: ctx.redis, keys: ctx.keys, now: () => ctx.clock.now(), rules: ctx.rules, taxonomy: ctx.taxonomy, weightOf: (id) => ctx.sources.get(id)?.weight ?? 0.5 },
      data.draftIds,
      data.reason,
    );
    // Counted in source health and metrics once per draft and rule, however often the job is retried.
    await recordRuleDrops(ctx.redis, ctx.keys, outcome.dropped, ctx.clock.now(), ctx.metrics);
    const storyJobId = outcome.annotated.length > 0 ? await queueStories(ctx.queues.stories, outcome.annotated, data.reason) : undefined;
    ctx.logger.info({ job_id: job.id, reason: data.reason, annotated: outcome.annotated.length, dropped: outcome.dropped.length, skipped: outcome.skipped, story_job_id: storyJobId }, 'drafts annotated');
    return { annotated: outcome.annotated.length, dropped: outcome.dropped, ...(storyJobId ? { storyJobId } : {}) };
  };
}

