// npm run bench:peer: newsboat (Debian's 2.21) against the same feed farm as bench/pipeline.ts, printed beside
// our own figures from the same run. Wall is the whole `newsboat -x reload`; net takes off newsboat's start-up
// (`-x print-unread` on the cache that reload starts from). Asserts nothing (see README "Performance").
//
// newsboat 2.21 sends no validators on its first re-poll (a later release fixed it), so its second reload is the
// already-seen path (200s, every item seen) and its 304 path is measured on the third reload; the farm's counters
// printed under the table show which path each reload took.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SOURCES = Number(process.env.BENCH_SOURCES ?? 1000);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 20);
const THREADS = Number(process.env.BENCH_PEER_THREADS ?? 16);
const NEWSBOAT = process.env.BENCH_NEWSBOAT ?? 'newsboat';
const STARTUP_RUNS = 3;

type Counters = { requests: number; ok200: number; notModified304: number; withIfNoneMatch: number; withIfModifiedSince: number };
type Run = { seconds: number; stdout: string };
type Row = { label: string; unit: string; ours: number; wall: number; net: number | undefined };

function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv, stderr: 'inherit' | 'pipe' = 'pipe'): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', stderr] });
    let stdout = '';
    let errors = '';
    child.stdout!.on('data', (d) => (stdout += String(d)));
    child.stderr?.on('data', (d) => (errors += String(d)));
    child.once('error', (e) => reject(new Error(`could not run ${command}: ${e.message} (Debian: apt-get install -y newsboat)`)));
    child.once('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      if (code === 0) resolve({ seconds, stdout });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${(errors || stdout).trim().slice(0, 500)}`));
    });
  });
}

function subtractCounters(after: Counters, before: Counters): Counters {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as keyof Counters]])) as Counters;
}

function describeCounters(c: Counters): string {
  return `${c.requests} requests, ${c.ok200} × 200, ${c.notModified304} × 304 (${c.withIfNoneMatch} sent If-None-Match, ${c.withIfModifiedSince} If-Modified-Since)`;
}

// bench/pipeline.ts prints `label  value` lines; the three polling rows carry their figure first.
function readPipelineFigure(output: string, label: string): number {
  const line = output.split('\n').find((l) => l.startsWith(label));
  const figure = Number(/^\s*(\d+(?:\.\d+)?)/.exec(line?.slice(label.length) ?? '')?.[1]);
  if (!Number.isFinite(figure)) throw new Error(`bench/pipeline.ts printed no "${label}" row:\n${output}`);
  return figure;
}

function formatRate(value: number | undefined, unit: string): string {
  return value === undefined ? 'n/a (start-up ≥ wall)' : `${Math.round(value)} ${unit}`;
}

