import { Queue, type JobsOptions } from 'bullmq';
import type { Settings } from '../config/settings.ts';
import type { RedisClient } from '../redisClient.ts';
import { INGEST_QUEUE, POLL_QUEUE, WEBHOOK_QUEUE } from './jobs.ts';

export interface Queues {
  poll: Queue;
  ingest: Queue;
  /** Deliveries of published signals to the webhook, one job per signal (job id = signal id). */
  webhook: Queue;
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

export function createQueues(settings: Settings, connection: RedisClient): Queues {
  const opts = { connection, prefix: settings.prefix };
  return {
    poll: new Queue(POLL_QUEUE, { ...opts, defaultJobOptions: pollJobOptions(settings) }),
    ingest: new Queue(INGEST_QUEUE, { ...opts, defaultJobOptions: ingestJobOptions(settings) }),
    webhook: new Queue(WEBHOOK_QUEUE, { ...opts, defaultJobOptions: webhookJobOptions(settings) }),
  };
}
