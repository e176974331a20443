import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { enrichArticle } from '../src/enrich/enrichArticle.ts';
import { JobDataError } from '../src/errors.ts';
import { EnrichJobData, validateJobData, type EnrichResult } from '../src/queue/jobs.ts';
import type { WorkerContext } from './context.ts';

/**
 * The enrich job: one article page read for a draft (src/enrich/enrichArticle.ts). Maps its steps onto
 * BullMQ: a busy host delays the job (no attempt spent), a transient failure throws (BullMQ retries with
 * backoff; the last attempt records the failure on the draft), a shutdown hands the job back.
 */
export function createEnrichProcessor(ctx: WorkerContext) {
  return async (job: Job, token?: string): Promise<EnrichResult> => {
    let data: EnrichJobData;
    try {
      data = validateJobData(EnrichJobData, job.data, 'enrich');
    } catch (err) {
      if (err instanceof JobDataError) throw new UnrecoverableError(err.message);
      throw err;
    }
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const step = await enrichArticle({ ...ctx, now: () => ctx.clock.now() }, data, finalAttempt);
    switch (step.kind) {
      case 'finished':
        ctx.metrics.enrichments.inc({ state: step.result.state });
        ctx.logger.info({ draft_id: data.draftId, job_id: job.id, state: step.result.state, reason: step.result.reason }, 'article enriched');
        return step.result;
      case 'wait':
        if (!token) throw new Error(`host ${step.host} busy`);
        await job.moveToDelayed(Date.now() + step.waitMs + Math.round(ctx.random() * 1000), token);
        throw new DelayedError();
      case 'shutdown':
        if (!token) throw new Error('the worker is shutting down');
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      case 'retry':
        throw new Error(step.reason);
    }
  };
}
