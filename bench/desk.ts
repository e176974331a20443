// npm run bench:desk: the desk's server over a large review queue, on the Redis at REDIS_URL. Prints
// latency and throughput figures; asserts nothing (see README "Performance").
import { randomBytes } from 'node:crypto';
import { addUser } from '../src/auth/userStore.ts';
import { loadSettings } from '../src/config/settings.ts';
import { commitDrafts } from '../src/dedupe/seenStore.ts';
import { ageRank, reviewRank } from '../src/drafts/score.ts';
import { toDraft } from '../src/drafts/toDraft.ts';
import { createLogger } from '../src/log.ts';
import { createRedis } from '../src/queue/connection.ts';
import { createKeys } from '../src/queue/keys.ts';
import { startWebServer } from '../src/web/startServer.ts';

const DRAFTS = Number(process.env.BENCH_DRAFTS ?? 20_000);
const APPROVALS = Number(process.env.BENCH_APPROVALS ?? 500);
const prefix = `{sd-bench-desk-${randomBytes(3).toString('hex')}}`;
const settings = loadSettings({ ...process.env, SIGNAL_DESK_PREFIX: prefix, SIGNAL_DESK_LOG_LEVEL: 'silent' });
const redis = createRedis(settings.redisUrl);
const keys = createKeys(prefix);
const now = Date.now();

// Seed the review queue as the ingest worker would: 100 sources, 20 categories, one rare tag.
for (let start = 0; start < DRAFTS; start += 500) {
  const bySource = new Map<string, Parameters<typeof commitDrafts>[3]>();
  for (let i = start; i < Math.min(DRAFTS, start + 500); i++) {
    const source = { id: `src-${i % 100}`, name: `Source ${i % 100}`, url: `https://pub${i % 100}.example/feed`, weight: 0.3 + (i % 7) / 10, category: `Category ${i % 20}`, tags: [] };
    const d = toDraft({ key: `k${i}`, guid: `k${i}`, url: `https://pub${i % 100}.example/${i}`, title: `Headline number ${i} about infrastructure`, author: null, publishedAt: new Date(now - (i % 5000) * 60_000).toISOString(), updatedAt: null, categories: i % 1000 === 0 ? ['rare'] : ['common'], summary: `Excerpt ${i}` }, source, new Date(now).toISOString());
    const list = bySource.get(source.id) ?? [];
    list.push({ itemHash: `h${i}`, urlHash: undefined, draftId: d.id, rank: reviewRank(d.score, d.discoveredAt), age: ageRank(d.publishedAt, d.discoveredAt), json: JSON.stringify(d) });
    bySource.set(source.id, list);
  }
  for (const [id, records] of bySource) await commitDrafts(redis, keys, id, records, now, 86_400_000 * 90);
}
const { token } = await addUser(redis, keys, 'bench', 'editor', new Date());
const server = await startWebServer(settings, { port: 0, host: '127.0.0.1', logger: createLogger('silent') });
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const get = async (path: string) => (await fetch(`${server.url}${path}`, { headers: auth })).json();

async function latency(path: string, n = 50): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await get(path);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return `p50 ${times[Math.floor(n * 0.5)]!.toFixed(1)} ms, p95 ${times[Math.floor(n * 0.95)]!.toFixed(1)} ms`;
}

const results: Record<string, string> = {};
results[`first page of ${DRAFTS} pending (limit 50)`] = await latency('/api/drafts?limit=50');
results['first page sorted by age'] = await latency('/api/drafts?limit=50&sort=age');
results['filter by category (1 in 20)'] = await latency('/api/drafts?limit=50&category=Category%207');
results['filter by a rare tag (scan budget 5,000)'] = await latency('/api/drafts?limit=50&tag=rare', 20);

let t = performance.now();
let pages = 0;
let seen = 0;
let cursor: string | null = null;
do {
  const page: { drafts: unknown[]; nextCursor: string | null } = await get(`/api/drafts?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
  seen += page.drafts.length;
  pages++;
  cursor = page.nextCursor;
} while (cursor);
results['page through the whole queue (limit 200)'] = `${seen} drafts in ${pages} pages, ${((performance.now() - t) / 1000).toFixed(2)} s`;

// Approvals: edit then approve, 8 editors at once, each on its own drafts.
const ids: string[] = [];
cursor = null;
do {
  const page: { drafts: { id: string }[]; nextCursor: string | null } = await get(`/api/drafts?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
  ids.push(...page.drafts.map((d) => d.id));
  cursor = page.nextCursor;
} while (cursor && ids.length < APPROVALS);
const fields = { category: 'Bench', horizon: 'Short term', whyNow: 'Because.', whyImportant: 'It matters.', editorialConfidence: 'Medium', structuralImpact: 'Low' };
t = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < APPROVALS) {
      const id = ids[next++]!;
      const edited = await (await fetch(`${server.url}/api/drafts/${id}`, { method: 'PATCH', headers: auth, body: JSON.stringify({ version: 1, ...fields }) })).json();
      const res = await fetch(`${server.url}/api/drafts/${id}/approve`, { method: 'POST', headers: auth, body: JSON.stringify({ version: edited.version }) });
      if (!res.ok) throw new Error(`approve ${id}: ${res.status} ${await res.text()}`);
    }
  }),
);
const s = (performance.now() - t) / 1000;
results['edit + approve, 8 at once'] = `${APPROVALS} signals in ${s.toFixed(2)} s = ${Math.round(APPROVALS / s)} signals/s (${Math.round((2 * APPROVALS) / s)} writes/s)`;
results['signals in the stream'] = String(await redis.xlen(keys.signals));
results['/signals.json (50 items)'] = await latency('/signals.json', 50);
results['server process RSS'] = `${Math.round(process.memoryUsage().rss / 1048576)} MiB (bench, server and client in one process)`;
const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
results['Redis used_memory (whole server)'] = `${Math.round(used / 1048576)} MiB`;

await server.close();
let c = '0';
do {
  const [n, found] = await redis.scan(c, 'MATCH', `${prefix}*`, 'COUNT', 1000);
  c = n;
  if (found.length) await redis.del(...found);
} while (c !== '0');
await redis.quit();

const width = Math.max(...Object.keys(results).map((k) => k.length));
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(width)}  ${v}`);
