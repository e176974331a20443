// npm run bench: the real workers against a local feed farm, on the Redis at REDIS_URL. Prints throughput
// and memory figures; asserts nothing (see README "Performance").
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { SourceSchema } from '../src/config/sourceSchema.ts';
import { loadSettings } from '../src/config/settings.ts';
import { seenBucketKeys, URL_BUCKETS } from '../src/dedupe/seenIndex.ts';
import { createRedis } from '../src/queue/connection.ts';
import { runOnce } from '../src/queue/runOnce.ts';
import { startRuntime } from '../workers/runtime.ts';

const SOURCES = Number(process.env.BENCH_SOURCES ?? 1000);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 20);
// BENCH_ROWS=pipeline: the three polling rows only (bench/peer.ts runs them beside newsboat), no memory or ceiling.
const PIPELINE_ONLY = process.env.BENCH_ROWS === 'pipeline';
// Every stage on, as the targets say (BENCH_ENRICH=off for the feed pipeline alone): the items link to
// article pages the farm serves, enrichment reads them, and annotation and stories run in their own queues.
const ENRICH = (process.env.BENCH_ENRICH ?? 'on') !== 'off';
const prefix = `{sd-bench-${randomBytes(3).toString('hex')}}`;

const farm = spawn(process.execPath, ['--import', 'tsx', 'bench/farm.ts'], { env: { ...process.env, SOURCES: String(SOURCES), ITEMS: String(ITEMS), PAGES: ENRICH ? '1' : '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve) => farm.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
const origin = `http://127.0.0.1:${port}`;

const settings = loadSettings({
  ...process.env,
  SIGNAL_DESK_PREFIX: prefix,
  SIGNAL_DESK_ALLOW_PRIVATE: '127.0.0.1',
  // The farm serves 1,000 "publishers" from one address: per-host pacing would measure itself, not the pipeline.
  SIGNAL_DESK_HOST_CONCURRENCY: '1000',
  SIGNAL_DESK_HOST_DELAY_MS: '0',
  SIGNAL_DESK_LOG_LEVEL: 'warn',
  SIGNAL_DESK_POLL_CONCURRENCY: process.env.SIGNAL_DESK_POLL_CONCURRENCY ?? '64',
  SIGNAL_DESK_INGEST_CONCURRENCY: process.env.SIGNAL_DESK_INGEST_CONCURRENCY ?? '8',
  SIGNAL_DESK_ENRICH: ENRICH ? 'on' : 'off',
});
const sources = Array.from({ length: SOURCES }, (_, i) => SourceSchema.parse({ id: `farm-${i}`, name: `Farm ${i}`, url: `${origin}/feed/${i}`, weight: 0.6 }));
const runtime = await startRuntime(settings, sources);
const redis = createRedis(settings.redisUrl);
// Commands the workers send on their shared connection (BullMQ's included; a MULTI of n commands counts n + 2),
// counted per row: what a poll costs in Redis, whatever the machine's load.
let commandsSent = 0;
const send = runtime.ctx.redis.sendCommand.bind(runtime.ctx.redis) as (...args: unknown[]) => unknown;
runtime.ctx.redis.sendCommand = ((...args: unknown[]) => {
  commandsSent++;
  return send(...args);
}) as typeof runtime.ctx.redis.sendCommand;
/** The commands the last timed row sent. */
let rowCommands = 0;

async function timed(label: string, fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  const before = commandsSent;
  await fn();
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  rowCommands = commandsSent - before;
  console.error(`${label}: ${s.toFixed(2)} s, ${rowCommands} Redis commands from the workers`);
  return s;
}

/**
 * The stages after the draft (enrichment, annotation, stories) in their own queues: time until none has a job
 * waiting, delayed or active. They may lag the drafts; each row starts once they are idle, so no row pays for
 * another's backlog.
 */
async function drainAfterDrafts(): Promise<number> {
  const t = process.hrtime.bigint();
  const queues = [runtime.ctx.queues.enrich, runtime.ctx.queues.annotate, runtime.ctx.queues.stories];
  for (;;) {
    const counts = await Promise.all(queues.map((q) => q.getJobCounts('waiting', 'delayed', 'active', 'prioritized')));
    if (counts.every((c) => Object.values(c).every((n) => n === 0))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return Number(process.hrtime.bigint() - t) / 1e9;
}
// The rows time the drafts into the review queue; what runs after them is timed apart (drainAfterDrafts).
const noWait = { enrichWaitMs: 0, storyWaitMs: 0 };

const results: Record<string, string> = {};
try {
  let created = 0;
  const tNew = await timed('new items', async () => {
    const r = await runOnce(runtime.ctx, sources, undefined, noWait);
    created = r.reduce((n, s) => n + s.newDrafts, 0);
  });
  const cNew = rowCommands;
  const tDrain = await drainAfterDrafts();
  console.error(`enrichment, annotation and stories drained ${tDrain.toFixed(2)} s after the drafts`);
  const t304 = await timed('304 polls', () => runOnce(runtime.ctx, sources, undefined, noWait));
  const c304 = rowCommands;
  await fetch(`${origin}/bump`);
  let seen = 0;
  const tSeen = await timed('already-seen items', async () => {
    const r = await runOnce(runtime.ctx, sources, undefined, noWait);
    seen = r.reduce((n, s) => n + s.duplicates, 0);
  });
  const cSeen = rowCommands;

  const endToEnd = created / tNew;
  Object.assign(results, {
    sources: String(SOURCES),
    'items per source': String(ITEMS),
    'new items → drafts in review queue': `${Math.round(endToEnd)} items/s (${created} drafts in ${tNew.toFixed(2)} s)`,
    [`then ${ENRICH ? 'enrichment, ' : ''}annotation and stories drained`]: `${tDrain.toFixed(2)} s after the last draft (${Math.round(created / (tNew + tDrain))} drafts/s through every stage)`,
    '304 polls': `${Math.round(SOURCES / t304)} polls/s`,
    'already-seen items (200, all seen)': `${Math.round(seen / tSeen)} items/s`,
    'Redis commands per poll (new / 304 / all seen)': `${(cNew / SOURCES).toFixed(1)} / ${(c304 / SOURCES).toFixed(1)} / ${(cSeen / SOURCES).toFixed(1)} (workers' shared connection, BullMQ's included)`,
  });
  if (!PIPELINE_ONLY) {
    // Memory: the de-duplication index (per-source seen buckets + the cross-source URL buckets + the trim cursors), and the drafts.
    const k = runtime.ctx.keys;
    const indexKeys = [...sources.flatMap((s) => seenBucketKeys(k, s.id)), ...Array.from({ length: URL_BUCKETS }, (_, b) => k.urlIndex(b)), k.seenTrim];
    let seenBytes = 0;
    for (const key of indexKeys) seenBytes += Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
    const draftIds = await redis.zrange(runtime.ctx.keys.review, 0, 99);
    let draftBytes = 0;
    for (const id of draftIds) draftBytes += Number(await redis.call('MEMORY', 'USAGE', runtime.ctx.keys.draft(id)));

    // The ceiling: raw BullMQ addBulk of one job per item, with an item-sized payload, in the same run.
    const scratch = new Queue('bench-ceiling', { connection: redis, prefix });
    const payload = { source: 'farm-0', item: { key: 'guid:farm-0-1', title: 'Farm 0 story 1: a headline of realistic length about chips and clouds', url: 'https://farm0.example/2026/11/story-1', summary: 'x'.repeat(200) } };
    const total = SOURCES * ITEMS;
    const tBulk = await timed('addBulk ceiling', async () => {
      for (let i = 0; i < total; i += 1000) await scratch.addBulk(Array.from({ length: Math.min(1000, total - i) }, () => ({ name: 'item', data: payload })));
    });
    await scratch.obliterate({ force: true });
    await scratch.close();

    const ceiling = total / tBulk;
    Object.assign(results, {
      'Redis bytes per seen item (dedupe index)': `${(seenBytes / created).toFixed(1)}`,
      'Redis bytes per draft': `${Math.round(draftBytes / Math.max(1, draftIds.length))}`,
      'BullMQ addBulk ceiling': `${Math.round(ceiling)} jobs/s`,
      'end-to-end / ceiling': `${((endToEnd / ceiling) * 100).toFixed(0)}%`,
    });
  }
} finally {
  await runtime.stop();
  let cursor = '0';
  do {
    const [next, keys] = (await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000)) as [string, string[]];
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
  farm.kill();
}
const width = Math.max(...Object.keys(results).map((k) => k.length));
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(width)}  ${v}`);
