import { addCounts } from '../drafts/recordSkips.ts';
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
  /** Distinct stories the new drafts were placed in (a story several of them share counts once). */
  stories: number;
  /** New drafts not yet placed in a story (annotate or story job still queued) when the run stopped waiting. */
  storyPending: number;
  /** New drafts a `drop` rule took out of the queue, by rule name. */
  dropped: Record<string, number>;
  /** Items of this poll the draft stage made no draft of, by reason (drafts/skipReason.ts: no_title_or_link, filtered, unreadable). */
  skipped: Record<string, number>;
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
  /** How long to wait for the run's new drafts to be annotated and placed in stories (default STORY_WAIT_MS); what is still unplaced then is reported as pending. */
  storyWaitMs?: number;
}

/** `run --once` waits this long at most for its drafts' annotate and story jobs (Redis work only: seconds at worst). */
export const STORY_WAIT_MS = 30_000;

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
        const summary = await Promise.race([followPoll(deps, job, sources[i]!.id, pollEvents, ingestEvents, options.enrichWaitMs ?? deps.settings.enrichWaitMs, options.storyWaitMs ?? STORY_WAIT_MS), aborted]);
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
  return { sourceId, outcome: 'cancelled', code, items: 0, newDrafts: 0, duplicates: 0, ...NOTHING_YET, error, ...extra };
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
      const base = { items: result.items, duplicates: result.alreadySeen, skipped: result.skipped };
      const ingest = result.ingestJobId ? await Job.fromId(deps.queues.ingest, result.ingestJobId) : undefined;
      if (ingest && (await ingest.getState()) !== 'completed') return cancelled(sourceId, 'ingest_queued', base);
      const drafted = ingest ? IngestResult.safeParse(ingest.returnvalue) : undefined;
      const created = drafted?.success ? drafted.data.created : [];
      const duplicates = result.alreadySeen + (drafted?.success ? drafted.data.duplicates : 0);
      const enrichment = await countDrafts(deps, created);
      const skipped = addCounts(result.skipped, drafted?.success ? drafted.data.skipped : {});
      return { sourceId, outcome: result.outcome, code: result.code, items: result.items, newDrafts: created.length, duplicates, related: drafted?.success ? drafted.data.related : 0, ...enrichment, skipped, error: result.outcome === 'rate_limited' ? result.message : null };
    }
  }
  if (state === 'failed') {
    const s = await readSourceState(deps.redis, deps.keys, sourceId);
    return { sourceId, outcome: 'failed', code: s.lastCode ?? 'failed', items: 0, newDrafts: 0, duplicates: 0, ...NOTHING_YET, error: s.lastMessage ?? job?.failedReason ?? 'failed' };
  }
  if (job && state !== 'active') {
    // remove() refuses a job another worker has just locked: then it is that worker's.
    const removed = await job.remove().then(() => true, () => false);
    if (!removed) return cancelled(sourceId, 'still_active');
  }
  return cancelled(sourceId, state === 'active' ? 'still_active' : 'interrupted');
}

async function followPoll(deps: RunOnceDeps, job: Job, sourceId: string, pollEvents: QueueEvents, ingestEvents: QueueEvents, enrichWaitMs: number, storyWaitMs: number): Promise<SourceSummary> {
  const none = NOTHING_YET;
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
  let skipped = result.skipped;
  if (result.ingestJobId) {
    const ingest = await Job.fromId(deps.queues.ingest, result.ingestJobId);
    if (ingest) {
      try {
        const r = IngestResult.parse(await ingest.waitUntilFinished(ingestEvents));
        created = r.created;
        related = r.related;
        duplicates += r.duplicates;
        skipped = addCounts(skipped, r.skipped);
      } catch (err) {
        return { sourceId, outcome: 'failed', code: 'ingest_failed', items: result.items, newDrafts: 0, duplicates, ...none, skipped, error: (err as Error).message };
      }
    }
  }
  const enrichment = await waitForDrafts(deps, created, enrichWaitMs, storyWaitMs);
  return { sourceId, outcome: result.outcome, code: result.code, items: result.items, newDrafts: created.length, duplicates, related, ...enrichment, skipped, error: result.outcome === 'rate_limited' ? result.message : null };
}

/** What a summary says of drafts it has not read (none made, or the run stopped before reading them). */
const NOTHING_YET = { related: 0, enriched: 0, enrichPending: 0, stories: 0, storyPending: 0, dropped: {} as Record<string, number>, skipped: {} as Record<string, number> };

