import type { DraftStatus } from '../drafts/schema.ts';

/**
 * Every Redis key Signal Desk writes, in one place. The prefix is hash-tagged ("{sd}") so that all keys
 * of one deployment live in one Redis Cluster slot and multi-key Lua scripts stay legal there.
 * docs/architecture.md lists who writes each key.
 */
export interface Keys {
  prefix: string;
  /** Hash: fetch state of a source (validators, last outcome, recorded redirect). Written by the poll worker. */
  sourceState(sourceId: string): string;
  /** Hash, one of SEEN_BUCKETS per source (dedupe/seenIndex.ts): raw 12-byte item digest → last sighting (minutes). */
  seenBucket(sourceId: string, bucket: number): string;
  /** Hash, one of URL_BUCKETS (dedupe/seenIndex.ts): raw 12-byte URL digest → `<minute>|<draft id>`, across sources. */
  urlIndex(bucket: number): string;
  /** Hash: the trim sweep's cursors (`\u0000urls` → next URL bucket; `<source>\u0000<bucket>` → HSCAN cursor of a large bucket). */
  seenTrim: string;
  /** Legacy sorted set (before the bucketed index; read only by migrateSeenIndex): item digests of a source by last sighting (ms). */
  legacySeen(sourceId: string): string;
  /** Legacy sorted set (read only by migrateSeenIndex): URL digests by last sighting (ms). */
  legacySeenUrls: string;
  /** String: one draft signal as JSON. */
  draft(draftId: string): string;
  /** Sorted set: the review queue, pending drafts ordered by score then recency (= byScore('pending')). */
  review: string;
  /** Sorted set per status: draft ids by review rank (score, then discovery). */
  byScore(status: DraftStatus): string;
  /** Sorted set per status: draft ids by the item's date. */
  byAge(status: DraftStatus): string;
  /** List: audit entries (JSON) of one draft, oldest first. */
  audit(draftId: string): string;
  /** String: the editor's claim on a draft, JSON {user, until}; expires on its own. */
  lock(draftId: string): string;
  /** Stream: published signals, one entry each (field "signal", JSON). Consumers read it with groups. */
  signals: string;
  /** Hash: user name → JSON {name, role, tokenHash, createdAt, revokedAt}. */
  users: string;
  /** String: SHA-256 of an API token → user name. */
  token(tokenHash: string): string;
  /** Hash with TTL: a browser session (user, CSRF token), keyed by the SHA-256 of the cookie's value. */
  session(sessionHash: string): string;
  /** Sorted set: digests of a source's new items, scored by when they were found (last 8 days): new in 24h / 7d. */
  sourceNew(sourceId: string): string;
  /** Sorted set: source id → time of its latest poll, over the outage window. */
  pollsRecent: string;
  /** Sorted set: source id → time, for sources whose latest poll in the window failed with a network error. */
  pollsNetFailed: string;
  /** Semaphore (sorted set, by redis-semaphore, which prefixes "semaphore:"): requests in flight to a host. */
  hostSlots(host: string): string;
  /** String: the reserved start time (ms) of the latest request to a host. */
  hostNext(host: string): string;
  /** String with TTL: a site's robots.txt as read (JSON RobotsFile), keyed by origin. */
  robots(origin: string): string;
  /** Set: ids of the sources that have a chain of polls (so a removed one can be found and stopped). */
  chained: string;
  /** Pub/sub channel: desk changes (claims, decisions) for live pages in every web process. */
  deskEvents: string;
  /** List: other sources' items for the same article as this draft (JSON Coverage), appended by the commit script. */
  coverage(draftId: string): string;
  /** Legacy hash (read only by migrateSeenIndex): URL digest → draft id; now in urlIndex. */
  legacyUrlDrafts: string;
  /** String: hashes of the article page's word shingles (never its text), for the copy guard; lives as long as the draft. */
  shingles(draftId: string): string;
  /** String: written by a scheduling `run` at start; its absence means Redis lost our state (restarted empty, flushed). */
  stateMarker: string;
  /** Hash: the sources configuration a scheduling `run` applied {version, json, hash, appliedAt, appliedBy}; every `run` follows it (config/appliedSources.ts). */
  configSources: string;
  /** Pub/sub channel (not a key): the new version's number, published when a scheduling `run` applies a configuration. */
  configChannel: string;
  /** String: a story for the desk (JSON StoryRecord: members, lead, first seen, latest addition); written by the story stage and by editors' split/move. */
  story(storyId: string): string;
  /** String with the window's TTL: the clusterer's signature of a story (JSON StorySignature). Written by the story stage. */
  storySignature(storyId: string): string;
  /** Sorted set with the window's TTL: story ids listed under one term (word stem, entity, URL digest), scored by last addition. */
  storyTerms(term: string): string;
  /** Hash: term → number of drafts it occurred in (IDF for the clusterer), field "\u0000docs" the number of drafts. */
  storyDf: string;
  /** Sorted set: drafts a rule dropped from a source, member "<rule>\u0000<draft id>", scored by when (last 8 days). Written by the annotate stage (rules/recordRuleDrops.ts). */
  ruleDrops(sourceId: string): string;
  /** Sorted set, PX 8 days: items of a source the draft stage made no draft of, member "<reason>:<item digest>", scored by when first skipped (drafts/recordSkips.ts). Written by the poll and ingest workers. */
  skips(sourceId: string): string;
  /** String with the window's TTL: the story an item (draft id) was placed in, written with the decision (a retried story job does not place it twice). Written by the story stage. */
  storyItem(itemId: string): string;
  /** Mutex (redis-semaphore, which prefixes "mutex:"), short TTL: held by the process making a story decision (stories/storyLock.ts). Written by the story stage. */
  storyLock: string;
  /** String: the category classifier trained on approved signals (JSON model, with its version and sample count). */
  classifier: string;
  /** List: operators' source actions (poll now, pause, resume, disable, enable, remove), newest first, capped (sources/sourceAudit.ts). */
  sourceActions: string;
}

