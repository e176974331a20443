import { digest } from '../dedupe/itemKey.ts';
import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';
import type { RedisClient } from '../redisClient.ts';
import type { StorySignature, StoryStore } from './types.ts';

/** The document-frequency hash's field holding the number of documents (a NUL never occurs in a term). */
export const DOCS_FIELD = '\u0000docs';
/** At most this many stories stay listed under one term (the most recently added): 10,000 same headlines stay bounded. */
export const POSTINGS_MAX = 2000;
/** The document-frequency hash is started afresh past this many terms (IDF then relearns within hours). */
export const DF_TERMS_MAX = 1_000_000;
/** Terms longer than this are keyed by their digest (a 5,000-character headline makes no 5,000-byte key). */
const TERM_KEY_MAX = 100;

/**
 * Records one decision, all of it at once. KEYS: 1 signature, 2 item marker, 3 df hash, then one posting list
 * per index term. ARGV: 1 window ms, 2 now, 3 signature JSON, 4 story id, 5 number of observed terms, then the
 * observed terms, then the story id under each posting (same for all). The item's terms are counted in the
 * document frequencies only the first time the item is placed (the marker is set NX): a retry counts nothing twice.
 */
const COMMIT = `
local window, now = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[3], 'PX', window)
local first = redis.call('SET', KEYS[2], ARGV[4], 'NX', 'PX', window)
local observed = tonumber(ARGV[5])
if first then
  if redis.call('HLEN', KEYS[3]) > ${DF_TERMS_MAX} then redis.call('DEL', KEYS[3]) end
  for i = 1, observed do redis.call('HINCRBY', KEYS[3], ARGV[5 + i], 1) end
  redis.call('HINCRBY', KEYS[3], ARGV[6 + observed], 1)
else
  redis.call('SET', KEYS[2], ARGV[4], 'PX', window)
end
redis.call('PEXPIRE', KEYS[3], window * 4)
for k = 4, #KEYS do
  redis.call('ZADD', KEYS[k], now, ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', '(' .. (now - window))
  redis.call('ZREMRANGEBYRANK', KEYS[k], 0, -${POSTINGS_MAX + 1})
  redis.call('PEXPIRE', KEYS[k], window)
end
return first and 1 or 0`;

type ScriptClient = { sdCommitStory(numKeys: number, ...args: string[]): Promise<number> };

/**
 * The clusterer's state on Redis (src/stories/types.ts `StoryStore`): posting lists (term → story ids) as
 * sorted sets scored by the story's last addition, trimmed to the window and to POSTINGS_MAX, expiring with the
 * window; signatures as JSON strings expiring with the window; document frequencies in one hash. Each method
 * is one round trip. Only the story stage writes it, one decision at a time (the stories queue's global
 * concurrency is 1), so a read-decide-commit sequence never interleaves with another.
 */
export class RedisStoryStore implements StoryStore {
  private readonly redis: RedisClient;
  private readonly keys: Keys;
  private readonly windowMs: number;

  constructor(redis: RedisClient, keys: Keys, windowMs: number) {
    this.redis = redis;
    this.keys = keys;
    this.windowMs = windowMs;
  }

  async docFrequencies(terms: string[]): Promise<{ docs: number; df: Map<string, number> }> {
    const unique = [...new Set(terms)];
    const raw = await this.redis.hmget(this.keys.storyDf, DOCS_FIELD, ...unique);
    const df = new Map<string, number>();
    unique.forEach((t, i) => {
      const n = Number(raw[i + 1] ?? 0);
      if (n > 0) df.set(t, n);
    });
    return { docs: Number(raw[0] ?? 0), df };
  }

  async postings(terms: string[], since: number, perTerm: number): Promise<Map<string, string[]>> {
    const unique = [...new Set(terms)];
    const out = new Map<string, string[]>();
    if (unique.length === 0 || perTerm <= 0) return out;
    const pipeline = this.redis.pipeline();
    for (const t of unique) pipeline.zrevrangebyscore(this.termKey(t), '+inf', since, 'LIMIT', 0, perTerm);
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([err, ids], i) => {
      if (err) throw err;
      if (Array.isArray(ids) && ids.length > 0) out.set(unique[i]!, ids as string[]);
    });
    return out;
  }

  async signatures(ids: string[]): Promise<StorySignature[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const raw = await this.redis.mget(...unique.map((id) => this.keys.storySignature(id)));
    const out: StorySignature[] = [];
    for (const json of raw) {
      const sig = json ? parseSignature(json) : undefined;
      if (sig) out.push(sig);
    }
    return out;
  }

  async commit(write: { signature: StorySignature; indexTerms: string[]; observedTerms: string[]; itemId: string }, now: number): Promise<void> {
    const index = [...new Set(write.indexTerms)];
    const observed = [...new Set(write.observedTerms)];
    const keyList = [this.keys.storySignature(write.signature.id), this.keys.storyItem(write.itemId), this.keys.storyDf, ...index.map((t) => this.termKey(t))];
    const args = [String(this.windowMs), String(now), JSON.stringify(write.signature), write.signature.id, String(observed.length), ...observed, DOCS_FIELD];
    await withScripts<ScriptClient>(this.redis, { sdCommitStory: COMMIT }).sdCommitStory(keyList.length, ...keyList, ...args);
  }

  /** The story an item was placed in within the window (its marker), if any: a retried job reuses that decision. */
  async placedStory(itemId: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.storyItem(itemId))) ?? undefined;
  }

  /** Removes a story's signature (a singleton whose only member moved to another story): it is no candidate any more. */
  async forget(storyId: string): Promise<void> {
    await this.redis.del(this.keys.storySignature(storyId));
  }

  private termKey(term: string): string {
    return this.keys.storyTerms(term.length > TERM_KEY_MAX ? `#${digest(term, 22)}` : term);
  }
}

function parseSignature(json: string): StorySignature | undefined {
  try {
    const v = JSON.parse(json) as Partial<StorySignature> | null;
    if (!v || typeof v !== 'object' || typeof v.id !== 'string' || typeof v.lastAt !== 'number' || typeof v.firstAt !== 'number' || typeof v.size !== 'number') return undefined;
    return v as StorySignature;
  } catch {
    return undefined;
  }
}
