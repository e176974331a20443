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
import { rebuildSearch } from '../src/search/rebuildSearch.ts';
import { indexKeyList, searchKeys } from '../src/search/searchIndex.ts';
import { startWebServer } from '../src/web/startServer.ts';

const DRAFTS = Number(process.env.BENCH_DRAFTS ?? 100_000);
const APPROVALS = Number(process.env.BENCH_APPROVALS ?? 500);
const prefix = `{sd-bench-desk-${randomBytes(3).toString('hex')}}`;
const settings = loadSettings({ ...process.env, SIGNAL_DESK_PREFIX: prefix, SIGNAL_DESK_LOG_LEVEL: 'silent' });
const redis = createRedis(settings.redisUrl);
const keys = createKeys(prefix);
const now = Date.now();

// Text with a newsroom's shape: a Zipf-distributed vocabulary of 8,000 words (some accented), 5 % CJK headlines,
// 200 tags, a 30-word excerpt. Deterministic.
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const SYLLABLES = ['sem', 'i', 'con', 'duc', 'tor', 'dram', 'chip', 'nvi', 'dia', 'wa', 'fer', 'fab', 'lo', 'gic', 'mem', 'o', 'ry', 'net', 'work', 'cloud', 'ser', 'ver', 'rack', 'pow', 'er', 'grid', 'ba', 'te', 'ry', 'zü', 'rich', 'mün', 'chen', 'sé', 'oul', 'ta', 'ipei', 'lit', 'ho', 'gra', 'phy'];
const VOCAB = Array.from({ length: 8000 }, (_, i) => {
  let w = '';
  for (let n = 2 + (i % 3), x = i * 7919 + 13; n > 0; n--, x = Math.floor(x / SYLLABLES.length) + i) w += SYLLABLES[x % SYLLABLES.length];
  return `${w}${i % 97 === 0 ? '' : i}`.replace(/\d+$/, (d) => (Number(d) % 5 === 0 ? '' : String.fromCharCode(97 + (Number(d) % 26)) + String.fromCharCode(97 + (Math.floor(Number(d) / 26) % 26))));
});
const word = () => VOCAB[Math.min(VOCAB.length - 1, Math.floor(Math.pow(random(), 2.2) * VOCAB.length))]!;
const words = (n: number) => Array.from({ length: n }, word).join(' ');
const CJK = ['台积电', '半导体', '产能', '扩大', '内存', '芯片', '价格', '上涨', '数据中心', '电网'];
const cjk = () => Array.from({ length: 4 }, () => CJK[Math.floor(random() * CJK.length)]).join('');

// Seed the review queue as the ingest worker would: 100 sources, 20 categories, 200 tags (one rare).
const searchRebuild = performance.now();
await rebuildSearch(redis, keys); // a fresh deployment: the (empty) index is marked complete, then kept by every write
const emptyRebuildMs = performance.now() - searchRebuild;
const seedStart = performance.now();
for (let start = 0; start < DRAFTS; start += 500) {
  const bySource = new Map<string, Parameters<typeof commitDrafts>[3]>();
  for (let i = start; i < Math.min(DRAFTS, start + 500); i++) {
    const source = { id: `src-${i % 100}`, name: `Source ${i % 100}`, url: `https://pub${i % 100}.example/feed`, weight: 0.3 + (i % 7) / 10, category: `Category ${i % 20}`, tags: [] };
    const title = i % 20 === 7 ? cjk() : `${words(6)} ${i % 50 === 0 ? 'Zürich' : ''} number ${i}`;
    const d = toDraft({ key: `k${i}`, guid: `k${i}`, url: `https://pub${i % 100}.example/${i}`, title, author: i % 3 ? `Author ${word()}` : null, publishedAt: new Date(now - (i % 5000) * 60_000).toISOString(), updatedAt: null, categories: i % 1000 === 0 ? ['rare'] : [`tag-${i % 199}`], summary: words(30) }, source, new Date(now).toISOString());
    const list = bySource.get(source.id) ?? [];
    list.push({ itemHash: `h${i}`, urlHash: undefined, draftId: d.id, rank: reviewRank(d.score, d.discoveredAt), age: ageRank(d.publishedAt, d.discoveredAt), json: JSON.stringify(d) });
    bySource.set(source.id, list);
  }
  for (const [id, records] of bySource) await commitDrafts(redis, keys, id, records, now, 86_400_000 * 90);
}
const seedSeconds = (performance.now() - seedStart) / 1000;
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
results['filter by a rare tag (1 in 1,000)'] = await latency('/api/drafts?limit=50&tag=rare', 20);

// Search (issue 11): the index in Redis, kept by the commit and the desk's scripts.
results[`seed ${DRAFTS} drafts through the commit script (index included)`] = `${seedSeconds.toFixed(1)} s (${Math.round(DRAFTS / seedSeconds)} drafts/s); empty index marked complete in ${emptyRebuildMs.toFixed(0)} ms`;
const common = word();
const searches: [string, string][] = [
  ['search: a prefix ("semi")', 'q=semi'],
  ['search: a common word, by age', `q=${encodeURIComponent(common)}&sort=age`],
  ['search: an accented word typed without accents ("zurich")', 'q=zurich'],
  ['search: two words ("dram" + "chip" prefixes)', 'q=dram%20chip'],
  ['search: a word and a tag filter', `q=${encodeURIComponent(common)}&tag=tag-7`],
  ['search: CJK without spaces ("半导体")', `q=${encodeURIComponent('半导体')}`],
  ['search: a rare number ("number 99999")', 'q=number%2099999'],
  ['search: no match ("qqqzzz")', 'q=qqqzzz'],
  ['facets (pick lists)', ''],
];
for (const [label, query] of searches) {
  const path = query ? `/api/drafts?limit=50&${query}` : '/api/facets';
  const first: { drafts?: unknown[] } = await get(path);
  results[`${label}${first.drafts ? `, ${first.drafts.length} on page 1` : ''}`] = await latency(path, 30);
}
const s = searchKeys(keys);
const indexBytes = (await Promise.all(indexKeyList(keys).map(async (k) => Number((await redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0')) ?? 0)))).reduce((a, b) => a + b, 0);
results['search index Redis memory'] = `${Math.round(indexBytes / 1048576)} MiB = ${Math.round(indexBytes / DRAFTS)} bytes per draft (${await redis.zcard(s.postings)} postings, ${((await redis.zcard(s.postings)) / DRAFTS).toFixed(1)} a draft)`;
const draftBytes = Number((await redis.call('MEMORY', 'USAGE', keys.draft((await redis.zrange(keys.review, 0, 0))[0]!), 'SAMPLES', '0')) ?? 0);
results['one draft record, for scale'] = `${draftBytes} bytes`;


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
const secs = (performance.now() - t) / 1000;
results['edit + approve, 8 at once'] = `${APPROVALS} signals in ${secs.toFixed(2)} s = ${Math.round(APPROVALS / secs)} signals/s (${Math.round((2 * APPROVALS) / secs)} writes/s)`;
results['signals in the stream'] = String(await redis.xlen(keys.signals));
results['/signals.json (50 items)'] = await latency('/signals.json', 50);
results['server process RSS'] = `${Math.round(process.memoryUsage().rss / 1048576)} MiB (bench, server and client in one process)`;
const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
results['Redis used_memory (whole server)'] = `${Math.round(used / 1048576)} MiB`;
t = performance.now();
const rebuilt = await rebuildSearch(redis, keys);
results['rebuild the search index from the drafts (signal-desk migrate)'] = `${rebuilt.indexed} drafts in ${((performance.now() - t) / 1000).toFixed(1)} s`;

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
