import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import { systemClock, type Clock } from '../src/clock.ts';
import type { Source } from '../src/config/sourceSchema.ts';
import { SourcesFollower } from '../src/config/appliedSources.ts';
import type { Settings } from '../src/config/settings.ts';
import { createGuardedAgent } from '../src/fetch/guardedAgent.ts';
import { userAgent } from '../src/fetch/userAgent.ts';
import { createLogger, type Logger } from '../src/log.ts';
import { createRedis } from '../src/queue/connection.ts';
import { ANNOTATE_QUEUE, ENRICH_QUEUE, INGEST_QUEUE, POLL_QUEUE, STORY_QUEUE, WEBHOOK_QUEUE } from '../src/queue/jobs.ts';
import { createKeys } from '../src/queue/keys.ts';
import { allQueues, closeQueues, createQueues } from '../src/queue/queues.ts';
import { createMetrics, registerStateGauges } from '../src/metrics/metrics.ts';
import type { WorkerContext } from './context.ts';
import { PageReader } from '../src/enrich/pageReader.ts';
import { watchRules } from '../src/rules/watchRules.ts';
import { watchTaxonomy } from '../src/categories/watchTaxonomy.ts';
import { createEnrichProcessor, recordEnrichFailure } from './enrichProcessor.ts';
import { createIngestProcessor } from './ingestProcessor.ts';
import { createPollProcessor } from './pollProcessor.ts';
import { createAnnotateProcessor } from './annotateProcessor.ts';
import { createStoryProcessor } from './storyProcessor.ts';
import { createWebhookProcessor, SWEEP_JOB } from './webhookProcessor.ts';

export interface Runtime {
  ctx: WorkerContext;
  workers: Worker[];
  /**
   * Stops taking jobs, aborts in-flight fetches (their jobs return to the queue), waits at most shutdownMs;
   * the queues and the Redis connection stay open (for what a command does after its workers stopped).
   */
  stopWorkers(): Promise<void>;
  /** stopWorkers, then closes the queues, the fetch agent and the Redis connection. */
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  workers?: boolean;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  /**
   * Follow the sources configuration applied in Redis (config/appliedSources.ts): 'apply' (a scheduling
   * `run`) writes its own first; 'read' (`run --no-scheduler` with a file) takes Redis's version when there
   * is one, else keeps `sources` until one appears; 'wait' (no file) waits for one before its workers start.
   */
  follow?: 'apply' | 'read' | 'wait';
}

