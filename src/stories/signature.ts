import { idf, type ItemFeatures } from './features.ts';
import type { StoryItem, StorySignature } from './types.ts';

/**
 * A story's signature, what the clusterer compares a new item with: the centroid of its members' term vectors
 * (the top terms only), the entities its members name, its URL digests, its publishers, its first and last
 * addition, and the last members' own vectors (so a story that drifts still matches its latest coverage).
 * Bounded whatever the story's size: 10,000 members keep the same few kilobytes.
 */
export interface Signature extends StorySignature {
  /** Sum of the members' unit vectors, top `CENTROID_TERMS` terms. */
  centroid: Record<string, number>;
  /** Entity key → members naming it. */
  entities: Record<string, number>;
  /** URL digests of the members (the most recent `URLS_MAX`). */
  urls: string[];
  /** Source id → source name, the first `SOURCES_MAX` publishers. */
  sources: Record<string, string>;
  /** Publishers beyond `SOURCES_MAX` are counted, not named. */
  moreSources: number;
  /** The last `RECENT_MAX` members' vectors (top `RECENT_TERMS` terms each). */
  recent: Record<string, number>[];
  /** The last `ITEMS_MAX` members' item ids: a retried job finds its item already placed. */
  items: string[];
  /** The first member's headline (for the reasons a join gives). */
  headline: string;
  /** When the story last gained a member (the store's clock, ms): the window counts from here, not from publication times. */
  touchedAt: number;
}

const CENTROID_TERMS = 80;
const RECENT_MAX = 3;
const RECENT_TERMS = 30;
const ENTITIES_MAX = 40;
const URLS_MAX = 100;
const SOURCES_MAX = 50;
const ITEMS_MAX = 50;

/** Field weights of the term vector: a headline word counts for more than an excerpt word. */
export interface VectorWeights {
  headline: number;
  text: number;
  entity: number;
}

export type Vector = Map<string, number>;

/** The item's unit TF-IDF vector over headline words, other words and entities. */
export function vectorOf(f: ItemFeatures, docs: number, df: Map<string, number>, weights: VectorWeights): Vector {
  const v: Vector = new Map();
  const add = (t: string, w: number) => v.set(t, (v.get(t) ?? 0) + w);
  for (const [t, n] of f.headline) add(t, weights.headline * (1 + Math.log(n)));
  for (const [t, n] of f.text) add(t, weights.text * (1 + Math.log(n)));
  for (const e of f.entities) add(e, weights.entity);
  let norm = 0;
  for (const [t, w] of v) {
    const x = w * idf(docs, df.get(t) ?? 0);
    v.set(t, x);
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  for (const [t, w] of v) v.set(t, w / norm);
  return v;
}

/** Cosine of a unit vector with any stored vector. */
export function cosine(v: Vector, other: Record<string, number>): number {
  let dot = 0;
  let norm = 0;
  for (const t in other) {
    const w = other[t]!;
    norm += w * w;
    const x = v.get(t);
    if (x !== undefined) dot += x * w;
  }
  return norm > 0 ? dot / Math.sqrt(norm) : 0;
}

/** The first signature of a story started by this item. */
export function startSignature(id: string, item: StoryItem, f: ItemFeatures, v: Vector, now: number): Signature {
  const empty: Signature = {
    id,
    firstAt: item.at,
    lastAt: item.at,
    size: 0,
    centroid: {},
    entities: {},
    urls: [],
    sources: {},
    moreSources: 0,
    recent: [],
    items: [],
    headline: item.headline.slice(0, 200),
    touchedAt: now,
  };
  return addToSignature(empty, item, f, v, now);
}

/** The signature with one more member (a new object; the old one is not changed). */
export function addToSignature(sig: Signature, item: StoryItem, f: ItemFeatures, v: Vector, now: number): Signature {
  const centroid = new Map(Object.entries(sig.centroid));
  for (const [t, w] of v) centroid.set(t, (centroid.get(t) ?? 0) + w);
  const entities = { ...sig.entities };
  for (const e of f.entities) {
    const key = e.slice(2);
    entities[key] = (entities[key] ?? 0) + 1;
  }
  const sources = { ...sig.sources };
  let moreSources = sig.moreSources;
  if (!(item.sourceId in sources)) {
    if (Object.keys(sources).length < SOURCES_MAX) sources[item.sourceId] = item.sourceName.slice(0, 120);
    else moreSources += 1;
  }
  const urls = [...new Set([...sig.urls, ...f.urls.map((u) => u.slice(2))])].slice(-URLS_MAX);
  return {
    ...sig,
    firstAt: Math.min(sig.firstAt, item.at),
    lastAt: Math.max(sig.lastAt, item.at),
    size: sig.size + 1,
    centroid: top(centroid, CENTROID_TERMS),
    entities: top(new Map(Object.entries(entities)), ENTITIES_MAX),
    urls,
    sources,
    moreSources,
    recent: [...sig.recent, top(v, RECENT_TERMS)].slice(-RECENT_MAX),
    items: [...sig.items.filter((id) => id !== item.id), item.id].slice(-ITEMS_MAX),
    touchedAt: Math.max(sig.touchedAt, now),
  };
}

/** The `n` heaviest entries, weights rounded to 4 decimals (the signature is stored as JSON). */
function top(m: Map<string, number>, n: number): Record<string, number> {
  const entries = [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
  return Object.fromEntries(entries.map(([t, w]) => [t, Math.round(w * 10_000) / 10_000]));
}

/** A stored signature read back (JSON from a store): the fields this clusterer needs, or undefined. */
export function readSignature(raw: StorySignature): Signature | undefined {
  const s = raw as Partial<Signature>;
  if (typeof s.id !== 'string' || typeof s.lastAt !== 'number' || typeof s.firstAt !== 'number' || typeof s.size !== 'number') return undefined;
  const obj = (x: unknown): Record<string, number> => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, number>) : {});
  return {
    ...raw,
    id: s.id,
    firstAt: s.firstAt,
    lastAt: s.lastAt,
    size: s.size,
    centroid: obj(s.centroid),
    entities: obj(s.entities),
    urls: Array.isArray(s.urls) ? s.urls.filter((u): u is string => typeof u === 'string') : [],
    sources: (s.sources && typeof s.sources === 'object' ? s.sources : {}) as Record<string, string>,
    moreSources: typeof s.moreSources === 'number' ? s.moreSources : 0,
    recent: Array.isArray(s.recent) ? s.recent.map(obj) : [],
    items: Array.isArray(s.items) ? s.items.filter((i): i is string => typeof i === 'string') : [],
    headline: typeof s.headline === 'string' ? s.headline : '',
    touchedAt: typeof s.touchedAt === 'number' ? s.touchedAt : s.lastAt,
  };
}
