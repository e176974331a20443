import type { Source } from '../../config/sourceSchema.ts';
import { loadSources } from '../../config/loadSources.ts';
import { watchSourcesFile } from '../../config/watchSources.ts';
import { applySources, digestSources, shortHash } from '../../config/appliedSources.ts';
import { ConfigError } from '../../errors.ts';
import type { Settings } from '../../config/settings.ts';
import { runOnce, type SourceSummary } from '../../queue/runOnce.ts';
import { syncSources, type SourcesSyncReport } from '../../schedule/chain.ts';
import { startRuntime, upsertWebhookSweep, type Runtime } from '../../../workers/runtime.ts';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { constants as osConstants, hostname } from 'node:os';
import { createLogger, type Logger } from '../../log.ts';
import { createRedis } from '../../queue/connection.ts';
import { checkRedisDurability, PRODUCTION_REDIS_HELP } from '../../queue/redisDurability.ts';
import { checkSeenIndexForm } from '../../dedupe/migrateSeenIndex.ts';
import { createKeys } from '../../queue/keys.ts';
import { ensureReconcile, RECONCILE_SCHEDULER, schedulerId } from '../../queue/scheduler.ts';
import { watchRedisState, writeStateMarker, type RebuildTrigger, type StateWatch } from '../../queue/stateWatch.ts';
import { startWebServer } from '../../web/startServer.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import { formatTable } from '../table.ts';
import { readSourceState } from '../../fetch/sourceState.ts';
import { describeHealth } from '../../schedule/health.ts';
import { describeSkipCounts } from '../../drafts/skipReason.ts';

export interface RunOptions {
  once?: boolean;
  scheduler?: boolean;
  /** Serve the desk in this process too. */
  web?: boolean;
  port?: number;
  host?: string;
  /** Without --web: serve /metrics alone on this port. */
  metricsPort?: number;
  /** Append the JSON logs to this file (default SIGNAL_DESK_LOG_FILE). */
  logFile?: string;
  /**
   * JSON logs on stderr too. Without it `run --once` keeps stderr for its progress lines (cron mails what it
   * prints); a long-running `run` logs to stderr unless it has a log file.
   */
  verbose?: boolean;
  /** `run --once`: exit 1 when any source failed (default), or only when a source that was healthy fails (`new`). */
  failOn?: FailOn;
  /** `run --no-scheduler` without a sources file: waits for an applied configuration in Redis. */
  noFile?: boolean;
}

