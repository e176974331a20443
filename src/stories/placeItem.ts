import { ALREADY_PLACED, decideStory, STORY_RULES, type PreparedItem } from './assignStory.ts';
import { featuresOf, observedTerms } from './features.ts';
import { addToSignature, readSignature, startSignature, vectorOf, type Signature } from './signature.ts';
import type { StoryConfig, StoryDecision, StoryItem, StoryStore } from './types.ts';

/** Story ids read per looked-up term (most recent first). */
export const PER_TERM = 20;
/** Stories compared with an item at most: retrieval is bounded whatever the window holds. */
export const CANDIDATES_MAX = 24;
/** The item's heaviest terms it is looked up and listed under (besides its URL digests). */
export const INDEX_TERMS = 14;

/**
 * Places one item: reads document frequencies and the stories listed under its heaviest terms (bounded: at
 * most `PER_TERM` per term and `CANDIDATES_MAX` in all, the ones sharing most weight first), decides (pure
 * `decideStory`), and records the decision (the story's new signature, its postings, the item's terms).
 * Four store round trips. Placing an item again (a retried job) finds it in its story and records nothing. The same code for the workers (Redis store, one at a time across processes: the
 * story queue's global concurrency is 1) and for `signal-desk cluster --jsonl` (memory store).
 */
export async function placeItem(store: StoryStore, given: StoryItem, now: number, config: StoryConfig): Promise<StoryDecision> {
  // An item is never placed before it was published: a date ahead of the clock (a publisher's wrong year or time
  // zone, a hostile feed) counts as now. Kept, it would become its story's latest time, and every later member
  // would look years apart from it (time proximity gone for the whole story).
  const item = given.at > now ? { ...given, at: now } : given;
  const features = featuresOf(item);
  const observed = observedTerms(features);
  const stats = await store.docFrequencies(observed);
  const vector = vectorOf(features, stats.docs, stats.df, { ...STORY_RULES, ...config.rules });
  const prepared: PreparedItem = { item, features, vector };

  const heaviest = [...vector].sort((a, b) => b[1] - a[1]).slice(0, INDEX_TERMS);
  const weightOf = new Map<string, number>([...heaviest, ...features.urls.map((u): [string, number] => [u, 10])]);
  const lookup = [...weightOf.keys()];
  const postings = await store.postings(lookup, now - config.windowMs, PER_TERM);
  const shared = new Map<string, number>();
  for (const [term, ids] of postings) {
    const w = weightOf.get(term) ?? 0;
    for (const id of ids) shared.set(id, (shared.get(id) ?? 0) + w);
  }
  const ids = [...shared].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, CANDIDATES_MAX).map(([id]) => id);
  const signatures = ids.length ? await store.signatures(ids) : [];
  const decision = decideStory(prepared, signatures.map((s) => ({ id: s.id, signature: s })), now, config);
  // A retried job (the worker died after the commit): the item is in its story already; count nothing twice.
  if (decision.reasons[0] === ALREADY_PLACED) return decision;

  const joined = decision.kind === 'join' ? signatures.map(readSignature).find((s): s is Signature => s?.id === decision.storyId) : undefined;
  const signature = joined ? addToSignature(joined, item, features, vector, now) : startSignature(decision.storyId, item, features, vector, now);
  await store.commit({ signature, indexTerms: lookup, observedTerms: observed, itemId: item.id }, now);
  return decision;
}
