import type { RedisClient } from '../dedupe/seenStore.ts';
import type { Keys } from '../queue/keys.ts';

/** What the poll worker remembers about a source between polls (one Redis hash per source). */
export interface SourceState {
  /** The URL the validators belong to; validators for another URL are not sent. */
  validatorsUrl?: string;
  etag?: string;
  lastModified?: string;
  /** Set when the feed answered with a permanent redirect (301/308): where it lives now. */
  movedTo?: string;
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  lastOutcome?: string;
  lastCode?: string;
  lastMessage?: string;
  lastStatus?: string;
  lastNewItems?: string;
}

export async function readSourceState(redis: RedisClient, keys: Keys, sourceId: string): Promise<SourceState> {
  return (await redis.hgetall(keys.sourceState(sourceId))) as SourceState;
}

/** Validators to send for `url`: only those recorded for that same URL (RFC 9110 §13.1 is per resource). */
export function validatorsFor(state: SourceState, url: string): { etag?: string; lastModified?: string } {
  if (state.validatorsUrl !== url) return {};
  return { ...(state.etag ? { etag: state.etag } : {}), ...(state.lastModified ? { lastModified: state.lastModified } : {}) };
}

export async function writeSourceState(redis: RedisClient, keys: Keys, sourceId: string, update: Partial<Record<keyof SourceState, string | null>>): Promise<void> {
  const set: Record<string, string> = {};
  const del: string[] = [];
  for (const [k, v] of Object.entries(update)) {
    if (v === null) del.push(k);
    else if (v !== undefined) set[k] = v;
  }
  const tx = redis.multi();
  if (Object.keys(set).length) tx.hset(keys.sourceState(sourceId), set);
  if (del.length) tx.hdel(keys.sourceState(sourceId), ...del);
  await tx.exec();
}
