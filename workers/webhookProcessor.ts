import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { JobDataError } from '../src/errors.ts';
import { Signal } from '../src/publish/signal.ts';
import { deliverWebhook, type WebhookTarget } from '../src/publish/webhook.ts';
import { validateJobData } from '../src/queue/jobs.ts';
import type { WorkerContext } from './context.ts';

export const WebhookJobData = z.object({ signal: Signal });

/** Delivers one published signal; a retryable failure throws so BullMQ retries it with backoff. */
export function createWebhookProcessor(ctx: WorkerContext, target: WebhookTarget) {
  return async (job: Job): Promise<{ status: number }> => {
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