/** Builds the per-process context and, unless told otherwise, starts the poll and ingest workers. */
export async function startRuntime(settings: Settings, sources: Source[], options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger(settings.logLevel, { file: settings.logFile });
  // config/rules.yaml, reloaded live; an invalid file stops the start here, before any connection is opened.
  const rules = await watchRules(settings.rulesFile, logger);
  // config/categories.yaml, re-read when it changes; an invalid file stops the start here, before any connection is opened.
  const taxonomy = await watchTaxonomy(settings.categoriesFile, logger);
  const redis = createRedis(settings.redisUrl);
  const shutdown = new AbortController();
  const ctx: WorkerContext = {
    settings,
    redis,
    keys: createKeys(settings.prefix),
    queues: createQueues(settings, redis),
    sources: new Map(sources.map((s) => [s.id, s])),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    metrics: createMetrics(),
    logger,
    agent: createGuardedAgent({ allowPrivate: settings.allowPrivate, connectTimeoutMs: Math.min(10_000, settings.fetchTimeoutMs) }),
    userAgent: userAgent(settings.contactUrl),
    shutdown: shutdown.signal,
    pageReader: new PageReader(settings.fetchTimeoutMs),
    rules,
    taxonomy,
  };
  if (options.follow) {
    const follower = new SourcesFollower({
      redis,
      keys: ctx.keys,
      options: settings,
      logger,
      onVersion: (applied) => {
        ctx.sources.clear();
        for (const s of applied.sources) ctx.sources.set(s.id, s);
      },
    });
    ctx.appliedSources = follower;
    await follower.start(settings.stateCheckMs);
    if (options.follow === 'wait') await follower.waitForFirst(Math.min(1000, settings.stateCheckMs));
    else if (options.follow === 'read') await follower.refresh();
  }
  registerStateGauges(ctx.metrics, { redis, keys: ctx.keys, queues: allQueues(ctx.queues), sources: () => [...ctx.sources.values()], now: () => ctx.clock.now() });
  const workers: Worker[] = [];
  if (options.workers !== false) {
    // Named host:pid so every job records which process on which machine ran it (job.processedBy).
    const common = { name: `${hostname()}:${process.pid}`, connection: redis, prefix: settings.prefix, lockDuration: settings.lockMs, stalledInterval: settings.stalledMs, maxStalledCount: 2 };
    workers.push(new Worker(POLL_QUEUE, createPollProcessor(ctx), { ...common, concurrency: settings.pollConcurrency }));
    workers.push(new Worker(INGEST_QUEUE, createIngestProcessor(ctx), { ...common, concurrency: settings.ingestConcurrency }));
    // Always started (the switch decides what is queued): jobs queued before SIGNAL_DESK_ENRICH=off still finish.
    const enrichWorker = new Worker(ENRICH_QUEUE, createEnrichProcessor(ctx), { ...common, concurrency: settings.enrichConcurrency });
    // A job that fails for good (stalled too often: the process died reading the page) still says so on its draft.
    enrichWorker.on('failed', (job, err) => void recordEnrichFailure(ctx, job, err).catch((e: unknown) => logger.warn({ err: e, job_id: job?.id }, 'could not record a failed enrichment')));
    workers.push(enrichWorker);
    workers.push(new Worker(ANNOTATE_QUEUE, createAnnotateProcessor(ctx), { ...common, concurrency: settings.annotateConcurrency }));
    // One story decision at a time across every process (BullMQ global concurrency, kept in Redis; setting it
    // again is harmless): two items of one story handled at the same moment end in one story, not two.
    await ctx.queues.stories.setGlobalConcurrency(1);
    workers.push(new Worker(STORY_QUEUE, createStoryProcessor(ctx), { ...common, concurrency: 1 }));
    if (settings.webhook) {
      workers.push(new Worker(WEBHOOK_QUEUE, createWebhookProcessor(ctx, settings.webhook), { ...common, concurrency: 2 }));
      await upsertWebhookSweep(ctx);
    }
    for (const w of workers) {
      w.on('error', (err) => logger.error({ err, queue: w.name }, 'worker error'));
      w.on('failed', (job, err) => logger.warn({ job_id: job?.id, queue: w.name, source_id: job?.data?.sourceId ?? job?.data?.source?.id, attempts: job?.attemptsMade }, err.message));
    }
    await Promise.all(workers.map((w) => w.waitUntilReady()));
  }

  let stoppingWorkers: Promise<void> | undefined;
  const stopWorkers = () =>
    (stoppingWorkers ??= (async () => {
      const closing = Promise.all(workers.map((w) => w.close()));
      shutdown.abort();
      const timedOut = await Promise.race([closing.then(() => false), sleep(settings.shutdownMs).then(() => true)]);
      if (timedOut) {
        logger.warn({ ms: settings.shutdownMs }, 'jobs still running at the shutdown deadline; closing anyway (they return to the queue as stalled)');
        await Promise.all(workers.map((w) => w.close(true)));
      }
    })());
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await stopWorkers();
      taxonomy.stop();
      await ctx.appliedSources?.stop();
      await closeQueues(ctx.queues);
      await ctx.agent.close();
      await ctx.pageReader.close();
      rules.close();
      await redis.quit().catch(() => redis.disconnect());
    })());
  return { ctx, workers, stopWorkers, stop };
}

/** The webhook outbox sweep: every minute, and once now (idempotent, so every process with a webhook may upsert it). */
export async function upsertWebhookSweep(ctx: WorkerContext): Promise<void> {
  await ctx.queues.webhook.upsertJobScheduler('webhook-sweep', { every: 60_000 }, { name: SWEEP_JOB, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
