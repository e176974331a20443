import { resolve } from 'node:path';
import { Job, type Queue } from 'bullmq';
import { can, describeMissing, type Actor } from '../auth/roles.ts';
import { formatUtc, type Clock } from '../clock.ts';
import { loadSources } from '../config/loadSources.ts';
import { removeSource, setSourceEnabled } from '../config/editSources.ts';
import type { Settings } from '../config/settings.ts';
import type { Source } from '../config/sourceSchema.ts';
import { ConfigError, DeskError, SignalDeskError, errorMessage } from '../errors.ts';
import { readSourceState, writeSourceState } from '../fetch/sourceState.ts';
import type { Keys } from '../queue/keys.ts';
import { pollJobOptions } from '../queue/queues.ts';
import type { RedisClient } from '../redisClient.ts';
import { resumeSource } from '../schedule/resume.ts';
import { recordSourceAction, type AuditEntry, type SourceAction } from './sourceAudit.ts';

export interface SourceActionDeps {
  redis: RedisClient;
  keys: Keys;
  /** The poll queue. */
  queue: Queue;
  settings: Settings;
  clock: Clock;
}

export interface ActionOutcome {
  id: string;
  action: SourceAction;
  /** `unchanged`: it already was so (paused, enabled…), or a poll was already running or due. */
  result: 'done' | 'unchanged';
  message: string;
}

/**
 * Pause and disable differ on purpose:
 * - **pause** is runtime state in Redis (`pausedBy` on `{sd}:source:<id>`): no file change, survives restarts,
 *   shown by `sources status`; every poll of the source is skipped (its chain stops, a cron job or a
 *   `run --once` poll does nothing) until `sources resume`. For "hold this one for now".
 * - **disable** writes `enabled: false` to the sources file: the configuration says the source is off, for
 *   every process and every deployment of that file, until `sources enable` (or an edit) puts it back.
 */
const LIVE = 'a running `signal-desk run` reloads the file by itself';

/** Jobs of a source's poll that are already on their way (so "poll now" adds none). */
const DUE = new Set(['waiting', 'prioritized', 'waiting-children']);

export function pollNowDedupId(sourceId: string): string {
  return `poll-now-${sourceId}`;
}

async function configured(deps: SourceActionDeps, id: string): Promise<Source> {
  let sources: Source[];
  try {
    sources = await loadSources(deps.settings.sourcesFile, deps.settings);
  } catch (err) {
    if (err instanceof ConfigError) throw new DeskError('invalid_state', `the sources file ${resolve(deps.settings.sourcesFile)} cannot be read as it is: ${err.issues[0]?.message ?? err.message}`);
    throw err;
  }
  const source = sources.find((s) => s.id === id);
  if (!source) throw new DeskError('not_found', `no source "${id.slice(0, 80)}" in ${resolve(deps.settings.sourcesFile)}`);
  return source;
}

async function pollNow(deps: SourceActionDeps, source: Source): Promise<ActionOutcome> {
  const { queue, redis, keys } = deps;
  const base = { id: source.id, action: 'poll' as const };
  if (!source.enabled) throw new DeskError('invalid_state', `${source.id} is disabled in the sources file: \`signal-desk sources enable ${source.id}\` first`);
  const state = await readSourceState(redis, keys, source.id);
  if (state.pausedBy) throw new DeskError('invalid_state', `${source.id} is paused (by ${state.pausedBy}): \`signal-desk sources resume ${source.id}\` first`);
  // A poll running now, in any process: a second one would only fetch the same feed twice.
  const active = (await queue.getJobs(['active'], 0, 999)).find((j) => j.data?.sourceId === source.id && j.name === 'poll');
  if (active) return { ...base, result: 'unchanged', message: `a poll of ${source.id} is running now (job ${active.id})` };
  // An "every" source: its chain's next poll is moved to now, so the chain (and its schedule) stays one.
  if (source.schedule.cron === undefined && state.nextJobId) {
    const job = await Job.fromId(queue, state.nextJobId);
    const st = job ? await job.getState() : undefined;
    if (job && st === 'delayed') {
      try {
        await job.promote();
        await writeSourceState(redis, keys, source.id, { nextPollAt: String(deps.clock.now()) });
        return { ...base, result: 'done', message: `${source.id}: its next scheduled poll (job ${job.id}) was moved to now; a running worker polls it within seconds, and the schedule goes on from there` };
      } catch {
        // It became due or active meanwhile: answered below.
      }
    }
    if (job && st && DUE.has(st)) return { ...base, result: 'unchanged', message: `${source.id}'s poll is already due (job ${job.id}): a running worker takes it next` };
  }
  const waiting = await queue.getDeduplicationJobId(pollNowDedupId(source.id));
  if (waiting) {
    const job = await Job.fromId(queue, waiting);
    const st = job ? await job.getState() : undefined;
    if (st && st !== 'completed' && st !== 'failed') return { ...base, result: 'unchanged', message: `a poll of ${source.id} asked for earlier is still ${st} (job ${waiting})` };
  }
  // The job a cron scheduler would queue (one-off `{sourceId}`), deduplicated while it is not finished.
  const { attempts, backoff, removeOnComplete, removeOnFail } = pollJobOptions(deps.settings);
  const jobId = `now-${source.id}-${deps.clock.now()}`;
  await queue.add('poll', { sourceId: source.id }, { jobId, attempts, backoff, removeOnComplete, removeOnFail, deduplication: { id: pollNowDedupId(source.id) } });
  return { ...base, result: 'done', message: `${source.id}: a poll was queued (job ${jobId}); a running worker polls it within seconds` };
}