type DraftCounts = Pick<SourceSummary, 'enriched' | 'enrichPending' | 'stories' | 'storyPending' | 'dropped'>;

/** What became of one draft, read from its stored JSON (null: gone or unreadable). Pure. */
export function draftProgress(json: string | null): { enrichment: string | null; story: string | null; storyPending: boolean; droppedBy: string | null } | null {
  if (!json) return null;
  try {
    const d = JSON.parse(json) as { status?: unknown; enrichment?: { state?: unknown } | null; story?: { id?: unknown } | null; decision?: { action?: unknown; by?: unknown } | null };
    const story = typeof d.story?.id === 'string' ? d.story.id : null;
    const by = d.decision?.action === 'drop' && typeof d.decision.by === 'string' ? d.decision.by.replace(/^rule:/, '') : null;
    return { enrichment: typeof d.enrichment?.state === 'string' ? d.enrichment.state : null, story, storyPending: story === null && d.status === 'pending', droppedBy: by };
  } catch {
    return null; // a record that does not parse is the desk's to report
  }
}

interface Tally {
  stories: Set<string>;
  dropped: Record<string, number>;
  enriched: number;
  enrichPending: number;
  storyPending: number;
}

/**
 * Reads these drafts once: those still waiting for what `wait` says is still awaited (their page, their story)
 * are returned uncounted; the others are counted into `tally` (enriched, their story, a drop by its rule). A draft gone or
 * decided meanwhile counts as neither enriched nor pending.
 */
async function tallyDrafts(deps: RunOnceDeps, draftIds: string[], tally: Tally, wait: { enrichment: boolean; story: boolean }): Promise<string[]> {
  const waiting: string[] = [];
  for (let i = 0; i < draftIds.length; i += 1000) {
    const ids = draftIds.slice(i, i + 1000);
    const raw = await deps.redis.mget(...ids.map((id) => deps.keys.draft(id)));
    raw.forEach((json, n) => {
      const p = draftProgress(json);
      if (!p) return;
      if ((wait.enrichment && p.enrichment === 'pending') || (wait.story && p.storyPending)) return void waiting.push(ids[n]!);
      if (p.enrichment === 'pending') tally.enrichPending++;
      if (p.storyPending) tally.storyPending++;
      if (p.droppedBy) tally.dropped[p.droppedBy] = (tally.dropped[p.droppedBy] ?? 0) + 1;
      if (p.story) tally.stories.add(p.story);
      if (p.enrichment === 'done') tally.enriched++;
    });
  }
  return waiting;
}

function countsOf(tally: Tally): DraftCounts {
  return { enriched: tally.enriched, enrichPending: tally.enrichPending, stories: tally.stories.size, storyPending: tally.storyPending, dropped: tally.dropped };
}

/** These drafts' enrichment, stories and drops as they stand now (no waiting). */
async function countDrafts(deps: RunOnceDeps, draftIds: string[]): Promise<DraftCounts> {
  const tally: Tally = { stories: new Set(), dropped: {}, enriched: 0, enrichPending: 0, storyPending: 0 };
  await tallyDrafts(deps, draftIds, tally, { enrichment: false, story: false });
  return countsOf(tally);
}

/**
 * The summary waits for the poll's new drafts to be enriched, annotated and placed in stories (it never holds
 * the drafts back: they are in the review queue already), at most `waitMs` for pages and `storyWaitMs` for
 * stories; what is still pending then is reported as pending. Each round reads only the drafts still waiting (a 100,000-item run reads each draft
 * about once, not every round).
 */
async function waitForDrafts(deps: RunOnceDeps, draftIds: string[], waitMs: number, storyWaitMs: number): Promise<DraftCounts> {
  const start = Date.now();
  const deadline = start + Math.max(waitMs, storyWaitMs);
  const tally: Tally = { stories: new Set(), dropped: {}, enriched: 0, enrichPending: 0, storyPending: 0 };
  let pending = draftIds;
  for (;;) {
    const now = Date.now();
    const wait = { enrichment: now < start + waitMs, story: now < start + storyWaitMs };
    pending = await tallyDrafts(deps, pending, tally, wait);
    if (pending.length === 0) return countsOf(tally);
    await new Promise((resolve) => setTimeout(resolve, Math.min(200, Math.max(0, deadline - Date.now()))));
  }
}
