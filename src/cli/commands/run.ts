import type { Source } from '../../config/sourceSchema.ts';
import { loadSources } from '../../config/loadSources.ts';
import { watchSourcesFile } from '../../config/watchSources.ts';
import { ConfigError } from '../../errors.ts';
import type { Settings } from '../../config/settings.ts';
import { runOnce, type SourceSummary } from '../../queue/runOnce.ts';
import { ensureReconcile, syncSources } from '../../schedule/chain.ts';
import { startRuntime, type Runtime } from '../../../workers/runtime.ts';
import { createServer } from 'node:http';
import { startWebServer } from '../../web/startServer.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import { formatTable } from '../table.ts';

export interface RunOptions {
  once?: boolean;
  scheduler?: boolean;
  /** Serve the desk in this process too. */
  web?: boolean;
  port?: number;
  host?: string;
  /** Without --web: serve /metrics alone on this port. */
  metricsPort?: number;
}

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
  const runtime = await startRuntime(settings, sources);
  if (!settings.contactUrl) runtime.ctx.logger.warn('SIGNAL_DESK_CONTACT_URL is not set: publishers cannot see how to reach you in our User-Agent');
  if (options.once) {
    try {
      return await pollOnce(runtime, sources.filter((s) => s.enabled));
    } finally {
      await runtime.stop();
    }
  }
  if (options.scheduler !== false) {
    const { ctx } = runtime;
    const report = await syncSources({ redis: ctx.redis, keys: ctx.keys, queue: ctx.queues.poll, settings, now: ctx.clock.now(), random: ctx.random }, sources);
    await ensureReconcile(ctx.queues.poll);
    ctx.logger.info(report, `polls synced: ${report.started.length} started, ${report.running.length} running, ${report.resumed.length} resumed, ${report.paused.length} paused, ${report.stopped.length} stopped; cron: ${report.cron.added.length + report.cron.changed.length + report.cron.unchanged.length}`);
  }
  const web = options.web ? await startWebServer(settings, { port: options.port ?? 8080, host: options.host ?? '127.0.0.1', logger: runtime.ctx.logger, metrics: runtime.ctx.metrics }) : undefined;
  const metricsServer = !web && options.metricsPort !== undefined ? await serveMetrics(runtime.ctx.metrics, options.metricsPort, options.host ?? '127.0.0.1') : undefined;
  if (metricsServer) runtime.ctx.logger.info({ url: metricsServer.url }, `metrics at ${metricsServer.url}`);
  if (web) runtime.ctx.logger.info({ url: web.url }, `desk at ${web.url}`);
  // Live configuration: a changed sources file, or SIGHUP, is re-read; an invalid file is refused whole and
  // the running configuration stays.
  let reloading = Promise.resolve();
  const reload = (why: string) => {
    reloading = reloading
      .then(() => reloadSources(runtime, settings, why, options.scheduler !== false))
      .then(
        () => undefined,
        (err: Error) => runtime.ctx.logger.error({ err }, `reloading the sources failed (${why}); the running configuration stays`),
      );
  };
  const stopWatching = watchSourcesFile(settings.sourcesFile, () => reload('file changed'));
  const onHup = () => reload('SIGHUP');
  process.on('SIGHUP', onHup);
  runtime.ctx.logger.info({ sources: sources.length }, 'running; SIGTERM or SIGINT stops gracefully, SIGHUP re-reads the sources file');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  stopWatching();
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
  apply(sources);
  if (sync) {
    const deps = { redis: ctx.redis, keys: ctx.keys, queue: ctx.queues.poll, settings, now: ctx.clock.now(), random: ctx.random };
    // All or nothing: a failure to apply puts the old configuration back (the caller logs which source failed).
    const report = await syncSources(deps, sources).catch(async (err: unknown) => {
      apply(before);
      await syncSources(deps, before).catch(() => undefined);
      throw err;
    });
    ctx.logger.info({ report }, `sources reloaded (${why}): ${sources.length} sources; ${report.started.length} started, ${report.stopped.length} stopped, ${report.resumed.length} resumed`);
  } else {
    ctx.logger.info(`sources reloaded (${why}): ${sources.length} sources`);
  }
  return true;
}

/** Shared by `run --once` and the demo. Returns the exit code: 1 when any source failed. */
export async function pollOnce(runtime: Runtime, sources: Source[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const started = Date.now();
  process.stderr.write(`Polling ${sources.length} source${sources.length === 1 ? '' : 's'}…\n`);
  const summaries = await runOnce(runtime.ctx, sources, (s, done, total) => {
    process.stderr.write(`[${done}/${total}] ${s.sourceId}: ${s.outcome}${s.outcome === 'ok' ? `, ${s.newDrafts} new` : ''}${s.error ? ` (${s.code})` : ''}\n`);
  });
  out.write(`${formatSummary(summaries)}\n`);
  const failed = summaries.filter((s) => s.outcome === 'failed').length;
  const created = summaries.reduce((n, s) => n + s.newDrafts, 0);
  out.write(`\n${summaries.length} sources, ${created} new drafts, ${failed} failed, in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  return failed > 0 ? 1 : 0;
}

export function formatSummary(summaries: SourceSummary[]): string {
  return formatTable(
    ['source', 'outcome', 'new', 'duplicates', 'error'],
    summaries.map((s) => [s.sourceId, s.outcome === 'failed' ? `failed (${s.code})` : s.outcome, s.newDrafts, s.duplicates, s.error ?? '']),
  );
}
