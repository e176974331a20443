/**
 * Every Redis key Signal Desk writes, in one place. The prefix is hash-tagged ("{sd}") so that all keys
 * of one deployment live in one Redis Cluster slot and multi-key Lua scripts stay legal there.
 * docs/architecture.md lists who writes each key.
 */
export interface Keys {
  prefix: string;
  /** Hash: fetch state of a source (validators, last outcome, recorded redirect). Written by the poll worker. */
  sourceState(sourceId: string): string;
  /** Sorted set: digests of the item keys seen from a source, scored by last sighting (ms). */
  seen(sourceId: string): string;
  /** Sorted set: digests of normalised item URLs that have a draft, across sources. */
  seenUrls: string;
  /** String: one draft signal as JSON. */
  draft(draftId: string): string;
  /** Sorted set: the review queue, pending drafts ordered by score then recency. */
  review: string;
}

export function createKeys(prefix: string): Keys {
  return {
    prefix,
    sourceState: (id) => `${prefix}:source:${id}`,
    seen: (id) => `${prefix}:seen:${id}`,
    seenUrls: `${prefix}:seen-urls`,
    draft: (id) => `${prefix}:draft:${id}`,
    review: `${prefix}:review`,
  };
}