async function pause(deps: SourceActionDeps, actor: Actor, source: Source): Promise<ActionOutcome> {
  const { redis, keys, queue } = deps;
  const state = await readSourceState(redis, keys, source.id);
  const base = { id: source.id, action: 'pause' as const };
  if (state.pausedBy) return { ...base, result: 'unchanged', message: `${source.id} is already paused (by ${state.pausedBy}, ${formatUtc(state.pausedAt)})` };
  const now = deps.clock.now();
  // The state first: a chain poll that runs meanwhile sees it and stops (the processor skips paused sources).
  await writeSourceState(redis, keys, source.id, {
    pausedBy: actor.name,
    pausedAt: new Date(now).toISOString(),
    pausedReason: `paused by ${actor.name} (${formatUtc(now)}): \`signal-desk sources resume ${source.id}\` polls it again`,
    nextPollAt: null,
  });
  if (state.nextJobId) {
    const job = await Job.fromId(queue, state.nextJobId);
    if (job && ['delayed', 'waiting', 'prioritized'].includes(await job.getState())) await job.remove().catch(() => undefined);
  }
  return { ...base, result: 'done', message: `${source.id} paused: not polled until \`signal-desk sources resume ${source.id}\` (the sources file is unchanged)` };
}

async function resume(deps: SourceActionDeps, source: Source): Promise<ActionOutcome> {
  const sources = await loadSources(deps.settings.sourcesFile, deps.settings);
  const resumed = await resumeSource({ ...deps, now: deps.clock.now() }, sources, source.id);
  const base = { id: source.id, action: 'resume' as const };
  if (!resumed) return { ...base, result: 'unchanged', message: `${source.id} is not paused` };
  return { ...base, result: 'done', message: `${source.id} resumed: it is polled again within a minute${source.enabled ? '' : ' once enabled in the sources file'}` };
}

async function editFile(deps: SourceActionDeps, action: 'disable' | 'enable' | 'remove', source: Source): Promise<ActionOutcome> {
  const file = deps.settings.sourcesFile;
  const where = resolve(file);
  let changed: boolean;
  try {
    ({ changed } = action === 'remove' ? await removeSource(file, source.id, deps.settings) : await setSourceEnabled(file, source.id, action === 'enable', deps.settings));
  } catch (err) {
    if (err instanceof ConfigError) throw new DeskError('invalid_state', `the sources file would be refused after this change, so it was not written: ${err.issues.map((i) => i.message).join('; ')}`);
    if (err instanceof SignalDeskError && err.code === 'sources_read_only') throw new DeskError('invalid_state', `cannot ${action} ${source.id} from here: ${err.message}`);
    if (err instanceof SignalDeskError && err.code === 'unknown_source') throw new DeskError('not_found', err.message);
    if (err instanceof SignalDeskError && err.code === 'sources_locked') throw new DeskError('invalid_state', err.message);
    throw err;
  }
  const base = { id: source.id, action };
  if (!changed) return { ...base, result: 'unchanged', message: `${source.id} is already ${action === 'enable' ? 'enabled' : 'disabled'} in ${where}` };
  const what = { disable: `disabled (enabled: false) in ${where}`, enable: `enabled in ${where}`, remove: `removed from ${where} (its history in Redis is kept: added again, it does not draft its old items twice)` }[action];
  return { ...base, result: 'done', message: `${source.id} ${what}; ${LIVE}` };
}

/**
 * One operator action on a source, for the CLI, the API and the Sources page alike: the permission, the
 * rules and the audit entry are here once. Every attempt past the permission check is audited (who, what,
 * when, the result), refusals included; a refusal is thrown as a DeskError (404 unknown source, 409 when
 * the state or the file does not allow it).
 */
export async function runSourceAction(deps: SourceActionDeps, actor: Actor, via: AuditEntry['via'], action: SourceAction, id: string): Promise<ActionOutcome> {
  if (!can(actor, 'manageSources')) throw new DeskError('forbidden', describeMissing(actor, 'manageSources'));
  const audit = (result: AuditEntry['result'], message: string) =>
    recordSourceAction(deps.redis, deps.keys, { at: new Date(deps.clock.now()).toISOString(), actor: actor.name, role: actor.role, via, action, sourceId: id.slice(0, 100), result, message: message.slice(0, 500) });
  try {
    const source = await configured(deps, id);
    let outcome =
      action === 'poll' ? await pollNow(deps, source) : action === 'pause' ? await pause(deps, actor, source) : action === 'resume' ? await resume(deps, source) : await editFile(deps, action, source);
    // A queued poll needs a worker: say so when none is connected to the poll queue right now.
    if (action === 'poll' && outcome.result === 'done' && (await deps.queue.getWorkersCount()) === 0) outcome = { ...outcome, message: `${outcome.message}. No worker is running now: it is polled when \`signal-desk run\` starts` };
    await audit(outcome.result, outcome.message);
    return outcome;
  } catch (err) {
    await audit(err instanceof DeskError ? 'refused' : 'failed', errorMessage(err)).catch(() => undefined);
    throw err;
  }
}
