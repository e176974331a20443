import { featuresOf, type ItemFeatures } from './features.ts';
import { cosine, readSignature, vectorOf, type Signature, type Vector } from './signature.ts';
import type { StoryCandidate, StoryConfig, StoryDecision, StoryItem } from './types.ts';

/**
 * How a story decision weighs its evidence (rules as data; one configuration for every source and language).
 * - `joinAt`: the score at which an item joins the best story (else it starts its own).
 * - `minText`: text similarity needed whatever else agrees (time and publishers alone never join).
 * - `recentFactor`: a match with one of the story's latest members counts this much of a centroid match.
 * - `hoursScale`: time proximity halves the time bonus every `hoursScale × ln 2` hours apart.
 * - `timeFloor`: the share of text similarity kept however far apart in the window.
 * - `newPublisher` / `samePublisher`: added / taken off when the item's publisher is new to / already in the story.
 * - `headline`, `text`, `entity`: weights in the item's vector of a headline word, another word, an entity (each
 *   also weighed by its inverse document frequency). Pairs of adjacent words were tried and left out: they
 *   lowered recall more than they raised precision.
 */
export const STORY_RULES = {
  headline: 2,
  text: 1,
  entity: 1,
  joinAt: 0.32,
  minText: 0.15,
  recentFactor: 0.9,
  hoursScale: 24,
  timeFloor: 0.6,
  newPublisher: 0.03,
  samePublisher: 0.05,
} as const;
export type StoryRules = { [K in keyof typeof STORY_RULES]: number };

/** The reason of a decision that found the item already in a story (a retried job): nothing is recorded again. */
export const ALREADY_PLACED = 'already in this story';

/** Document frequencies for the item's terms (IDF); without them every term weighs alike. */
export interface TermStats {
  docs: number;
  df: Map<string, number>;
}
const NO_STATS: TermStats = { docs: 0, df: new Map() };

/** An item with its features and unit vector computed once. */
export interface PreparedItem {
  item: StoryItem;
  features: ItemFeatures;
  vector: Vector;
}

export function prepareItem(item: StoryItem, stats: TermStats = NO_STATS, rules: Partial<StoryRules> = {}): PreparedItem {
  const features = featuresOf(item);
  return { item, features, vector: vectorOf(features, stats.docs, stats.df, { ...STORY_RULES, ...rules }) };
}

/**
 * The story decision (pure): the same URL digest joins for certain; otherwise the best-scoring story whose
 * score reaches `joinAt` (text similarity of headline, other text and entities, closer in time and from a
 * different publisher counting for more); otherwise a new story. A story the item was split out of is never
 * joined. Every decision names its reasons.
 */
export function assignStory(item: StoryItem, candidates: StoryCandidate[], now: number, config: StoryConfig, stats?: TermStats): StoryDecision {
  return decideStory(prepareItem(item, stats, config.rules), candidates, now, config);
}

interface Scored {
  sig: Signature;
  score: number;
  text: number;
  hours: number;
  publisher: 'new' | 'same' | 'unknown';
}

export function decideStory(p: PreparedItem, candidates: StoryCandidate[], now: number, config: StoryConfig): StoryDecision {
  const rules: StoryRules = { ...STORY_RULES, ...config.rules };
  const { item } = p;
  const since = now - config.windowMs;
  const blocked = new Set(item.blocked);
  const notes: string[] = [];
  const live: Signature[] = [];
  for (const c of candidates) {
    const sig = readSignature(c.signature);
    if (!sig) continue;
    if (blocked.has(sig.id)) {
      notes.push(`not ${sig.id}: split out of it by an editor`);
      continue;
    }
    if (sig.touchedAt < since) continue;
    live.push(sig);
  }

  const placed = live.find((s) => s.items.includes(item.id));
  if (placed) return { kind: 'join', storyId: placed.id, similarity: 1, reasons: [ALREADY_PLACED, ...notes] };

  const urls = new Set(p.features.urls.map((u) => u.slice(2)));
  const sameLink = urls.size ? live.find((s) => s.urls.some((u) => urls.has(u))) : undefined;
  if (sameLink) return { kind: 'join', storyId: sameLink.id, similarity: 1, reasons: ['same link', ...notes] };

  let best: Scored | undefined;
  for (const sig of live) {
    const s = scoreStory(p, sig, rules);
    if (!best || s.score > best.score || (s.score === best.score && sig.lastAt > best.sig.lastAt)) best = s;
  }
  if (best && best.score >= rules.joinAt && best.text >= rules.minText) {
    return { kind: 'join', storyId: best.sig.id, similarity: round(best.score), reasons: [...explain(p, best), ...notes] };
  }
  const reasons = best ? [`closest ${best.sig.id}: similar ${round(best.score)} (needs ${rules.joinAt})`, ...notes] : ['nothing similar in the window', ...notes];
  return { kind: 'new', storyId: newStoryId(item), similarity: best ? round(best.score) : 0, reasons };
}

function scoreStory(p: PreparedItem, sig: Signature, rules: StoryRules): Scored {
  const centroid = cosine(p.vector, sig.centroid);
  let recent = 0;
  for (const r of sig.recent) recent = Math.max(recent, cosine(p.vector, r));
  const text = Math.max(centroid, rules.recentFactor * recent);
  const at = p.item.at;
  const apartMs = Math.max(0, at - sig.lastAt, sig.firstAt - at);
  const hours = apartMs / 3_600_000;
  const closeness = Math.exp(-hours / rules.hoursScale);
  const publisher = Object.keys(sig.sources).length === 0 ? 'unknown' : p.item.sourceId in sig.sources ? 'same' : 'new';
  const bonus = publisher === 'new' ? rules.newPublisher : publisher === 'same' ? -rules.samePublisher : 0;
  const score = text * (rules.timeFloor + (1 - rules.timeFloor) * closeness) + bonus;
  return { sig, score, text, hours, publisher };
}

/** Named reasons of a join: similarity, the shared words and entities that weighed most, time apart, publisher. */
function explain(p: PreparedItem, s: Scored): string[] {
  const shared = [...p.vector]
    .filter(([t]) => t in s.sig.centroid)
    .sort((a, b) => b[1] * (s.sig.centroid[b[0]] ?? 0) - a[1] * (s.sig.centroid[a[0]] ?? 0));
  const words = shared.filter(([t]) => t.startsWith('w:')).slice(0, 4).map(([t]) => t.slice(2));
  const entities = p.item.entities.filter((e) => (s.sig.entities[e] ?? 0) > 0).slice(0, 3);
  // The score itself is the decision's `similarity`; the reasons say what made it.
  const reasons = [`text ${round(s.text)}`];
  if (words.length) reasons.push(`terms ${words.join(', ')}`);
  if (entities.length) reasons.push(`entities ${entities.join(', ')}`);
  reasons.push(s.hours < 1 ? 'within the hour' : `${Math.round(s.hours)} h apart`);
  if (s.publisher === 'new') reasons.push('another publisher');
  if (s.publisher === 'same') reasons.push('same publisher again');
  return reasons;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The id of the story a `new` decision starts (deterministic: a retried job names the same story). */
export function newStoryId(item: Pick<StoryItem, 'id'>): string {
  return `s_${item.id.replace(/^d_/, '')}`;
}
