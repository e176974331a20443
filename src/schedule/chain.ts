import { Job, type Queue } from 'bullmq';
import { scheduleBounds, type Source } from '../config/sourceSchema.ts';
import type { Settings } from '../config/settings.ts';
import type { RedisClient } from '../redisClient.ts';
import { readSourceState, writeSourceState, type SourceStateUpdate } from '../fetch/sourceState.ts';
import { readScheduleWhy } from './describeSchedule.ts';
import type { Keys } from '../queue/keys.ts';
import { pollJobOptions } from '../queue/queues.ts';
import { syncSchedulers } from '../queue/scheduler.ts';

/**
 * Sources with an "every" schedule poll in a chain: each poll job, before it finishes, queues the next one
 * as a BullMQ delayed job, at the time planNextPoll chose. Job ids are `p-<source>-<seq>`, so a poll that
 * runs twice (a stalled job retried) queues the same next job, which BullMQ adds once. The chain is checked
 * every minute (`reconcile`), so no source stops silently: a chain that broke is started again.
 */
export function pollJobId(sourceId: string, seq: number): string {
  return `p-${sourceId}-${seq}`;
}

export function seqOf(jobId: string | undefined): number {
  const m = jobId ? /-(\d+)$/.exec(jobId) : null;
  return m ? Number(m[1]) : 0;
}

const ALIVE = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

export async function queueNextPoll(queue: Queue, settings: Settings, sourceId: string, seq: number, delayMs: number): Promise<string> {
  const { removeOnComplete, removeOnFail } = pollJobOptions(settings);
  const jobId = pollJobId(sourceId, seq);
  const delay = Math.max(0, Math.round(delayMs));
  // Queued already by this poll's earlier attempt (killed before it saved the source's state): that attempt's
  // plan is moved to this one's, which is the one saved with its reason (a feed that now says Retry-After 2 h
  // is not polled again at the old plan's 15 min). BullMQ would keep the old job as it is.
  const existing = await Job.fromId(queue, jobId);
  if (existing) {
    if (await existing.isDelayed()) await existing.changeDelay(delay).catch(() => undefined);
    return jobId;
  }
  // One attempt: a failed poll is retried by the chain's own backoff, which the health shows.
  await queue.add('poll', { sourceId, seq }, { jobId, delay, attempts: 1, removeOnComplete, removeOnFail });
  return jobId;
}

export interface SourcesSyncReport {
  /** Chains started (new sources, or a chain found broken). */
  started: string[];
  /** Chains found running. */
  running: string[];
  /** Paused sources (410), left paused. */
  paused: string[];
  /** Paused sources whose configured URL changed: un-paused and started. */
  resumed: string[];
  /** Sources no longer configured or disabled: their pending poll removed. */
  stopped: string[];
  /** Cron sources: job schedulers synced. */
  cron: { added: string[]; changed: string[]; unchanged: string[]; removed: string[] };
}

export interface SyncDeps {
  redis: RedisClient;
  keys: Keys;
  queue: Queue;
  settings: Settings;
  now: number;
  random: () => number;
}

/**
 * Makes the polls match the configuration, idempotently (every process runs it at start and every minute):
 * cron sources get BullMQ job schedulers; every enabled "every" source has exactly one pending poll; removed
 * or disabled sources have none.
 */
export async function syncSources(deps: SyncDeps, sources: Source[]): Promise<SourcesSyncReport> {
  const { redis, keys, queue, settings } = deps;
  const report: SourcesSyncReport = { started: [], running: [], paused: [], resumed: [], stopped: [], cron: { added: [], changed: [], unchanged: [], removed: [] } };
  const enabled = sources.filter((s) => s.enabled);
  report.cron = await syncSchedulers(queue, enabled.filter((s) => s.schedule.cron !== undefined), settings);
  const chained = enabled.filter((s) => s.schedule.cron === undefined);
  const wanted = new Set(chained.map((s) => s.id));

  // Sources are checked in parallel batches: the check runs every minute over the whole fleet, and one
  // source's three round trips need not wait for another's.
  const outcomes: SyncOutcome[] = [];
  for (let i = 0; i < chained.length; i += SYNC_BATCH) {
    outcomes.push(...(await Promise.all(chained.slice(i, i + SYNC_BATCH).map((source) => syncChain(deps, source)))));
  }
  chained.forEach((source, i) => report[outcomes[i]!].push(source.id));

  for (const id of await redis.smembers(keys.chained)) {
    if (wanted.has(id)) continue;
    const state = await readSourceState(redis, keys, id);
    const job = state.nextJobId ? await Job.fromId(queue, state.nextJobId) : undefined;
    const st = job ? await job.getState() : 'unknown';
    if (job && st !== 'active') await job.remove().catch(() => undefined);
    await writeSourceState(redis, keys, id, { nextJobId: null, nextPollAt: null });
    await redis.srem(keys.chained, id);
    report.stopped.push(id);
  }
  return report;
}

const SYNC_BATCH = 50;
type SyncOutcome = 'started' | 'running' | 'paused' | 'resumed';

/** One source's chain: left running, left paused, or started (again). */
async function syncChain(deps: SyncDeps, source: Source): Promise<SyncOutcome> {
  const { redis, keys, queue, settings, now } = deps;
  const state = await readSourceState(redis, keys, source.id);
  let resumed = false;
  if (state.pausedReason) {
    // An operator's pause holds until resumed; a 410 pause until resumed or the URL changes.
    if (state.pausedBy || state.pausedUrl === source.url) return 'paused';
    await writeSourceState(redis, keys, source.id, { pausedReason: null, pausedAt: null, pausedUrl: null, consecutiveFailures: '0' });
    resumed = true;
  }
  if (state.nextJobId) {
    const job = await Job.fromId(queue, state.nextJobId);
    if (job && ALIVE.has(await job.getState())) return 'running';
  }
  // Start (or restart) the chain: at its planned time if that is still ahead, else soon, spread over
  // the first minute so that a fleet of sources does not poll in one burst.
  const planned = Number(state.nextPollAt ?? 0);
  const delay = planned > now ? planned - now : Math.round(deps.random() * Math.min(60_000, scheduleBounds(source).baseMs));
  // Job ids are never reused: BullMQ keeps finished jobs for a while, and adding an existing id is a no-op.
  const seq = Math.max(seqOf(state.nextJobId), Number(state.pollSeq ?? 0)) + 1;
  const jobId = await queueNextPoll(queue, settings, source.id, seq, delay);
  // A chain started afresh says so; one restarted at its planned time keeps the reason that planned it.
  const starting: SourceStateUpdate = planned > now ? {} : { scheduleReason: 'starting', scheduleWhy: JSON.stringify({ reason: 'starting', inForceMs: delay, intervalMs: state.intervalMs ? Number(state.intervalMs) : scheduleBounds(source).baseMs, basis: readScheduleWhy(state.scheduleWhy)?.basis ?? { code: 'configured' }, plannedAt: now }) };
  await writeSourceState(redis, keys, source.id, { nextJobId: jobId, nextPollAt: String(now + delay), ...starting });
  await redis.sadd(keys.chained, source.id);
  return resumed ? 'resumed' : 'started';
}

export { ensureReconcile } from '../queue/scheduler.ts';
