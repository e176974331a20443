/**
 * The story stage's contract: what the pure clusterer (`assignStory`) reads and decides, and the store it
 * runs against (Redis in the workers, memory in `signal-desk cluster --jsonl`). The clusterer owns the shape
 * of a candidate's signature (`StorySignature`, opaque JSON to a store); a store only keeps signatures,
 * posting lists (term → story ids by last addition) and document frequencies.
 */
import type { StoryRules } from './assignStory.ts';

/** One item to place in a story: a new draft (or the scorer's line), with its text features already computed. */
export interface StoryItem {
  /** Draft id (or the scorer's item id). */
  id: string;
  sourceId: string;
  sourceName: string;
  /** When the item was published (ms), else when it was found. */
  at: number;
  headline: string;
  /** Excerpt, and when enriched the page's description and keywords: all text but the headline. */
  text: string;
  /** Normalised (and canonical, when enriched) URL digests: same digest → same story for certain. */
  urls: string[];
  /** Entity keys (entities/extractEntities.ts `entityKey`). */
  entities: string[];
  /** Stories an editor split this item out of: never joined again. */
  blocked: string[];
}

/** A story's signature as the clusterer keeps it (JSON in the store). Owned by src/stories/signature.ts. */
export type StorySignature = Record<string, unknown> & { id: string; lastAt: number; firstAt: number; size: number };

export interface StoryCandidate {
  id: string;
  signature: StorySignature;
}

export type StoryDecision =
  | { kind: 'join'; storyId: string; similarity: number; reasons: string[] }
  | { kind: 'new'; storyId: string; similarity: number; reasons: string[] };

export interface StoryConfig {
  /** The window, SIGNAL_DESK_STORY_HOURS (default 72): stories with no addition for longer are not candidates. */
  windowMs: number;
  /** Overrides of the decision's weights (`STORY_RULES`); for measurement only, the workers use the defaults. */
  rules?: Partial<StoryRules>;
}

/** Where the clusterer's state lives. Every method is one round trip at most in the Redis store. */
export interface StoryStore {
  /** Document frequencies of terms (for IDF) and the number of documents seen. */
  docFrequencies(terms: string[]): Promise<{ docs: number; df: Map<string, number> }>;
  /** Story ids listed under any of these terms (posting lists), added within the window, most recent first, at most `perTerm` each. */
  postings(terms: string[], since: number, perTerm: number): Promise<Map<string, string[]>>;
  /** Signatures of these stories (missing ones are left out: expired with the window). */
  signatures(ids: string[]): Promise<StorySignature[]>;
  /**
   * Records one decision: the story's new signature, the terms it is listed under (the store refreshes
   * their last-addition score to `now`), the item's terms counted once each in the document frequencies.
   */
  commit(write: { signature: StorySignature; indexTerms: string[]; observedTerms: string[]; itemId: string }, now: number): Promise<void>;
}
