import type { Queue } from 'bullmq';
import type { RedisClient } from '../redisClient.ts';
import type { Keys } from '../queue/keys.ts';
import { Signal } from './signal.ts';

export const OUTBOX_GROUP = 'webhook-outbox';
const CONSUMER = 'sweeper';

/**
 * The signals stream is the webhook's outbox. Approval queues a delivery at once (the fast path); this
 * sweep, run every minute by a BullMQ job scheduler, reads the stream through a consumer group and queues
 * a delivery for every signal, with the signal's id as job id, so a signal whose fast path was cut short
 * by a crash is delivered anyway, and one already queued is not queued twice. Entries are acknowledged
 * only after their job is queued; a sweep that dies half-way finds them again as pending.
 * The group starts at the end of the stream: configuring a webhook does not replay old signals.
 * Returns how many signals it queued (or found already queued).
 */
export async function sweepWebhookOutbox(redis: RedisClient, keys: Keys, queue: Queue): Promise<number> {
  try {
    await redis.xgroup('CREATE', keys.signals, OUTBOX_GROUP, '$', 'MKSTREAM');
  } catch (err) {
    if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
  }
  let swept = 0;
  // First our pending entries (read before, not acknowledged), then new ones.
  for (const from of ['0', '>']) {
    for (;;) {
      const res = (await redis.xreadgroup('GROUP', OUTBOX_GROUP, CONSUMER, 'COUNT', 100, 'STREAMS', keys.signals, from)) as [string, [string, string[]][]][] | null;
      const entries = res?.[0]?.[1] ?? [];
      if (entries.length === 0) break;
      for (const [id, fields] of entries) {
        const i = fields.indexOf('signal');
        const parsed = i >= 0 ? Signal.safeParse(JSON.parse(fields[i + 1] ?? 'null')) : undefined;
        if (parsed?.success) {
          await queue.add('deliver', { signal: parsed.data }, { jobId: parsed.data.id });
          swept++;
        }
        await redis.xack(keys.signals, OUTBOX_GROUP, id);
      }
      if (from === '0') break;
    }
  }
  return swept;
}
