// npm run bench: the real workers against a local feed farm, on the Redis at REDIS_URL. Prints throughput
// and memory figures; asserts nothing (see README "Performance").
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { seenBucketKeys, URL_BUCKETS } from '../src/dedupe/seenIndex.ts';
import { createRedis } from '../src/queue/connection.ts';
import { startRuntime } from '../workers/runtime.ts';
import { benchSettings, countCommands, deletePrefix, describePipelineRows, farmSources, measurePipelineRows, printTable, secondsSince, startFarm } from './harness.ts';

const SOURCES = Number(process.env.BENCH_SOURCES ?? 1000);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 20);
// BENCH_ROWS=pipeline: the three polling rows only (bench/peer.ts runs them beside newsboat), no memory or ceiling.
const PIPELINE_ONLY = process.env.BENCH_ROWS === 'pipeline';
// BENCH_PROFILE=path: a CPU profile of the steady state alone (the 304 and all-seen rows), written to path.
const PROFILE = process.env.BENCH_PROFILE;
// Every stage on, as the targets say (BENCH_ENRICH=off for the feed pipeline alone): the items link to
// article pages the farm serves, enrichment reads them, and annotation and stories run in their own queues.
const ENRICH = (process.env.BENCH_ENRICH ?? 'on') !== 'off';
const prefix = `{sd-bench-${randomBytes(3).toString('hex')}}`;

const farm = await startFarm(SOURCES, ITEMS, ENRICH);
const settings = benchSettings(prefix, ENRICH);
const sources = farmSources(SOURCES, farm.origin);
const runtime = await startRuntime(settings, sources);
const redis = createRedis(settings.redisUrl);
// Commands the workers send on their shared connection, counted per row: what a poll costs in Redis, whatever the machine's load.
const commandsSent = countCommands(runtime);

const results: Record<string, string> = {};
try {
  const r = await measurePipelineRows(runtime, sources, farm, { drain: true, commands: commandsSent, raw304: true, profile: PROFILE });
  const { created, tNew, cNew, c304, cSeen } = r;
  const tDrain = r.tDrain!;
  const endToEnd = created / tNew;
  const { '304 polls': polls304, 'raw undici 304s (same farm, same run)': raw304, 'already-seen items (200, all seen)': allSeen, ...newItems } = describePipelineRows(r, SOURCES);
  Object.assign(results, {
    sources: String(SOURCES),
    'items per source': String(ITEMS),
    ...newItems,
    [`then ${ENRICH ? 'enrichment, ' : ''}annotation and stories drained`]: `${tDrain.toFixed(2)} s after the last draft (${Math.round(created / (tNew + tDrain))} drafts/s through every stage)`,
    '304 polls': polls304,
    'raw undici 304s (same farm, same run)': raw304!,
    'already-seen items (200, all seen)': allSeen,
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
    const t = process.hrtime.bigint();
    for (let i = 0; i < total; i += 1000) await scratch.addBulk(Array.from({ length: Math.min(1000, total - i) }, () => ({ name: 'item', data: payload })));
    const tBulk = secondsSince(t);
    console.error(`addBulk ceiling: ${tBulk.toFixed(2)} s`);
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
  await deletePrefix(redis, prefix);
  await redis.quit();
  farm.stop();
}
printTable(results);
