import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { queueAnnotation } from '../src/annotate/queueAnnotation.ts';
import { enrichArticle } from '../src/enrich/enrichArticle.ts';
import { unreadEnrichment, writeEnrichment } from '../src/enrich/writeEnrichment.ts';
import { getDraft } from '../src/review/draftStore.ts';
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
        // The page's description and keywords change what the draft is about: annotated again, then re-placed
        // (an enriched draft alone in its story may move to a matching one). Folded drafts left the queue.
        if (step.result.state === 'done' && !step.result.foldedInto) await queueAnnotation(ctx.queues.annotate, [data.draftId], 'enriched');
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

/**
 * A job that failed for good without recording anything (it stalled more times than allowed: the worker died
 * while reading the page, again and again; or its last attempt threw): the draft would say `pending` for ever.
 * Records the failure on the draft instead, if it still waits for this enrichment. Called on the worker's
 * `failed` event; a failure that BullMQ will retry is left alone.
 */
export async function recordEnrichFailure(ctx: WorkerContext, job: Job | undefined, err: Error): Promise<void> {
  if (!job || !(await job.isFailed())) return;
  const parsed = EnrichJobData.safeParse(job.data);
  if (!parsed.success) return;
  const draft = await getDraft(ctx.redis, ctx.keys, parsed.data.draftId);
  if (!draft || draft.status !== 'pending' || draft.enrichment?.state !== 'pending') return;
  const now = ctx.clock.now();
  const reason = /stalled/i.test(err.message) ? 'the worker stopped while reading the page, more times than allowed (SIGNAL_DESK_STALLED_MS); it was not read' : `the page could not be read: ${err.message}`;
  await writeEnrichment(ctx.redis, ctx.keys, draft.id, { enrichment: unreadEnrichment('failed', reason, now) }, now);
  ctx.metrics.enrichments.inc({ state: 'failed' });
}
