import { Queue } from 'bullmq';
import type { Clock } from '../clock.ts';
import type { Settings } from '../config/settings.ts';
import type { RedisClient } from '../redisClient.ts';
import type { Logger } from '../log.ts';
import { WEBHOOK_QUEUE } from '../queue/jobs.ts';
import { createKeys } from '../queue/keys.ts';
import { webhookJobOptions } from '../queue/queues.ts';
import { Desk } from './desk.ts';

/**
 * The desk as every front end uses it: with the webhook wired when one is configured. A published signal
 * becomes one BullMQ job whose id is the signal's id, so however often the hook runs, one delivery is queued.
 */
export function createDesk(settings: Settings, redis: RedisClient, clock: Clock, logger: Logger): { desk: Desk; close(): Promise<void> } {
  const webhook = settings.webhook ? new Queue(WEBHOOK_QUEUE, { connection: redis, prefix: settings.prefix, defaultJobOptions: webhookJobOptions(settings) }) : undefined;
  const desk = new Desk({
    redis,
    keys: createKeys(settings.prefix),
    clock,
    claimMs: settings.claimMs,
    onPublished: webhook
      ? async (signal) => {
          await webhook.add('deliver', { signal }, { jobId: signal.id });
          logger.info({ signal_id: signal.id }, 'webhook delivery queued');
        }
      : undefined,
  });
  return { desk, close: async () => webhook?.close() };
}