// --- newsboat against the farm ---
const farm = spawn(process.execPath, ['--import', 'tsx', 'bench/farm.ts'], { env: { ...process.env, SOURCES: String(SOURCES), ITEMS: String(ITEMS) }, stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve) => farm.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
const origin = `http://127.0.0.1:${port}`;
const dir = await mkdtemp(join(tmpdir(), 'sd-bench-peer-'));
const urls = join(dir, 'urls');
const config = join(dir, 'config');
const cache = join(dir, 'cache.db');
await writeFile(urls, Array.from({ length: SOURCES }, (_, i) => `${origin}/feed/${i}\n`).join(''));
// No browser: -x never opens one. HOME and XDG point into the temp dir so newsboat keeps nothing of the user's.
await writeFile(config, `reload-threads ${THREADS}\n`);
const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config-home'), XDG_DATA_HOME: join(dir, 'data-home') };
const common = ['-u', urls, '-c', cache, '-C', config];

async function readCounters(): Promise<Counters> {
  return (await (await fetch(`${origin}/counters`)).json()) as Counters;
}

// Start-up alone on the cache as it stands: newsboat loads the cache, counts unread items, and exits. Each
// run returns its time; the reload's start-up is the fastest of those before and after it (the cache is the
// same unless the reload added items), since other work on the machine only ever adds to it.
async function timeStartups(): Promise<{ seconds: number[]; unread: number }> {
  const runs: Run[] = [];
  for (let i = 0; i < STARTUP_RUNS; i++) runs.push(await runCommand(NEWSBOAT, ['-x', 'print-unread', ...common], env));
  const unread = Number(/(\d+) unread/.exec(runs[0]!.stdout)?.[1] ?? 0);
  return { seconds: runs.map((r) => r.seconds), unread };
}

async function measureReload(label: string): Promise<{ wall: number; startup: number; unreadBefore: number; unreadAfter: number; counters: Counters }> {
  const before = await timeStartups();
  const countersBefore = await readCounters();
  const reload = await runCommand(NEWSBOAT, ['-x', 'reload', ...common], env);
  const counters = subtractCounters(await readCounters(), countersBefore);
  const after = await timeStartups();
  // A first fill starts from an empty cache: only the runs before it are its start-up.
  const startup = Math.min(...before.seconds, ...(after.unread === before.unread ? after.seconds : []));
  console.error(`newsboat ${label}: ${reload.seconds.toFixed(2)} s wall, start-up ${startup.toFixed(2)} s (runs ${[...before.seconds, ...after.seconds].map((x) => x.toFixed(2)).join(', ')}); farm: ${describeCounters(counters)}`);
  return { wall: reload.seconds, startup, unreadBefore: before.unread, unreadAfter: after.unread, counters };
}

let first: Awaited<ReturnType<typeof measureReload>>;
let second: typeof first;
let third: typeof first;
try {
  first = await measureReload('first reload (new items)');
  second = await measureReload('second reload (no validators: already seen)');
  third = await measureReload('third reload (validators: 304)');
} finally {
  farm.kill();
  await rm(dir, { recursive: true, force: true });
}

// --- our pipeline, same rows, same run (its own farm, after newsboat's has stopped) ---
const ours = await runCommand(process.execPath, ['--import', 'tsx', 'bench/pipeline.ts'], { ...process.env, BENCH_ROWS: 'pipeline', BENCH_SOURCES: String(SOURCES), BENCH_ITEMS: String(ITEMS) }, 'inherit');

const newItems = first.unreadAfter - first.unreadBefore;
const seenItems = second.counters.ok200 * ITEMS;
const polls304 = third.counters.notModified304;
// Net is undefined when start-up is as long as the whole reload (a loaded machine): no figure beats a wrong one.
const rate = (count: number, seconds: number): number | undefined => (seconds > 0 ? count / seconds : undefined);
const rows: Row[] = [
  { label: 'new items (first fill)', unit: 'items/s', ours: readPipelineFigure(ours.stdout, 'new items → drafts in review queue'), wall: newItems / first.wall, net: rate(newItems, first.wall - first.startup) },
  { label: 'unchanged 304 polls', unit: 'polls/s', ours: readPipelineFigure(ours.stdout, '304 polls'), wall: polls304 / third.wall, net: rate(polls304, third.wall - third.startup) },
  { label: 'already-seen items (200, all seen)', unit: 'items/s', ours: readPipelineFigure(ours.stdout, 'already-seen items (200, all seen)'), wall: seenItems / second.wall, net: rate(seenItems, second.wall - second.startup) },
];

console.log(`${SOURCES} sources × ${ITEMS} items; newsboat ${THREADS} reload-threads; start-up (-x print-unread, fastest run) ${first.startup.toFixed(2)} s on the empty cache, ${second.startup.toFixed(2)} s and ${third.startup.toFixed(2)} s on the full one`);
console.log('');
console.log('| row | Signal Desk | newsboat wall | newsboat net | ratio (ours / newsboat net) |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  const ratio = r.net === undefined ? 'n/a' : `${(r.ours / r.net).toFixed(2)}×`;
  console.log(`| ${r.label} | ${formatRate(r.ours, r.unit)} | ${formatRate(r.wall, r.unit)} | ${formatRate(r.net, r.unit)} | ${ratio} |`);
}
console.log('');
console.log('Farm counters for newsboat (per reload):');
console.log(`  first reload:  ${describeCounters(first.counters)}; ${newItems} new items in its cache`);
console.log(`  second reload: ${describeCounters(second.counters)}; ${second.unreadAfter - second.unreadBefore} new items (2.21 sends no validators on the first re-poll)`);
console.log(`  third reload:  ${describeCounters(third.counters)}; the 304 row is measured here`);
if (newItems !== SOURCES * ITEMS) console.log(`  note: newsboat stored ${newItems} of ${SOURCES * ITEMS} items`);
if (second.counters.ok200 !== SOURCES) console.log(`  note: the second reload had ${second.counters.ok200} of ${SOURCES} 200s; the already-seen row counts only those`);
if (polls304 !== SOURCES) console.log(`  note: the third reload had ${polls304} of ${SOURCES} 304s; the 304 row counts only those`);
