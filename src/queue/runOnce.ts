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
  /** `cancelled`: the run was interrupted (SIGTERM/SIGINT) before this source's poll and drafts were done. */
  outcome: 'ok' | 'not_modified' | 'rate_limited' | 'failed' | 'cancelled';
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

export interface RunOnceOptions {
  /**
   * Aborted to interrupt the run (`run --once` on SIGTERM/SIGINT): it stops waiting, stops the workers with
   * `stopWorkers` (the active polls finish or are handed back, within SIGNAL_DESK_SHUTDOWN_MS), reports what
   * finished and removes the run's polls that did not (no validators or health were saved for them).
   */
  signal?: AbortSignal;
  stopWorkers?: () => Promise<void>;
}

const CANCELLED = Symbol('cancelled');

/**
 * Polls every given source once through the queues (so any running worker, here or on another machine,
 * may take the jobs), waits until each poll has finished and its drafts are in the review queue, and
 * reports per source. Failed attempts retry quickly (two attempts, 1 s backoff): a cron run should end.
 */
export async function runOnce(deps: RunOnceDeps, sources: Source[], onProgress?: (s: SourceSummary, done: number, total: number) => void, options: RunOnceOptions = {}): Promise<SourceSummary[]> {
  const { signal } = options;
  if (signal?.aborted) return sources.map((s) => cancelled(s.id, 'interrupted'));
  const aborted = new Promise<typeof CANCELLED>((resolve) => signal?.addEventListener('abort', () => resolve(CANCELLED), { once: true }));
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
    const outcomes = await Promise.all(
      jobs.map(async (job, i) => {
        const summary = await Promise.race([followPoll(deps, job, sources[i]!.id, pollEvents, ingestEvents), aborted]);
        if (summary !== CANCELLED) onProgress?.(summary, ++done, jobs.length);
        return summary;
      }),
    );
    if (!outcomes.includes(CANCELLED)) return outcomes as SourceSummary[];
    // Interrupted: the workers stop first (so no poll of this run is active here any more), then each
    // unfinished poll is read where it stands.
    await options.stopWorkers?.();
    const summaries: SourceSummary[] = [];
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome !== CANCELLED) {
        summaries.push(outcome);
        continue;
      }
      const summary = await settleInterrupted(deps, jobs[i]!.id!, sources[i]!.id);
      onProgress?.(summary, ++done, jobs.length);
      summaries.push(summary);
    }
    return summaries;
  } finally {
    await Promise.all([pollEvents.close(), ingestEvents.close()]);
    await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}

function cancelled(sourceId: string, code: 'interrupted' | 'still_active' | 'ingest_queued', extra: Partial<SourceSummary> = {}): SourceSummary {
  const error = {
    interrupted: 'interrupted before its poll finished; nothing was saved, the next run polls it',
    still_active: 'still running in another worker process',
    ingest_queued: 'polled; its new items wait in the ingest queue (any running worker makes the drafts)',
  }[code];
  return { sourceId, outcome: 'cancelled', code, items: 0, newDrafts: 0, duplicates: 0, error, ...extra };
}

/**
 * One poll of an interrupted run, after the workers stopped: finished (its summary), or removed from the queue
 * (a poll handed back by the shutdown, or never started, saved nothing: the next run polls it afresh). A poll
 * active in another process is left to it. A queued ingest job is never removed: its poll has saved validators.
 */
async function settleInterrupted(deps: RunOnceDeps, jobId: string, sourceId: string): Promise<SourceSummary> {
  const job = await Job.fromId(deps.queues.poll, jobId);
  const state = job ? await job.getState() : 'unknown';
  if (job && state === 'completed') {
    const parsed = PollResult.safeParse(job.returnvalue);
    if (parsed.success) {
      const result = parsed.data;
      const base = { items: result.items, duplicates: result.alreadySeen };
      const ingest = result.ingestJobId ? await Job.fromId(deps.queues.ingest, result.ingestJobId) : undefined;
      if (ingest && (await ingest.getState()) !== 'completed') return cancelled(sourceId, 'ingest_queued', base);
      const drafted = ingest ? IngestResult.safeParse(ingest.returnvalue) : undefined;
      const newDrafts = drafted?.success ? drafted.data.created.length : 0;
      const duplicates = result.alreadySeen + (drafted?.success ? drafted.data.duplicates : 0);
      return { sourceId, outcome: result.outcome, code: result.code, items: result.items, newDrafts, duplicates, error: result.outcome === 'rate_limited' ? result.message : null };
    }
  }
  if (state === 'failed') {
    const s = await readSourceState(deps.redis, deps.keys, sourceId);
    return { sourceId, outcome: 'failed', code: s.lastCode ?? 'failed', items: 0, newDrafts: 0, duplicates: 0, error: s.lastMessage ?? job?.failedReason ?? 'failed' };
  }
  if (job && state !== 'active') {
    // remove() refuses a job another worker has just locked: then it is that worker's.
    const removed = await job.remove().then(() => true, () => false);
    if (!removed) return cancelled(sourceId, 'still_active');
  }
  return cancelled(sourceId, state === 'active' ? 'still_active' : 'interrupted');
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
