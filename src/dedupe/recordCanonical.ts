import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';

export interface CanonicalOutcome {
  /** Set when another draft already holds this article: this draft was folded into it as related coverage. */
  foldedInto?: string;
}

/**
 * The enrich stage found the article's canonical URL for a draft. Contract (the identity work fills it in):
 * claims the canonical URL's digest for the draft in `keys.urlDrafts`; when another live draft already
 * holds it, this draft becomes related coverage of that one (never a second draft) and `foldedInto` says so.
 */
export async function recordCanonical(_redis: RedisClient, _keys: Keys, _draftId: string, _canonicalUrl: string, _now: number): Promise<CanonicalOutcome> {
  return {};
}
