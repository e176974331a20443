import type { RedisClient } from '../redisClient.ts';
import type { Keys } from '../queue/keys.ts';

/** What the poll worker remembers about a source between polls (one Redis hash per source). */
export interface SourceState {
  /** The URL the validators belong to; validators for another URL are not sent. */
  validatorsUrl?: string;
  etag?: string;
  lastModified?: string;
  /**
   * The ingest (job, or parent of chunks) holding the new items of the response the validators came from,
   * until it completes. A poll that finds it failed sends no validators: items must never hide behind a 304.
   */
  ingestJobId?: string;
  /** When an ingest of this source last failed for good (ISO), and why; cleared by a later ingest that succeeds. */
  ingestFailedAt?: string;
  ingestError?: string;
  /** Set when the feed answered with a permanent redirect (301/308): where it lives now. */
  movedTo?: string;
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  lastOutcome?: string;
  lastCode?: string;
  lastMessage?: string;
  lastStatus?: string;
  lastNewItems?: string;
  /**
   * JSON `{code, message, at}`: the last read feed was recovered (not well-formed XML read leniently, or
   * forbidden characters dropped); a warning, not a failure. Cleared by a clean parse.
   */
  lastWarning?: string;
  // Health and schedule (written by the poll worker and the scheduler sync).
  /** The URL polled now: the configured one, or where a permanent redirect moved it. */
  url?: string;
  /** The configured URL `url` was derived from; when the configuration changes, `url` is dropped. */
  configUrl?: string;
  /** The URL a permanent redirect moved the source away from (reported, so the operator can update the file). */
  movedFrom?: string;
  consecutiveFailures?: string;
  /** The normal interval now in force, ms. */
  intervalMs?: string;
  nextPollAt?: string;
  nextJobId?: string;
  /** Sequence number of the latest poll of the chain that ran; a restarted chain continues after it. */
  pollSeq?: string;
  /** Why the next poll is when it is (code): adaptive, configured, learning, backoff, retry-after, freshness, outage, starting. */
  scheduleReason?: string;
  /** The decision behind nextPollAt with its facts (JSON `ScheduleWhy`, schedule/planNextPoll.ts), for the words. */
  scheduleWhy?: string;
  /** The publishing history the polls have shown (schedule/planNextPoll.ts `PublishingHistory`): dated items, oldest and newest date (ms). */
  historyItems?: string;
  historyFrom?: string;
  historyTo?: string;
  /** '1' when the last poll failed during our own outage (lastCode stays the plain code). */
  lastOutage?: string;
  lastNewItemAt?: string;
  pausedReason?: string;
  pausedAt?: string;
  /** The configured URL when the source was paused: a new URL in the file un-pauses it. */
  pausedUrl?: string;
  /** Set when an operator paused the source (`sources pause`, the API, the Sources page): who. Only a resume un-pauses it; every poll is skipped meanwhile. */
  pausedBy?: string;
}

/** The URL to poll: a recorded permanent redirect, as long as the configured URL is still the one it came from. */
export function effectiveUrl(state: SourceState, configuredUrl: string): string {
  return state.url && state.configUrl === configuredUrl ? state.url : configuredUrl;
}

export async function readSourceState(redis: RedisClient, keys: Keys, sourceId: string): Promise<SourceState> {
  return (await redis.hgetall(keys.sourceState(sourceId))) as SourceState;
}

/** Validators to send for `url`: only those recorded for that same URL (RFC 9110 §13.1 is per resource). */
export function validatorsFor(state: SourceState, url: string): { etag?: string; lastModified?: string } {
  if (state.validatorsUrl !== url) return {};
  return { ...(state.etag ? { etag: state.etag } : {}), ...(state.lastModified ? { lastModified: state.lastModified } : {}) };
}

export type SourceStateUpdate = Partial<Record<keyof SourceState, string | null>>;

export async function writeSourceState(redis: RedisClient, keys: Keys, sourceId: string, update: SourceStateUpdate): Promise<void> {
  await stageSourceState(redis.multi(), keys, sourceId, update).exec();
}

/** Adds the update to a transaction (null deletes a field), so callers can write more in the same round trip. */
export function stageSourceState<T extends ReturnType<RedisClient['multi']>>(tx: T, keys: Keys, sourceId: string, update: SourceStateUpdate): T {
  const set: Record<string, string> = {};
  const del: string[] = [];
  for (const [k, v] of Object.entries(update)) {
    if (v === null) del.push(k);
    else if (v !== undefined) set[k] = v;
  }
  if (Object.keys(set).length) tx.hset(keys.sourceState(sourceId), set);
  if (del.length) tx.hdel(keys.sourceState(sourceId), ...del);
  return tx;
}
