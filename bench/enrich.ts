// npm run bench:enrich: the feed pipeline with enrichment off, then on, against a local farm of feeds and
// article pages (bench/pageFarm.ts), on the Redis at REDIS_URL. Prints new-items/s both ways (the drafts are
// in the review queue; with enrichment on, its workers run at the same time) and enrichment pages/s end to end.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { SourceSchema } from '../src/config/sourceSchema.ts';
import { loadSettings } from '../src/config/settings.ts';
import { createRedis } from '../src/queue/connection.ts';
import { runOnce } from '../src/queue/runOnce.ts';
import { startRuntime } from '../workers/runtime.ts';
import { benchEnv, deletePrefix } from './harness.ts';

const SOURCES = Number(process.env.BENCH_SOURCES ?? 200);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 20);
const farm = spawn(process.execPath, ['--import', 'tsx', 'bench/pageFarm.ts'], { env: { ...process.env, SOURCES: String(SOURCES), ITEMS: String(ITEMS) }, stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve) => farm.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
const origin = `http://127.0.0.1:${port}`;
const sources = Array.from({ length: SOURCES }, (_, i) => SourceSchema.parse({ id: `farm-${i}`, name: `Farm ${i}`, url: `${origin}/feed/${i}`, weight: 0.6 }));

async function drop(prefix: string): Promise<void> {
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await deletePrefix(redis, prefix);
  await redis.quit();
}

async function pass(enrich: boolean): Promise<{ itemsPerS: number; created: number; pagesPerS?: number; done?: number; states?: Record<string, number> }> {
  const prefix = `{sd-bench-e-${randomBytes(3).toString('hex')}}`;
  const settings = loadSettings({
    ...process.env,
    ...benchEnv(prefix, enrich),
    SIGNAL_DESK_ENRICH_CONCURRENCY: process.env.SIGNAL_DESK_ENRICH_CONCURRENCY ?? '16',
  });
  const runtime = await startRuntime(settings, sources);
  const redis = createRedis(settings.redisUrl);
  try {
    const t0 = process.hrtime.bigint();
    const summaries = await runOnce(runtime.ctx, sources, undefined, { enrichWaitMs: 0 });
    const tDrafts = Number(process.hrtime.bigint() - t0) / 1e9;
    const created = summaries.reduce((n, s) => n + s.newDrafts, 0);
    if (!enrich) return { itemsPerS: created / tDrafts, created };
    const ids = await redis.zrange(runtime.ctx.keys.review, 0, -1);
    let states: Record<string, number> = {};
    for (;;) {
      states = {};
      for (let i = 0; i < ids.length; i += 1000) {
        for (const json of await redis.mget(...ids.slice(i, i + 1000).map((id) => runtime.ctx.keys.draft(id)))) {
          const s = json ? ((JSON.parse(json) as { enrichment?: { state: string } }).enrichment?.state ?? 'none') : 'gone';
          states[s] = (states[s] ?? 0) + 1;
        }
      }
      if (!states.pending) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const tAll = Number(process.hrtime.bigint() - t0) / 1e9;
    return { itemsPerS: created / tDrafts, created, pagesPerS: (states.done ?? 0) / tAll, done: states.done ?? 0, states };
  } finally {
    await runtime.stop();
    await redis.quit();
    await drop(prefix);
  }
}

try {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const off: number[] = [];
  const on: number[] = [];
  let last;
  for (let r = 0; r < rounds; r++) {
    const a = await pass(false);
    off.push(a.itemsPerS);
    console.error(`round ${r + 1} off: ${Math.round(a.itemsPerS)} items/s (${a.created})`);
    last = await pass(true);
    on.push(last.itemsPerS);
    console.error(`round ${r + 1} on:  ${Math.round(last.itemsPerS)} items/s (${last.created}); ${last.pagesPerS!.toFixed(1)} pages/s, states ${JSON.stringify(last.states)}`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const results = {
    sources: String(SOURCES),
    'items per source': String(ITEMS),
    'new items/s, enrichment off (median)': `${Math.round(median(off))}`,
    'new items/s, enrichment on (median)': `${Math.round(median(on))}`,
    'change with enrichment on': `${(((median(on) - median(off)) / median(off)) * 100).toFixed(1)}%`,
    'enrichment pages/s end to end (last round)': `${last!.pagesPerS!.toFixed(1)} (${last!.done} pages)`,
  };
  const width = Math.max(...Object.keys(results).map((k) => k.length));
  for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(width)}  ${v}`);
} finally {
  farm.kill();
}
