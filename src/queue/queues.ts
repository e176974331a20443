import { Queue, type JobsOptions } from 'bullmq';
import type { Settings } from '../config/settings.ts';
import type { RedisClient } from '../redisClient.ts';
import { ANNOTATE_QUEUE, ENRICH_QUEUE, INGEST_QUEUE, POLL_QUEUE, STORY_QUEUE, WEBHOOK_QUEUE } from './jobs.ts';

export interface Queues {
  poll: Queue;
  ingest: Queue;
  /** Deliveries of published signals to the webhook, one job per signal (job id = signal id). */
  webhook: Queue;
  /** Article pages to read for new drafts, one job per article (job id `enrich-<link digest>`, see enrich/queueEnrichment.ts). */
  enrich: Queue;
  /** Entities, rules and a category suggestion for committed drafts (job id from the drafts' ids, see annotate/queueAnnotation.ts). */
  annotate: Queue;
  /** Story decisions, one at a time across every worker process (BullMQ global concurrency 1; see stories/queueStories.ts). */
  stories: Queue;
}

/** Every queue, for closing, gauges and the dashboard. */
export function allQueues(queues: Queues): Queue[] {
  return [queues.poll, queues.ingest, queues.enrich, queues.annotate, queues.stories, queues.webhook];
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(allQueues(queues).map((q) => q.close()));
}

/** Default options: bounded history so Redis memory stays flat, failures kept visible for a week. */
export function pollJobOptions(settings: Settings): JobsOptions {
  return {
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.backoffMs, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

export function ingestJobOptions(settings: Settings): JobsOptions {
  return {
    attempts: Math.max(settings.attempts, 5),
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

/** Webhook deliveries back off like polls (SIGNAL_DESK_BACKOFF_MS, doubling): 8 attempts at the default 30 s span about an hour. */
export function webhookJobOptions(settings: Settings): JobsOptions {
  return {
    attempts: settings.webhook?.attempts ?? 8,
    backoff: { type: 'exponential', delay: settings.backoffMs, jitter: 0.3 },
    removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
    removeOnFail: { age: 30 * 24 * 3600, count: 10_000 },
  };
}

/**
 * Article page fetches: a few quick retries for a network error, a 5xx or a 429, then the failure is
 * recorded on the draft. Completed jobs are kept a week: their ids are what makes one fetch per article.
 */
export function enrichJobOptions(settings: Settings): JobsOptions {
  return {
    attempts: 3,
    backoff: { type: 'exponential', delay: Math.min(settings.backoffMs, 5000), jitter: 0.5 },
    removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

/**
 * Annotate and story jobs: quick retries (their work is Redis only); completed jobs are kept a day, their ids
 * being what makes a retried ingest (or annotate) queue the same job rather than a second one.
 */
export function pipelineJobOptions(): JobsOptions {
  return {
    attempts: 5,
    backoff: { type: 'exponential', delay: 500 },
    removeOnComplete: { age: 24 * 3600, count: 100_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

export function createQueues(settings: Settings, connection: RedisClient): Queues {
  const opts = { connection, prefix: settings.prefix };
  return {
    poll: new Queue(POLL_QUEUE, { ...opts, defaultJobOptions: pollJobOptions(settings) }),
    ingest: new Queue(INGEST_QUEUE, { ...opts, defaultJobOptions: ingestJobOptions(settings) }),
    webhook: new Queue(WEBHOOK_QUEUE, { ...opts, defaultJobOptions: webhookJobOptions(settings) }),
    enrich: new Queue(ENRICH_QUEUE, { ...opts, defaultJobOptions: enrichJobOptions(settings) }),
    annotate: new Queue(ANNOTATE_QUEUE, { ...opts, defaultJobOptions: pipelineJobOptions() }),
    stories: new Queue(STORY_QUEUE, { ...opts, defaultJobOptions: pipelineJobOptions() }),
  };
}
