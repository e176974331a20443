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
  /** Items recorded as related coverage on another draft of the same article. */
  related: number;
  /** New drafts whose article page was read (enrichment done) by the time the run reported. */
  enriched: number;
  /** New drafts whose enrichment was still pending when the run stopped waiting for it. */
  enrichPending: number;
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
  /** How long to wait for the enrichment of the run's new drafts (default: SIGNAL_DESK_ENRICH_WAIT_MS); what is still pending then is reported as pending. */
  enrichWaitMs?: number;
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
        const summary = await Promise.race([followPoll(deps, job, sources[i]!.id, pollEvents, ingestEvents, options.enrichWaitMs ?? deps.settings.enrichWaitMs), aborted]);
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
  return { sourceId, outcome: 'cancelled', code, items: 0, newDrafts: 0, duplicates: 0, related: 0, enriched: 0, enrichPending: 0, error, ...extra };
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
      const created = drafted?.success ? drafted.data.created : [];
      const duplicates = result.alreadySeen + (drafted?.success ? drafted.data.duplicates : 0);
      const { enriched, enrichPending } = await countEnrichment(deps, created);
      const enrichment = { enriched, enrichPending };
      return { sourceId, outcome: result.outcome, code: result.code, items: result.items, newDrafts: created.length, duplicates, related: drafted?.success ? drafted.data.related : 0, ...enrichment, error: result.outcome === 'rate_limited' ? result.message : null };
    }
  }
  if (state === 'failed') {
    const s = await readSourceState(deps.redis, deps.keys, sourceId);
    return { sourceId, outcome: 'failed', code: s.lastCode ?? 'failed', items: 0, newDrafts: 0, duplicates: 0, related: 0, enriched: 0, enrichPending: 0, error: s.lastMessage ?? job?.failedReason ?? 'failed' };
  }
  if (job && state !== 'active') {
    // remove() refuses a job another worker has just locked: then it is that worker's.
    const removed = await job.remove().then(() => true, () => false);
    if (!removed) return cancelled(sourceId, 'still_active');
  }
  return cancelled(sourceId, state === 'active' ? 'still_active' : 'interrupted');
}

async function followPoll(deps: RunOnceDeps, job: Job, sourceId: string, pollEvents: QueueEvents, ingestEvents: QueueEvents, enrichWaitMs: number): Promise<SourceSummary> {
  const none = { related: 0, enriched: 0, enrichPending: 0 };
  let result: PollResult;
  try {
    result = PollResult.parse(await job.waitUntilFinished(pollEvents));
  } catch (err) {
    const state = await readSourceState(deps.redis, deps.keys, sourceId);
    return { sourceId, outcome: 'failed', code: state.lastCode ?? 'failed', items: 0, newDrafts: 0, duplicates: 0, ...none, error: state.lastMessage ?? (err as Error).message };
  }
  let created: string[] = [];
  let related = 0;
  let duplicates = result.alreadySeen;
  if (result.ingestJobId) {
    const ingest = await Job.fromId(deps.queues.ingest, result.ingestJobId);
    if (ingest) {
      try {
        const r = IngestResult.parse(await ingest.waitUntilFinished(ingestEvents));
        created = r.created;
        related = r.related;
        duplicates += r.duplicates;
      } catch (err) {
        return { sourceId, outcome: 'failed', code: 'ingest_failed', items: result.items, newDrafts: 0, duplicates, ...none, error: (err as Error).message };
      }
    }
  }
  const enrichment = await waitForEnrichment(deps, created, enrichWaitMs);
  return { sourceId, outcome: result.outcome, code: result.code, items: result.items, newDrafts: created.length, duplicates, related, ...enrichment, error: result.outcome === 'rate_limited' ? result.message : null };
}

/** Enrichment of these drafts: done, and still pending (a draft gone or decided meanwhile counts as neither), with the ids still pending. */
async function countEnrichment(deps: RunOnceDeps, draftIds: string[]): Promise<{ enriched: number; enrichPending: number; pendingIds: string[] }> {
  let enriched = 0;
  const pendingIds: string[] = [];
  for (let i = 0; i < draftIds.length; i += 1000) {
    const ids = draftIds.slice(i, i + 1000);
    const raw = await deps.redis.mget(...ids.map((id) => deps.keys.draft(id)));
    raw.forEach((json, n) => {
      if (!json) return;
      try {
        const state = (JSON.parse(json) as { enrichment?: { state?: unknown } | null }).enrichment?.state;
        if (state === 'done') enriched++;
        else if (state === 'pending') pendingIds.push(ids[n]!);
      } catch {
        /* a record that does not parse is the desk's to report */
      }
    });
  }
  return { enriched, enrichPending: pendingIds.length, pendingIds };
}

/**
 * The summary waits for the enrichment of the poll's new drafts (it never holds the drafts back: they are
 * in the review queue already), at most `waitMs`; what is still pending then is reported as pending. Each
 * round reads only the drafts still pending (a 100,000-item run reads each draft about once, not every round).
 */
async function waitForEnrichment(deps: RunOnceDeps, draftIds: string[], waitMs: number): Promise<{ enriched: number; enrichPending: number }> {
  const deadline = Date.now() + waitMs;
  let enriched = 0;
  let pending = draftIds;
  for (;;) {
    const counts = await countEnrichment(deps, pending);
    enriched += counts.enriched;
    pending = counts.pendingIds;
    if (pending.length === 0 || Date.now() >= deadline) return { enriched, enrichPending: pending.length };
    await new Promise((resolve) => setTimeout(resolve, Math.min(200, Math.max(0, deadline - Date.now()))));
  }
}
