// bench/scale.ts --workers N: the three polling rows of bench/pipeline.ts (new items, 304s, all seen) with the
// bench's own worker process alone, then with N - 1 more `run --no-scheduler` processes beside it (they follow
// the sources configuration applied in Redis; no file), each on a fresh prefix. Annotation and stories are
// paused in both (their jobs wait), so the rows measure the feed pipeline and the ratio compares like with like.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRedis } from '../src/queue/connection.ts';
import { publishSources } from '../src/cli/commands/run.ts';
import { startRuntime } from '../workers/runtime.ts';
import { benchEnv, benchSettings, deletePrefix, describePipelineRows, farmSources, measurePipelineRows, printTable, startFarm, type Farm, type PipelineRows } from './harness.ts';

/** A `run --no-scheduler` process on the prefix; resolves once it says it is running. */
async function startWorkerProcess(prefix: string): Promise<ChildProcess> {
  const env = { ...process.env, ...benchEnv(prefix, false), SIGNAL_DESK_LOG_LEVEL: 'info', SIGNAL_DESK_SOURCES: '/nonexistent/sources.yaml' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--no-scheduler'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      if (output.length < 100_000) output += String(d);
      if (output.includes('running;')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker process exited ${code} before it ran:\n${output.slice(-2000)}`)));
  });
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function measureWith(processes: number, farm: Farm, count: number): Promise<PipelineRows> {
  const prefix = `{sd-bench-${randomBytes(3).toString('hex')}}`;
  const settings = benchSettings(prefix, false);
  const sources = farmSources(count, farm.origin);
  const redis = createRedis(settings.redisUrl);
  const runtime = await startRuntime(settings, sources, { follow: 'apply' });
  const children: ChildProcess[] = [];
  try {
    await publishSources(runtime, sources, 'start');
    await Promise.all([runtime.ctx.queues.annotate.pause(), runtime.ctx.queues.stories.pause()]);
    for (let i = 1; i < processes; i++) children.push(await startWorkerProcess(prefix));
    console.error(`${processes} worker process(es):`);
    return await measurePipelineRows(runtime, sources, farm, { drain: false });
  } finally {
    await Promise.all(children.map(stopProcess));
    await runtime.stop();
    await deletePrefix(redis, prefix);
    await redis.quit();
  }
}

export async function runWorkersBench(processes: number): Promise<void> {
  const SOURCES = Number(process.env.BENCH_SOURCES ?? 1000);
  const ITEMS = Number(process.env.BENCH_ITEMS ?? 20);
  const farm = await startFarm(SOURCES, ITEMS, false);
  const results: Record<string, string> = { sources: `${SOURCES} × ${ITEMS} items (enrichment off; annotation and stories paused)` };
  try {
    const one = await measureWith(1, farm, SOURCES);
    const many = await measureWith(processes, farm, SOURCES);
    const a = describePipelineRows(one, SOURCES);
    const b = describePipelineRows(many, SOURCES);
    const ratios = [one.tNew / many.tNew, one.t304 / many.t304, one.tSeen / many.tSeen];
    Object.keys(a).forEach((row, i) => {
      results[`${row}, 1 process`] = a[row]!;
      results[`${row}, ${processes} processes`] = `${b[row]!} (${ratios[i]!.toFixed(2)}×)`;
    });
  } finally {
    farm.stop();
  }
  printTable(results);
}
