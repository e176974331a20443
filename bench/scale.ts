// npm run bench:scale: the real workers (one process, as a scheduling `run` starts them) on the Redis at
// REDIS_URL, against the feed farm, with a fleet of BENCH_SOURCES sources (100,000) of BENCH_ITEMS items (5)
// polled every 15 minutes. Prints: the time to apply the configuration and start every chain (what `run` does at
// start), the first poll of each and its drain, Redis memory per source at rest (INFO used_memory delta, and
// MEMORY USAGE of every key of the prefix by kind), and the process's CPU per minute with the chains idle
// (BENCH_CPU_MS, 60 s). `--workers 2`: the polling rows with one worker process, then two (bench/scaleWorkers.ts).
// Asserts nothing (see README "Performance").
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createRedis } from '../src/queue/connection.ts';
import { ensureReconcile } from '../src/queue/scheduler.ts';
import { writeStateMarker } from '../src/queue/stateWatch.ts';
import { syncSources } from '../src/schedule/chain.ts';
import { publishSources } from '../src/cli/commands/run.ts';
import { startRuntime } from '../workers/runtime.ts';
import { benchSettings, deletePrefix, drainQueues, farmSources, printTable, secondsSince, startFarm } from './harness.ts';
import { measureKeyMemory, readRedisInfo } from './redisFigures.ts';
import { runWorkersBench } from './scaleWorkers.ts';

const args = process.argv.slice(2);
const workersArg = args.indexOf('--workers');
if (workersArg >= 0) {
  await runWorkersBench(Number(args[workersArg + 1] ?? 2));
  process.exit(0);
}

const SOURCES = Number(process.env.BENCH_SOURCES ?? 100_000);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 5);
const CPU_MS = Number(process.env.BENCH_CPU_MS ?? 60_000);
// BENCH_DRAIN=drafts: the annotate and stories queues are paused, so "at rest" is drafts in the review queue with
// their annotate jobs waiting (annotation runs at tens of drafts a second on two cores: 500,000 drafts are hours).
const DRAIN_ALL = (process.env.BENCH_DRAIN ?? 'all') !== 'drafts';
const prefix = `{sd-bench-${randomBytes(3).toString('hex')}}`;