export function createKeys(prefix: string): Keys {
  return {
    prefix,
    sourceState: (id) => `${prefix}:source:${id}`,
    seenBucket: (id, b) => `${prefix}:seen:${id}:${b}`,
    urlIndex: (b) => `${prefix}:urls:${b}`,
    seenTrim: `${prefix}:seen-trim`,
    legacySeen: (id) => `${prefix}:seen:${id}`,
    legacySeenUrls: `${prefix}:seen-urls`,
    draft: (id) => `${prefix}:draft:${id}`,
    review: `${prefix}:review`,
    byScore: (status) => (status === 'pending' ? `${prefix}:review` : `${prefix}:drafts:score:${status}`),
    byAge: (status) => `${prefix}:drafts:age:${status}`,
    audit: (id) => `${prefix}:audit:${id}`,
    lock: (id) => `${prefix}:lock:${id}`,
    signals: `${prefix}:signals`,
    users: `${prefix}:users`,
    token: (hash) => `${prefix}:token:${hash}`,
    session: (hash) => `${prefix}:session:${hash}`,
    sourceNew: (id) => `${prefix}:source-new:${id}`,
    pollsRecent: `${prefix}:polls:recent`,
    pollsNetFailed: `${prefix}:polls:net-failed`,
    chained: `${prefix}:sources:chained`,
    robots: (origin) => `${prefix}:robots:${origin}`,
    hostSlots: (host) => `${prefix}:host-slots:${host}`,
    hostNext: (host) => `${prefix}:host-next:${host}`,
    deskEvents: `${prefix}:desk-events`,
    stateMarker: `${prefix}:state-marker`,
    configSources: `${prefix}:config:sources`,
    configChannel: `${prefix}:config:sources:applied`,
    coverage: (id) => `${prefix}:coverage:${id}`,
    legacyUrlDrafts: `${prefix}:url-drafts`,
    shingles: (id) => `${prefix}:shingles:${id}`,
    story: (id) => `${prefix}:story:${id}`,
    storySignature: (id) => `${prefix}:story-sig:${id}`,
    storyTerms: (term) => `${prefix}:story-terms:${term}`,
    storyDf: `${prefix}:story-df`,
    storyItem: (id) => `${prefix}:story-item:${id}`,
    storyLock: `${prefix}:story-lock`,
    classifier: `${prefix}:classifier`,
    ruleDrops: (id) => `${prefix}:rule-drops:${id}`,
    skips: (id) => `${prefix}:skips:${id}`,
    sourceActions: `${prefix}:source-actions`,
  };
}
