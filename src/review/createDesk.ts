import { Queue } from 'bullmq';
import type { Clock } from '../clock.ts';
import type { Settings } from '../config/settings.ts';
import type { RedisClient } from '../redisClient.ts';
import type { Logger } from '../log.ts';
import { STORY_QUEUE, WEBHOOK_QUEUE, type StoryJobData } from '../queue/jobs.ts';
import { createKeys } from '../queue/keys.ts';
import { pipelineJobOptions, webhookJobOptions } from '../queue/queues.ts';
import { Desk } from './desk.ts';

/**
 * The desk as every front end uses it: with the webhook wired when one is configured. A published signal
 * becomes one BullMQ job whose id is the signal's id, so however often the hook runs, one delivery is queued.
 */
export function createDesk(settings: Settings, redis: RedisClient, clock: Clock, logger: Logger): { desk: Desk; close(): Promise<void> } {
  const webhook = settings.webhook ? new Queue(WEBHOOK_QUEUE, { connection: redis, prefix: settings.prefix, defaultJobOptions: webhookJobOptions(settings) }) : undefined;
  // A reopened draft that is in no story gets a story job of its own (its id names the draft's version: queued once per reopen).
  const stories = new Queue(STORY_QUEUE, { connection: redis, prefix: settings.prefix, defaultJobOptions: pipelineJobOptions() });
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
    onReopened: async (draft) => {
      const data: StoryJobData = { draftIds: [draft.id], reason: 'new' };
      await stories.add('stories', data, { jobId: `stories-reopen-${draft.id}-v${draft.version}` });
      logger.info({ draft_id: draft.id }, 'reopened draft queued for the story stage');
    },
  });
  return {
    desk,
    close: async () => {
      await webhook?.close();
      await stories.close();
    },
  };
}