const farm = await startFarm(SOURCES, ITEMS, false);
const settings = benchSettings(prefix, false);
const sources = farmSources(SOURCES, farm.origin, '15m');
const redis = createRedis(settings.redisUrl);
const results: Record<string, string> = { sources: `${SOURCES} × ${ITEMS} items, every 15 min`, 'at rest after': DRAIN_ALL ? 'the first poll of each, its drafts annotated and in stories' : 'the first poll of each, its drafts in the review queue (annotation and stories paused)' };
const memoryBefore = (await readRedisInfo(redis, 'memory')).used_memory!;
const runtime = await startRuntime(settings, sources, { follow: 'apply' });
const progress = setInterval(() => void farm.counters().then((c) => console.error(`${new Date().toISOString()} polled ${c.requests}/${SOURCES}`)), 10_000);
try {
  const { ctx } = runtime;
  const { annotate, stories, enrich, ingest, poll } = ctx.queues;
  if (!DRAIN_ALL) await Promise.all([annotate.pause(), stories.pause()]);
  const syncDeps = () => ({ redis: ctx.redis, keys: ctx.keys, queue: poll, settings, now: ctx.clock.now(), random: ctx.random });

  // What a scheduling `run` does at start (run.ts syncAll): apply the configuration, start every chain, the reconcile scheduler, the marker.
  let t = process.hrtime.bigint();
  await publishSources(runtime, sources, 'start');
  const tApply = secondsSince(t);
  t = process.hrtime.bigint();
  const report = await syncSources(syncDeps(), sources);
  const tSync = secondsSince(t);
  await ensureReconcile(poll);
  await writeStateMarker(ctx.redis, ctx.keys.stateMarker, ctx.clock.now(), `${hostname()}:${process.pid}`);
  console.error(`applied ${tApply.toFixed(2)} s, ${report.started.length} chains started in ${tSync.toFixed(2)} s`);
  Object.assign(results, {
    'apply the sources configuration': `${tApply.toFixed(2)} s`,
    'start every chain (syncSources)': `${tSync.toFixed(2)} s (${report.started.length} started, ${Math.round(report.started.length / tSync)} chains/s)`,
  });

  // The first poll of every chain (spread over its first minute), then its ingest, then the stages after the draft.
  t = process.hrtime.bigint();
  for (;;) {
    const [c, pc, ic] = await Promise.all([farm.counters(), poll.getJobCounts('waiting', 'active', 'prioritized'), ingest.getJobCounts('waiting', 'active', 'prioritized', 'delayed')]);
    if (c.requests >= SOURCES && Object.values(pc).every((n) => n === 0) && Object.values(ic).every((n) => n === 0)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const tFirst = secondsSince(t);
  const drafts = await ctx.redis.zcard(ctx.keys.review);
  const tDrain = DRAIN_ALL ? await drainQueues([enrich, annotate, stories]) : 0;
  clearInterval(progress);
  Object.assign(results, {
    'first poll of every chain, drafts in the review queue': `${tFirst.toFixed(1)} s after the start (${drafts} drafts in review; ${Math.round(SOURCES / tFirst)} polls/s over the chains' first minute and after)`,
    ...(DRAIN_ALL ? { 'then annotation and stories drained': `${tDrain.toFixed(1)} s` } : {}),
  });

  // At rest: every chain's next poll is ~15 min away.
  const memoryAfter = (await readRedisInfo(redis, 'memory')).used_memory!;
  const memory = await measureKeyMemory(redis, prefix);
  const perSource = (bytes: number) => `${Math.round(bytes / SOURCES).toLocaleString('en')} B/source`;
  Object.assign(results, {
    'INFO used_memory delta (shared Redis)': `${((memoryAfter - memoryBefore) / 2 ** 20).toFixed(1)} MiB = ${perSource(memoryAfter - memoryBefore)}`,
    'MEMORY USAGE over the prefix (SCAN)': `${(memory.total / 2 ** 20).toFixed(1)} MiB in ${memory.keys} keys = ${perSource(memory.total)}`,
    'of which drafts, their indexes and jobs': `${perSource(memory.drafts)} (${(memory.drafts / Math.max(1, drafts)).toFixed(0)} B/draft)`,
    'per idle source, without the drafts': `**${perSource(memory.total - memory.drafts)}** (target ≤ 2,048)`,
  });
  for (const k of memory.kinds.slice(0, 10)) results[`  ${k.kind}`] = `${perSource(k.bytes)} (${k.keys} keys, ${(k.bytes / 2 ** 20).toFixed(1)} MiB)`;

  // CPU with the chains idle: the reconcile job (every minute), BullMQ's timers, the configuration follower.
  const reconciles: number[] = [];
  const pollWorker = runtime.workers.find((w) => w.name === poll.name)!;
  pollWorker.on('completed', (job) => void (job.name === 'reconcile' && reconciles.push((job.finishedOn ?? 0) - (job.processedOn ?? 0))));
  const [cpu0, rcpu0, req0] = [process.cpuUsage(), await readRedisInfo(redis, 'cpu'), (await farm.counters()).requests];
  await new Promise((r) => setTimeout(r, CPU_MS));
  const cpu = process.cpuUsage(cpu0);
  const rcpu1 = await readRedisInfo(redis, 'cpu');
  const redisCpu = rcpu1.used_cpu_user! + rcpu1.used_cpu_sys! - rcpu0.used_cpu_user! - rcpu0.used_cpu_sys!;
  const perMinute = (s: number) => `${((s * 60_000) / CPU_MS).toFixed(2)} CPU-s/min`;
  Object.assign(results, {
    [`scheduler process CPU, chains idle (${CPU_MS / 1000} s window)`]: `${perMinute((cpu.user + cpu.system) / 1e6)} (${reconciles.length} reconcile job(s): ${reconciles.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(', ') || '-'}; ${(await farm.counters()).requests - req0} polls)`,
    'Redis CPU in the same window (shared Redis)': perMinute(redisCpu),
  });
  // One reconcile timed alone: every chain found running (three round trips a source).
  t = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const again = await syncSources(syncDeps(), sources);
  const cAgain = process.cpuUsage(c0);
  results['a reconcile alone (syncSources, all running)'] = `${secondsSince(t).toFixed(2)} s, ${((cAgain.user + cAgain.system) / 1e6).toFixed(2)} CPU-s (${again.running.length} running)`;
} finally {
  clearInterval(progress);
  await runtime.stop();
  await deletePrefix(redis, prefix);
  await redis.quit();
  farm.stop();
}
printTable(results);
