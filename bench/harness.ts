// Shared by the benches that run the real workers against the feed farm (bench/pipeline.ts, bench/scale.ts):
// the farm process, bench settings and sources, the three polling rows, the prefix's clean-up and the table.
import { spawn } from 'node:child_process';
import { SourceSchema, type Source } from '../src/config/sourceSchema.ts';
import { loadSettings, type Settings } from '../src/config/settings.ts';
import type { RedisClient } from '../src/redisClient.ts';
import { runOnce } from '../src/queue/runOnce.ts';
import type { Runtime } from '../workers/runtime.ts';
import { measureRaw304 } from './rawConditional.ts';

export interface Farm {
  origin: string;
  /** Changes every ETag (same items): the next poll is a 200 of already-seen items. */
  bump(): Promise<void>;
  counters(): Promise<{ requests: number; ok200: number; notModified304: number }>;
  stop(): void;
}

/** bench/farm.ts in a process of its own: `sources` feeds of `items` items (`pages`: the items link to article pages it serves). */
export async function startFarm(sources: number, items: number, pages: boolean): Promise<Farm> {
  const farm = spawn(process.execPath, ['--import', 'tsx', 'bench/farm.ts'], { env: { ...process.env, SOURCES: String(sources), ITEMS: String(items), PAGES: pages ? '1' : '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => farm.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    bump: async () => void (await fetch(`${origin}/bump`)).text(),
    counters: async () => (await fetch(`${origin}/counters`)).json() as Promise<{ requests: number; ok200: number; notModified304: number }>,
    stop: () => void farm.kill(),
  };
}

/** The settings a bench's workers run with, as environment variables (a second worker process gets the same). */
export function benchEnv(prefix: string, enrich: boolean): Record<string, string> {
  return {
    SIGNAL_DESK_PREFIX: prefix,
    SIGNAL_DESK_ALLOW_PRIVATE: '127.0.0.1',
    // The farm serves every "publisher" from one address: per-host pacing would measure itself, not the pipeline.
    SIGNAL_DESK_HOST_CONCURRENCY: '1000',
    SIGNAL_DESK_HOST_DELAY_MS: '0',
    SIGNAL_DESK_LOG_LEVEL: 'warn',
    SIGNAL_DESK_POLL_CONCURRENCY: process.env.SIGNAL_DESK_POLL_CONCURRENCY ?? '64',
    SIGNAL_DESK_INGEST_CONCURRENCY: process.env.SIGNAL_DESK_INGEST_CONCURRENCY ?? '8',
    SIGNAL_DESK_ENRICH: enrich ? 'on' : 'off',
  };
}

export function benchSettings(prefix: string, enrich: boolean): Settings {
  return loadSettings({ ...process.env, ...benchEnv(prefix, enrich) });
}

/** `count` farm sources (`farm-<i>`), polled every `every` (the default schedule, 15 min, when absent). */
export function farmSources(count: number, origin: string, every?: string): Source[] {
  return Array.from({ length: count }, (_, i) => SourceSchema.parse({ id: `farm-${i}`, name: `Farm ${i}`, url: `${origin}/feed/${i}`, weight: 0.6, ...(every ? { schedule: { every } } : {}) }));
}

/** Every key under the prefix, in SCAN pages (the prefix is a hash tag, so `semaphore:{…}` keys match `*{…}*`). */
export async function scanPrefix(redis: RedisClient, prefix: string, onPage: (keys: string[]) => Promise<void>): Promise<void> {
  let cursor = '0';
  const pattern = `*${prefix.replace(/[[\]*?\\]/g, '\\$&')}*`;
  do {
    const [next, keys] = (await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000)) as [string, string[]];
    cursor = next;
    if (keys.length) await onPage(keys);
  } while (cursor !== '0');
}

export async function deletePrefix(redis: RedisClient, prefix: string): Promise<void> {
  await scanPrefix(redis, prefix, async (keys) => void (await redis.unlink(...keys)));
}

/** Counts the commands a runtime sends on its shared connection (BullMQ's included; a MULTI of n commands counts n + 2). */
export function countCommands(runtime: Runtime): () => number {
  let sent = 0;
  const send = runtime.ctx.redis.sendCommand.bind(runtime.ctx.redis) as (...args: unknown[]) => unknown;
  runtime.ctx.redis.sendCommand = ((...args: unknown[]) => {
    sent++;
    return send(...args);
  }) as typeof runtime.ctx.redis.sendCommand;
  return () => sent;
}

export function secondsSince(t: bigint): number {
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Resolves once none of `queues` has a job waiting, delayed, active or prioritized; returns the seconds it took. */
export async function drainQueues(queues: Runtime['ctx']['queues'][keyof Runtime['ctx']['queues']][]): Promise<number> {
  const t = process.hrtime.bigint();
  for (;;) {
    const counts = await Promise.all(queues.map((q) => q.getJobCounts('waiting', 'delayed', 'active', 'prioritized')));
    if (counts.every((c) => Object.values(c).every((n) => n === 0))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return secondsSince(t);
}

export interface PipelineRows {
  created: number;
  tNew: number;
  cNew: number;
  /** Seconds until enrichment, annotation and stories drained after the new items (undefined: not waited for). */
  tDrain?: number;
  t304: number;
  c304: number;
  seen: number;
  tSeen: number;
  cSeen: number;
  /** A bare undici client's 304s per second against the same farm, right after our 304 row (options.raw304). */
  raw304?: number;
}

/** Node's own profiler, in this process, around the rows it should see. */
export async function startProfile(): Promise<{ stop(path: string): Promise<void> }> {
  const { Session } = await import('node:inspector/promises');
  const { writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(path) {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(path, JSON.stringify(profile));
      session.disconnect();
      console.error(`steady-state CPU profile written to ${path}`);
    },
  };
}

/**
 * The three polling rows: every source polled once through the queues (any worker process may take the jobs),
 * timed until the drafts are in the review queue: new items, then 304s, then (after a bump) 200s of items all
 * seen. `drain`: wait for the stages after the draft between rows, so no row pays for another's backlog.
 * `commands`: a counter of the workers' commands (countCommands), for the per-poll figures. `raw304`: a bare undici
 * client's 304 rate against the same farm at the same concurrency, after our 304 row. `profile`: a CPU profile of
 * the two steady-state rows alone, written to that path.
 */
export async function measurePipelineRows(runtime: Runtime, sources: Source[], farm: Farm, options: { drain: boolean; commands?: () => number; raw304?: boolean; profile?: string }): Promise<PipelineRows> {
  const commands = options.commands ?? (() => 0);
  // The rows time the drafts into the review queue; what runs after them is timed apart.
  const noWait = { enrichWaitMs: 0, storyWaitMs: 0 };
  const timed = async (label: string, fn: () => Promise<void>) => {
    const t = process.hrtime.bigint();
    const before = commands();
    await fn();
    const s = secondsSince(t);
    const c = commands() - before;
    console.error(`${label}: ${s.toFixed(2)} s${options.commands ? `, ${c} Redis commands from the workers` : ''}`);
    return [s, c] as const;
  };
  let created = 0;
  const [tNew, cNew] = await timed('new items', async () => {
    created = (await runOnce(runtime.ctx, sources, undefined, noWait)).reduce((n, s) => n + s.newDrafts, 0);
  });
  let tDrain: number | undefined;
  if (options.drain) {
    const { enrich, annotate, stories } = runtime.ctx.queues;
    tDrain = await drainQueues([enrich, annotate, stories]);
    console.error(`enrichment, annotation and stories drained ${tDrain.toFixed(2)} s after the drafts`);
  }
  const profiler = options.profile ? await startProfile() : undefined;
  const [t304, c304] = await timed('304 polls', async () => void (await runOnce(runtime.ctx, sources, undefined, noWait)));
  // The same farm, the same concurrency, a bare client: what a 304 costs with nothing of ours around it.
  const raw304 = options.raw304 ? (await measureRaw304(sources.map((s) => s.url), runtime.ctx.settings.pollConcurrency)).pollsPerSecond : undefined;
  await farm.bump();
  let seen = 0;
  const [tSeen, cSeen] = await timed('already-seen items', async () => {
    seen = (await runOnce(runtime.ctx, sources, undefined, noWait)).reduce((n, s) => n + s.duplicates, 0);
  });
  if (profiler) await profiler.stop(options.profile!);
  return { created, tNew, cNew, tDrain, t304, c304, seen, tSeen, cSeen, raw304 };
}

/** The rows as the table prints them. */
export function describePipelineRows(r: PipelineRows, sources: number): Record<string, string> {
  return {
    'new items → drafts in review queue': `${Math.round(r.created / r.tNew)} items/s (${r.created} drafts in ${r.tNew.toFixed(2)} s)`,
    '304 polls': `${Math.round(sources / r.t304)} polls/s`,
    ...(r.raw304 !== undefined ? { 'raw undici 304s (same farm, same run)': `${Math.round(r.raw304)} polls/s; ours ${((sources / r.t304 / r.raw304) * 100).toFixed(0)}% of it` } : {}),
    'already-seen items (200, all seen)': `${Math.round(r.seen / r.tSeen)} items/s`,
  };
}

/** Prints `rows` as two aligned columns on stdout. */
export function printTable(rows: Record<string, string>): void {
  const width = Math.max(...Object.keys(rows).map((k) => k.length));
  for (const [k, v] of Object.entries(rows)) console.log(`${k.padEnd(width)}  ${v}`);
}
