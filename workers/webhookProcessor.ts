import { UnrecoverableError, type Job } from 'bullmq';
import { JobDataError } from '../src/errors.ts';
import type { Signal } from '../src/publish/signal.ts';
import { deliverWebhook, type WebhookTarget } from '../src/publish/webhook.ts';
import { sweepWebhookOutbox } from '../src/publish/webhookOutbox.ts';
import { validateJobData, WebhookJobData } from '../src/queue/jobs.ts';
import type { WorkerContext } from './context.ts';

export const SWEEP_JOB = 'sweep';

/**
 * Two jobs on the webhook queue: "deliver" POSTs one published signal (a retryable failure throws, so
 * BullMQ retries with backoff); "sweep" (scheduled) queues deliveries the fast path missed.
 */
export function createWebhookProcessor(ctx: WorkerContext, target: WebhookTarget) {
  return async (job: Job): Promise<{ status: number } | { swept: number }> => {
    if (job.name === SWEEP_JOB) return { swept: await sweepWebhookOutbox(ctx.redis, ctx.keys, ctx.queues.webhook) };
    let signal: Signal;
    try {
      signal = validateJobData(WebhookJobData, job.data, 'webhook').signal;
    } catch (err) {
      if (err instanceof JobDataError) throw new UnrecoverableError(err.message);
      throw err;
    }
    const outcome = await deliverWebhook(target, signal, new Date(ctx.clock.now()), ctx.settings.fetchTimeoutMs);
    if (outcome.ok) return { status: outcome.status };
    if (!outcome.retry) throw new UnrecoverableError(outcome.message);
    throw new Error(outcome.message);
  };
}