export const FAIL_ON = ['any', 'new'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** /metrics for a worker process that serves no desk (prom-client's registry over node:http). */
async function serveMetrics(metrics: Metrics, port: number, host: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end('see /metrics\n');
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const { port: bound } = server.address() as { port: number };
  return { url: `http://${host}:${bound}/metrics`, close: () => new Promise((r) => server.close(() => r())) };
}

/** `signal-desk run`: schedulers and workers until SIGTERM/SIGINT; with --once, one poll of every enabled source. */
export async function runCommand(settings: Settings, sources: Source[], options: RunOptions): Promise<number> {
  const file = options.logFile ?? settings.logFile;
  const toStderr = options.once ? Boolean(options.verbose) : Boolean(options.verbose) || !file;
  const logger = createLogger(settings.logLevel, { file, stderr: toStderr });
  // What the operator must see even when the JSON logs are not on stderr: one readable line there (and the log).
  const notice: Notice = (text, fields = {}) => {
    logger.warn(fields, text);
    if (!toStderr) process.stderr.write(`warning: ${text}\n`);
  };
  // With --once, SIGTERM/SIGINT interrupt the run gracefully from the very start.
  const interrupt = options.once ? listenForInterrupt(notice, settings) : undefined;
  try {
    await checkRedisForRun(settings, logger, notice);
    // A long-running run follows the sources configuration applied in Redis; a scheduling one applies its file.
    const follow = options.once ? undefined : options.scheduler !== false ? 'apply' : options.noFile ? 'wait' : 'read';
    const runtime = await startRuntime(settings, sources, { logger, follow });
    if (!settings.contactUrl) notice('SIGNAL_DESK_CONTACT_URL is not set: publishers cannot see how to reach you in our User-Agent');
    if (interrupt) {
      try {
        const code = await pollOnce(runtime, sources.filter((s) => s.enabled), process.stdout, { signal: interrupt.signal, failOn: options.failOn });
        return interrupt.exitCode() ?? code;
      } finally {
        await runtime.stop();
      }
    }
    return await runUntilStopped(runtime, settings, sources, options);
  } finally {
    interrupt?.dispose();
  }
}

/**
 * Refuses a Redis that may evict our keys, warns when it persists nothing or cannot be checked (CONFIG
 * disabled, as on some managed services). Every master of a Cluster is checked.
 */
export async function checkRedisForRun(settings: Settings, logger: Logger, notice: Notice = (text, fields) => logger.warn(fields ?? {}, text)): Promise<void> {
  const client = createRedis(settings.redisUrl);
  client.on('error', () => undefined);
  let findings;
  let seenIndex: string | undefined;
  try {
    findings = await checkRedisDurability(client);
    seenIndex = await checkSeenIndexForm(client, createKeys(settings.prefix));
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
  for (const warning of findings.warnings) notice(warning, { check: 'redis-durability' });
  if (seenIndex) notice(seenIndex, { check: 'seen-index' });
  if (findings.refusals.length > 0) throw new ConfigError(findings.refusals);
}

/** A warning for the operator: logged, and on stderr as one readable line when the logs are elsewhere. */
type Notice = (text: string, fields?: Record<string, unknown>) => void;

/** SIGTERM/SIGINT during `run --once`: stop gracefully and report; a second signal of the same kind ends the process at once. */
function listenForInterrupt(notice: Notice, settings: Settings) {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) return;
    received = signal;
    notice(`${signal}: interrupting the run; active polls finish or go back to the queue (at most ${settings.shutdownMs} ms), the rest are not polled`, { signal });
    controller.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return {
    signal: controller.signal,
    /** 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), as a shell reports a process ended by it. */
    exitCode: () => (received ? 128 + osConstants.signals[received] : undefined),
    dispose() {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}

/** The scheduler's part: the polls and job schedulers made to match the sources, and the marker that says Redis holds them. */
async function syncAll(runtime: Runtime): Promise<{ report: SourcesSyncReport; schedulers: string[] }> {
  const { ctx } = runtime;
  // Redis restarted empty: the configuration in force is written again (a no-op while Redis holds it).
  await publishSources(runtime, [...ctx.sources.values()], 'reload', 'in-force');
  const report = await syncSources({ redis: ctx.redis, keys: ctx.keys, queue: ctx.queues.poll, settings: ctx.settings, now: ctx.clock.now(), random: ctx.random }, [...ctx.sources.values()]);
  await ensureReconcile(ctx.queues.poll);
  const schedulers = [RECONCILE_SCHEDULER];
  if (ctx.settings.webhook) {
    await upsertWebhookSweep(ctx);
    schedulers.push('webhook-sweep');
  }
  await writeStateMarker(ctx.redis, ctx.keys.stateMarker, ctx.clock.now(), `${hostname()}:${process.pid}`);
  return { report, schedulers };
}

/** Redis lost our state (restarted empty, flushed): everything that keeps polling going is upserted again, loudly. */
async function rebuildState(runtime: Runtime, trigger: RebuildTrigger, lost: string[]): Promise<void> {
  const { ctx } = runtime;
  const { report, schedulers } = await syncAll(runtime);
  const cron = [...report.cron.added, ...report.cron.changed];
  const chains = [...report.started, ...report.resumed];
  ctx.metrics.stateRebuilds.inc({ trigger });
  ctx.logger.error(
    { trigger, lost, rebuilt: { schedulers, cron_sources: cron, chains_started: chains, chains_running: report.running, paused: report.paused } },
    `Redis lost Signal Desk's state (${lost.join(' and ')} missing, noticed ${trigger === 'reconnect' ? 'after a reconnect' : 'by the periodic check'}): ` +
      `rebuilt the job schedulers (${[...schedulers, ...cron.map(schedulerId)].join(', ')}) and restarted the polls of ${chains.length} source${chains.length === 1 ? '' : 's'}. ` +
      `Queued jobs, drafts, seen marks, source health and published signals that Redis held are gone unless it persisted them; ` +
      `so are operators' pauses (\`sources pause\`): every enabled source is polled again, paused ones included, until paused again (\`signal-desk sources status\` shows none paused); ${PRODUCTION_REDIS_HELP}`,
  );
}

async function runUntilStopped(runtime: Runtime, settings: Settings, sources: Source[], options: RunOptions): Promise<number> {
  // Live configuration: a changed sources file, or SIGHUP, is re-read; an invalid file is refused whole and
  // the running configuration stays. The watch starts before the first sync, so a file replaced while the
  // schedules are being written is not missed; reloads queue behind that sync.
  let reloading: Promise<void> = Promise.resolve();
  const reload = (why: string) => {
    reloading = reloading
      .then(() => reloadSources(runtime, settings, why, options.scheduler !== false))
      .then(
        () => undefined,
        (err: Error) => runtime.ctx.logger.error({ err }, `reloading the sources failed (${why}); the running configuration stays`),
      );
  };
  // A --no-scheduler run reads no sources file: it follows the configuration applied in Redis.
  const stopWatching = options.noFile ? () => undefined : watchSourcesFile(settings.sourcesFile, () => reload('file changed'));
  const onHup = () => {
    reload('SIGHUP');
    // The categories file too (categories/watchTaxonomy.ts logs a refusal; the categories in force stay).
    void runtime.ctx.taxonomy.reload?.('SIGHUP').catch((err: unknown) => runtime.ctx.logger.error({ err }, 'reading the categories file failed (SIGHUP)'));
    // And the rules file (rules/watchRules.ts logs a refusal; the rules in force stay).
    void runtime.ctx.rules.reload?.('SIGHUP').catch((err: unknown) => runtime.ctx.logger.error({ err }, 'reading the rules file failed (SIGHUP)'));
  };
  process.on('SIGHUP', onHup);
  let watch: StateWatch | undefined;
  if (options.scheduler !== false) {
    const { ctx } = runtime;
    const initial = publishSources(runtime, sources, 'start').then(() => syncAll(runtime));
    reloading = initial.then(() => undefined, () => undefined);
    const { report } = await initial;
    ctx.logger.info(report, `polls synced: ${report.started.length} started, ${report.running.length} running, ${report.resumed.length} resumed, ${report.paused.length} paused, ${report.stopped.length} stopped; cron: ${report.cron.added.length + report.cron.changed.length + report.cron.unchanged.length}`);
    watch = watchRedisState({
      redis: ctx.redis,
      markerKey: ctx.keys.stateMarker,
      queue: ctx.queues.poll,
      intervalMs: settings.stateCheckMs,
      rebuild: (trigger, lost) => rebuildState(runtime, trigger, lost),
      onError: (err, trigger) => ctx.logger.error({ err, trigger }, 'checking that Redis still holds the schedules failed; the next reconnect or check tries again'),
    });
  }
  const web = options.web ? await startWebServer(settings, { port: options.port ?? 8080, host: options.host ?? '127.0.0.1', logger: runtime.ctx.logger, metrics: runtime.ctx.metrics }) : undefined;
  const metricsServer = !web && options.metricsPort !== undefined ? await serveMetrics(runtime.ctx.metrics, options.metricsPort, options.host ?? '127.0.0.1') : undefined;
  if (metricsServer) runtime.ctx.logger.info({ url: metricsServer.url }, `metrics at ${metricsServer.url}`);
  if (web) runtime.ctx.logger.info({ url: web.url }, `desk at ${web.url}`);
  const applied = runtime.ctx.appliedSources;
  runtime.ctx.logger.info(
    { sources: runtime.ctx.sources.size, config_version: applied?.version, config_hash: applied?.hash },
    `running; SIGTERM or SIGINT stops gracefully, SIGHUP ${options.scheduler !== false ? 're-reads the sources file' : 're-reads the configuration applied in Redis'}; sources configuration version ${applied?.version ?? '-'} (${runtime.ctx.sources.size} sources)`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  stopWatching();
  watch?.stop();
  process.off('SIGHUP', onHup);
  await reloading;
  runtime.ctx.logger.info('stopping: finishing or handing back active jobs');
  await web?.close();
  await metricsServer?.close();
  await runtime.stop();
  return 0;
}

/** Re-reads the sources file into the running process and re-syncs the polls; keeps the old configuration if the file is invalid. */
export async function reloadSources(runtime: Runtime, settings: Settings, why: string, sync: boolean): Promise<boolean> {
  const { ctx } = runtime;
  if (!sync && ctx.appliedSources) {
    // A follower takes the applied configuration; its file (if any) serves only until Redis holds one.
    await ctx.appliedSources.refresh();
    if (ctx.appliedSources.version > 0 || !existsSync(settings.sourcesFile)) return true;
  }
  let sources: Source[];
  try {
    sources = await loadSources(settings.sourcesFile, settings);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    ctx.logger.error({ issues: err.issues, file: settings.sourcesFile }, `sources file refused (${why}); the running configuration stays:\n${err.message}`);
    return false;
  }
  const before = [...ctx.sources.values()];
  const apply = (list: Source[]) => {
    ctx.sources.clear();
    for (const s of list) ctx.sources.set(s.id, s);
  };
  if (sync && ctx.appliedSources && !(await publishSources(runtime, sources, 'reload'))) {
    // Not applied (file unchanged since this process applied or refused it, or a newer version is in Redis): the
    // polls are synced with the configuration in force.
    sources = [...ctx.sources.values()];
  }
  apply(sources);
  if (sync) {
    const deps = { redis: ctx.redis, keys: ctx.keys, queue: ctx.queues.poll, settings, now: ctx.clock.now(), random: ctx.random };
    // All or nothing: a failure to apply puts the old configuration back (the caller logs which source failed).
    const report = await syncSources(deps, sources).catch(async (err: unknown) => {
      apply(before);
      await syncSources(deps, before).catch(() => undefined);
      await publishSources(runtime, before, 'reload', 'rollback').catch(() => undefined);
      throw err;
    });
    ctx.logger.info({ report }, `sources reloaded (${why}): ${sources.length} sources; ${report.started.length} started, ${report.stopped.length} stopped, ${report.resumed.length} resumed`);
  } else {
    ctx.logger.info(`sources reloaded (${why}): ${sources.length} sources`);
  }
  return true;
}

/** Per runtime: the hash of the file this scheduler last applied or saw refused, so an unchanged file is not applied again. */
const ownFileHash = new WeakMap<Runtime, string>();

/**
 * A scheduler's sources written as the applied configuration (config/appliedSources.ts has the rule).
 * Returns true when these sources are the configuration in force afterwards. 'start' applies them whatever
 * Redis holds (the latest applied file wins; a warning names the version replaced); 'reload' applies them
 * only on top of the version this process holds, else follows Redis's newer version and says so. `what`: the
 * scheduler's file, or the configuration in force written back (after Redis lost it, or after a failed apply:
 * the file is then tried again on the next reload), which never counts as this process's file.
 */
export async function publishSources(runtime: Runtime, sources: Source[], mode: 'start' | 'reload', what: 'file' | 'in-force' | 'rollback' = 'file'): Promise<boolean> {
  const { ctx } = runtime;
  const follower = ctx.appliedSources;
  if (!follower) return true;
  const { hash } = digestSources(sources);
  if (what === 'rollback') ownFileHash.delete(runtime);
  if (mode === 'reload' && what === 'file' && hash === ownFileHash.get(runtime) && hash !== follower.hash) {
    ctx.logger.info({ file_hash: hash, in_force: follower.hash, version: follower.version }, `sources file unchanged (${shortHash(hash)}): the applied configuration version ${follower.version} (${shortHash(follower.hash)}, by ${follower.appliedBy}) stays`);
    return false;
  }
  const by = `${hostname()}:${process.pid}`;
  const r = await applySources(ctx.redis, ctx.keys, sources, { mode, held: follower.version, now: ctx.clock.now(), by });
  if (r.outcome === 'stale' && what !== 'file') {
    await follower.refresh();
    return false;
  }
  if (r.outcome === 'stale') {
    ownFileHash.set(runtime, hash);
    ctx.logger.warn(
      { file_hash: hash, applied_hash: r.otherHash, applied_version: r.version, applied_by: r.otherBy, held_version: follower.version },
      `${ctx.settings.sourcesFile} (${shortHash(hash)}) is not applied: Redis holds a newer sources configuration, version ${r.version} (${shortHash(r.otherHash)}) applied by ${r.otherBy}. ` +
        'The latest applied file wins: this process follows it, and applies its own file again only when the file changes (or when it restarts)',
    );
    await follower.refresh();
    return false;
  }
  if (what === 'file') ownFileHash.set(runtime, hash);
  follower.hold(r.version, r.hash, r.outcome === 'same' ? r.otherBy : by);
  if (r.outcome === 'applied') {
    const replaced = r.otherHash ? `; it replaces ${shortHash(r.otherHash)} applied by ${r.otherBy}` : '';
    const text = `sources configuration version ${r.version} applied (${shortHash(r.hash)}, ${sources.length} sources, from ${what === 'file' ? ctx.settings.sourcesFile : 'the configuration in force'})${replaced}`;
    if (r.otherHash && mode === 'start') ctx.logger.warn({ version: r.version, hash: r.hash, replaced_hash: r.otherHash, replaced_by: r.otherBy }, `${text}: every worker process now follows this file`);
    else ctx.logger.info({ version: r.version, hash: r.hash, replaced_hash: r.otherHash || undefined }, text);
  }
  return true;
}

/**
 * Shared by `run --once` and the demo. Returns the exit code: 1 when any source failed (`failOn: 'new'`: only
 * when a source that was healthy before this run failed). An aborted `signal` interrupts the run: the workers
 * stop gracefully and the summary says what finished.
 */
export async function pollOnce(runtime: Runtime, sources: Source[], out: NodeJS.WritableStream = process.stdout, options: { signal?: AbortSignal; failOn?: FailOn } = {}): Promise<number> {
  const started = Date.now();
  const failOn = options.failOn ?? 'any';
  // Read before polling: what the health store said of each source before this run touched it.
  const failingBefore = failOn === 'new' ? await readFailing(runtime, sources) : new Set<string>();
  process.stderr.write(`Polling ${sources.length} source${sources.length === 1 ? '' : 's'}…\n`);
  const summaries = await runOnce(
    runtime.ctx,
    sources,
    (s, done, total) => process.stderr.write(`${describeProgress(s, done, total)}\n`),
    { signal: options.signal, stopWorkers: runtime.stopWorkers },
  );
  out.write(`${formatSummary(summaries)}\n`);
  const skipNote = formatSkipNote(summaries);
  if (skipNote) out.write(`${skipNote}\n`);
  const verdict = judgeRun(summaries, failOn, failingBefore);
  const cancelled = summaries.filter((s) => s.outcome === 'cancelled').length;
  const created = summaries.reduce((n, s) => n + s.newDrafts, 0);
  const dropped = summaries.reduce((n, s) => n + Object.values(s.dropped).reduce((m, c) => m + c, 0), 0);
  const failed = verdict.newlyFailing.length + verdict.stillFailing.length;
  const still = verdict.stillFailing.length > 0 ? ` (${verdict.stillFailing.length} already failing before this run: ${verdict.stillFailing.join(', ')})` : '';
  out.write(`\n${summaries.length} sources, ${created} new drafts${dropped > 0 ? ` (${dropped} dropped by rules)` : ''}, ${failed} failed${still}${cancelled > 0 ? `, ${cancelled} cancelled (run interrupted)` : ''}, in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  return verdict.code;
}

/** One progress line on stderr as a source's poll and drafts are done: "[2/5] wire: ok, 3 new". */
export function describeProgress(s: SourceSummary, done: number, total: number): string {
  return `[${done}/${total}] ${s.sourceId}: ${s.outcome}${s.outcome === 'ok' ? `, ${s.newDrafts} new` : ''}${s.error ? ` (${s.code})` : ''}`;
}

/** Health states that mean a source was already failing before the run (sources status' verdicts). */
const FAILING_STATES = new Set(['failing', 'paused', 'selectors_broken']);

/** The sources the health store calls failing (or paused, or with broken selectors) now. */
async function readFailing(runtime: Runtime, sources: Source[]): Promise<Set<string>> {
  const { redis, keys, clock } = runtime.ctx;
  const now = clock.now();
  const states = await Promise.all(sources.map(async (s) => [s, await readSourceState(redis, keys, s.id)] as const));
  return new Set(states.filter(([s, state]) => FAILING_STATES.has(describeHealth(s, state, { day: 0, week: 0 }, now).state)).map(([s]) => s.id));
}

/**
 * The exit code of a run, pure: `any`, 1 when a source failed; `new`, 1 only when a source that was not
 * failing before the run (healthy, or never polled) failed in it, so one broken for days does not fail every run.
 */
export function judgeRun(summaries: Pick<SourceSummary, 'sourceId' | 'outcome'>[], failOn: FailOn, failingBefore: ReadonlySet<string>): { code: number; newlyFailing: string[]; stillFailing: string[] } {
  const failed = summaries.filter((s) => s.outcome === 'failed').map((s) => s.sourceId);
  const newlyFailing = failOn === 'new' ? failed.filter((id) => !failingBefore.has(id)) : failed;
  const stillFailing = failOn === 'new' ? failed.filter((id) => failingBefore.has(id)) : [];
  return { code: newlyFailing.length > 0 ? 1 : 0, newlyFailing, stillFailing };
}

/** "3/4", and what is still pending when the run stopped waiting: "3/4 (1 pending)". */
function formatEnriched(s: SourceSummary): string {
  if (s.newDrafts === 0) return '';
  return `${s.enriched}/${s.newDrafts}${s.enrichPending > 0 ? ` (${s.enrichPending} pending)` : ''}`;
}

/** "2", and the drafts not yet placed when the run stopped waiting: "2 (1 pending)". */
function formatStories(s: SourceSummary): string {
  if (s.newDrafts === 0) return '';
  return `${s.stories}${s.storyPending > 0 ? ` (${s.storyPending} pending)` : ''}`;
}

/** "3 (no-sports 2, no-ads 1)": drafts a drop rule took out of the queue, by rule. */
export function formatDropped(s: Pick<SourceSummary, 'dropped'>): string {
  const rules = Object.entries(s.dropped).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const total = rules.reduce((n, [, c]) => n + c, 0);
  return total === 0 ? '' : `${total} (${rules.map(([r, c]) => `${r} ${c}`).join(', ')})`;
}

/** Items of the poll the draft stage made no draft of: "2", blank for none (the reasons are in the footnote). */
function formatSkipped(s: Pick<SourceSummary, 'skipped'>): string {
  const total = Object.values(s.skipped).reduce((n, c) => n + c, 0);
  return total === 0 ? '' : String(total);
}

/**
 * The footnote under the table: every reason items were skipped for in this run, in a user's words, most first:
 * "skipped: no title or link 3, filtered out by the source's rules 1". Empty when nothing was skipped.
 */
export function formatSkipNote(summaries: Pick<SourceSummary, 'skipped'>[]): string {
  const counts: Record<string, number> = {};
  for (const s of summaries) for (const [reason, n] of Object.entries(s.skipped)) counts[reason] = (counts[reason] ?? 0) + n;
  const words = describeSkipCounts(counts);
  return words === '' ? '' : `skipped: ${words}`;
}

export function formatSummary(summaries: SourceSummary[]): string {
  return formatTable(
    ['source', 'outcome', 'new', 'duplicates', 'related', 'enriched', 'stories', 'dropped', 'skipped', 'error'],
    summaries.map((s) => [s.sourceId, s.outcome === 'failed' || s.outcome === 'cancelled' ? `${s.outcome} (${s.code})` : s.outcome, s.newDrafts, s.duplicates, s.related, formatEnriched(s), formatStories(s), formatDropped(s), formatSkipped(s), s.error ?? '']),
  );
}
