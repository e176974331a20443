import type { Queue } from 'bullmq';
import { parseDuration } from '../config/duration.ts';
import type { Source } from '../config/sourceSchema.ts';
import type { Settings } from '../config/settings.ts';
import { errorMessage, SignalDeskError } from '../errors.ts';
import { pollJobOptions } from './queues.ts';

const PREFIX = 'poll-';

export function schedulerId(sourceId: string): string {
  return `${PREFIX}${sourceId}`;
}

export interface SyncReport {
  added: string[];
  changed: string[];
  unchanged: string[];
  removed: string[];
}

/** The repeat options a source's schedule maps to (BullMQ job scheduler "every" or cron "pattern"). */
export function repeatOptions(source: Source): { every: number } | { pattern: string; tz?: string } {
  if (source.schedule.every !== undefined) return { every: parseDuration(source.schedule.every)! };
  return { pattern: source.schedule.cron!, ...(source.schedule.tz ? { tz: source.schedule.tz } : {}) };
}

/**
 * Makes the queue's job schedulers match the configuration: one per enabled source, keyed by source
 * id. upsertJobScheduler is idempotent per id, so processes that start together converge on one
 * schedule per source; schedulers of removed or disabled sources are removed.
 */
export async function syncSchedulers(queue: Queue, sources: Source[], settings: Settings): Promise<SyncReport> {
  const existing = new Map<string, { every?: number; pattern?: string; tz?: string }>();
  for (let start = 0; ; start += 500) {
    const page = await queue.getJobSchedulers(start, start + 499, true);
    for (const s of page) if (s.key.startsWith(PREFIX)) existing.set(s.key, s);
    if (page.length < 500) break;
  }
  const report: SyncReport = { added: [], changed: [], unchanged: [], removed: [] };
  const wanted = new Set<string>();
  for (const source of sources.filter((s) => s.enabled)) {
    const id = schedulerId(source.id);
    wanted.add(id);
    const repeat = repeatOptions(source);
    const before = existing.get(id);
    const same = before && before.every === ('every' in repeat ? repeat.every : undefined) && before.pattern === ('pattern' in repeat ? repeat.pattern : undefined) && (before.tz ?? undefined) === ('tz' in repeat ? repeat.tz : undefined);
    if (same) {
      report.unchanged.push(source.id);
      continue;
    }
    const { attempts, backoff, removeOnComplete, removeOnFail } = pollJobOptions(settings);
    await queue.upsertJobScheduler(id, repeat, { name: 'poll', data: { sourceId: source.id }, opts: { attempts, backoff, removeOnComplete, removeOnFail } }).catch((err: unknown) => {
      throw new SignalDeskError('schedule_failed', `source "${source.id}" field "schedule": cannot set its job scheduler (${errorMessage(err)})`, { cause: err });
    });
    (before ? report.changed : report.added).push(source.id);
  }
  const gone = [...existing.keys()].filter((id) => !wanted.has(id));
  for (const id of gone) {
    await queue.removeJobScheduler(id);
    report.removed.push(id.slice(PREFIX.length));
  }
  if (gone.length > 0) await removeQueuedPolls(queue, new Set(gone.map((id) => id.slice(PREFIX.length))));
  return report;
}

/**
 * removeJobScheduler drops the scheduler, but a next poll it already queued (an "every" schedule queues
 * one at once) would still run: remove those too, so a removed source is not polled again.
 */
async function removeQueuedPolls(queue: Queue, sourceIds: Set<string>): Promise<void> {
  const queued = await queue.getJobs(['wait', 'delayed', 'prioritized']);
  await Promise.all(queued.filter((j) => j.id?.startsWith('repeat:') && sourceIds.has(j.data?.sourceId)).map((j) => j.remove().catch(() => undefined)));
}

/** The job scheduler of the minute-by-minute check of every chain (`reconcile` jobs on the poll queue). */
export const RECONCILE_SCHEDULER = 'reconcile-sources';

/** The minute-by-minute check of every chain, as a BullMQ job scheduler on the poll queue (idempotent). */
export async function ensureReconcile(queue: Queue): Promise<void> {
  await queue.upsertJobScheduler(RECONCILE_SCHEDULER, { every: 60_000 }, { name: 'reconcile', opts: { removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } } });
}
