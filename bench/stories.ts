// npm run bench:stories (also the last part of npm run bench): how long one story decision takes (placeItem: document frequencies, postings,
// signatures, the pure decision, the commit) with BENCH_STORY_DRAFTS (50,000) drafts already in the window.
// Synthetic coverage: events of a few specific words each, covered by 1–6 publishers in other words, plus
// common newsroom words. STORE selects the store: "memory" (default); another store registers in `STORES`
// (the Redis store, src/stories/redisStore.ts, is the runtime's).
import { memoryStore } from '../src/stories/memoryStore.ts';
import { redisBenchStore } from './redisStoryStore.ts';
import { placeItem } from '../src/stories/placeItem.ts';
import type { StoryItem, StoryStore } from '../src/stories/types.ts';

const DRAFTS = Number(process.env.BENCH_STORY_DRAFTS ?? 50_000);
const SAMPLES = Number(process.env.BENCH_STORY_SAMPLES ?? 2_000);
const STORE = process.env.STORE ?? 'memory';
const WINDOW_MS = 72 * 3_600_000;

/** Stores by name: each returns a fresh, empty store and a way to drop it. */
export const STORES: Record<string, () => Promise<{ store: StoryStore; close(): Promise<void> }>> = {
  memory: async () => ({ store: memoryStore({ windowMs: WINDOW_MS }), close: async () => {} }),
  redis: () => redisBenchStore(WINDOW_MS),
};

let seed = 42;
const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
const COMMON = 'government officials market week year police court company president minister city report plan deal talks state people million billion first country world'.split(' ');
const SYLLABLES = 'ka ro mi ne su ta lo vi da pe zu ri ko ma ne ba to shi ra gu'.split(' ');
const word = () => Array.from({ length: 2 + Math.floor(rand() * 2) }, () => pick(SYLLABLES)).join('') + 'x';

function makeItems(count: number, start: number): StoryItem[] {
  const items: StoryItem[] = [];
  const step = WINDOW_MS / (count + SAMPLES) / 1.1;
  let event: string[] = [];
  let left = 0;
  for (let i = 0; i < count; i++) {
    if (left-- <= 0) {
      event = Array.from({ length: 6 }, word);
      left = Math.floor(rand() * 6);
    }
    const words = [...Array.from({ length: 4 }, () => pick(event)), ...Array.from({ length: 3 }, () => pick(COMMON))];
    items.push({
      id: `d_${start + i}`,
      sourceId: `src-${Math.floor(rand() * 300)}`,
      sourceName: 'Bench source',
      at: (start + i) * step,
      headline: words.join(' '),
      text: [...Array.from({ length: 6 }, () => pick(event)), ...Array.from({ length: 10 }, () => pick(COMMON))].join(' '),
      urls: [`u${start + i}`],
      entities: [event[0]!, pick(COMMON)],
      blocked: [],
    });
  }
  return items;
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

const make = STORES[STORE];
if (!make) throw new Error(`STORE=${STORE}: unknown store (known: ${Object.keys(STORES).join(', ')})`);
const { store, close } = await make();
const config = { windowMs: WINDOW_MS };
const load = makeItems(DRAFTS, 0);
const loadStart = performance.now();
for (const it of load) await placeItem(store, it, it.at, config);
const loadMs = performance.now() - loadStart;
const times: number[] = [];
let joined = 0;
for (const it of makeItems(SAMPLES, DRAFTS)) {
  const t = performance.now();
  const d = await placeItem(store, it, it.at, config);
  times.push(performance.now() - t);
  if (d.kind === 'join') joined++;
}
await close();
const ms = (x: number) => `${x.toFixed(3)} ms`;
console.log(`stories (${STORE} store): ${DRAFTS.toLocaleString('en')} drafts in the window (loaded in ${(loadMs / 1000).toFixed(1)} s), ${SAMPLES} decisions timed`);
console.log(`  assign median ${ms(percentile(times, 0.5))}, p95 ${ms(percentile(times, 0.95))}, max ${ms(Math.max(...times))}; ${joined} joined a story`);
