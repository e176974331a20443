import { randomBytes } from 'node:crypto';
import { Job, QueueEvents } from 'bullmq';
import type { Source } from '../config/sourceSchema.ts';
import type { Settings } from '../config/settings.ts';
import type { RedisClient } from '../redisClient.ts';
import { readSourceState } from '../fetch/sourceState.ts';
import { IngestResult, INGEST_QUEUE, POLL_QUEUE, PollResult } from './jobs.ts';
import type { Keys } from './keys.ts';
import type { Queues } from './queues.ts';

export interface SourceSummary {
  sourceId: string;
  outcome: 'ok' | 'not_modified' | 'rate_limited' | 'failed';
  code: string;
  items: number;
  newDrafts: number;
  duplicates: number;
  error: string | null;
}

export interface RunOnceDeps {
  settings: Settings;
  redis: RedisClient;
  keys: Keys;
  queues: Queues;
}

/**
 * Polls every given source once through the queues (so any running worker, here or on another machine,
 * may take the jobs), waits until each poll has finished and its drafts are in the review queue, and
 * reports per source. Failed attempts retry quickly (two attempts, 1 s backoff): a cron run should end.
 */
export async function runOnce(deps: RunOnceDeps, sources: Source[], onProgress?: (s: SourceSummary, done: number, total: number) => void): Promise<SourceSummary[]> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  // QueueEvents blocks on its connection, so each gets its own; BullMQ leaves a connection it was given
  // open, so they are closed here.
  const connections = [deps.redis.duplicate() as RedisClient, deps.redis.duplicate() as RedisClient];
  const pollEvents = new QueueEvents(POLL_QUEUE, { connection: connections[0]!, prefix: deps.settings.prefix });
  const ingestEvents = new QueueEvents(INGEST_QUEUE, { connection: connections[1]!, prefix: deps.settings.prefix });
  await Promise.all([pollEvents.waitUntilReady(), ingestEvents.waitUntilReady()]);
  // waitUntilFinished adds a listener per awaited job on the queue: a large run awaits thousands at once.
  for (const q of [deps.queues.poll, deps.queues.ingest]) q.setMaxListeners(Math.max(q.getMaxListeners(), sources.length + 10));
  try {
    const jobs = await deps.queues.poll.addBulk(
      sources.map((s) => ({
        name: 'poll',
        data: { sourceId: s.id, runId },
        opts: { jobId: `once-${runId}-${s.id}`, attempts: Math.min(2, deps.settings.attempts), backoff: { type: 'fixed', delay: 1000 } },
      })),
    );
    let done = 0;
    return await Promise.all(
      jobs.map(async (job, i) => {
        const summary = await followPoll(deps, job, sources[i]!.id, pollEvents, ingestEvents);
        onProgress?.(summary, ++done, jobs.length);
        return summary;
      }),
    );
  } finally {
    await Promise.all([pollEvents.close(), ingestEvents.close()]);
    await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}

async function followPoll(deps: RunOnceDeps, job: Job, sourceId: string, pollEvents: QueueEvents, ingestEvents: QueueEvents): Promise<SourceSummary> {
  let result: PollResult;
  try {
    result = PollResult.parse(await job.waitUntilFinished(pollEvents));
  } catch (err) {
    const state = await readSourceState(deps.redis, deps.keys, sourceId);
    return { sourceId, outcome: 'failed', code: state.lastCode ?? 'failed', items: 0, newDrafts: 0, duplicates: 0, error: state.lastMessage ?? (err as Error).message };
  }
  let newDrafts = 0;
  let duplicates = result.alreadySeen;
  if (result.ingestJobId) {
    const ingest = await Job.fromId(deps.queues.ingest, result.ingestJobId);
    if (ingest) {
      try {
        const r = IngestResult.parse(await ingest.waitUntilFinished(ingestEvents));
        newDrafts = r.created.length;
        duplicates += r.duplicates;
      } catch (err) {
        return { sourceId, outcome: 'failed', code: 'ingest_failed', items: result.items, newDrafts: 0, duplicates, error: (err as Error).message };
      }
    }
  }
  return { sourceId, outcome: result.outcome, code: result.code, items: result.items, newDrafts, duplicates, error: result.outcome === 'rate_limited' ? result.message : null };
}
