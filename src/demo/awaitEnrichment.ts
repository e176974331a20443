import type { Clock } from '../clock.ts';
import type { DraftSignal } from '../drafts/schema.ts';
import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';
import { getDrafts } from '../review/draftStore.ts';

/** The pending drafts, best first (the review queue's order). */
export async function readPendingDrafts(redis: RedisClient, keys: Keys): Promise<DraftSignal[]> {
  return getDrafts(redis, keys, await redis.zrevrange(keys.byScore('pending'), 0, -1));
}

/**
 * Waits until no pending draft's enrichment is still `pending` (the enrich stage reads article pages after
 * the drafts are in the queue), or `deadlineMs` passes. Drafts without enrichment (no enrich stage) do not
 * hold it up. Returns the drafts as they then are.
 */
export async function awaitEnrichment(redis: RedisClient, keys: Keys, clock: Clock, deadlineMs: number, pauseMs = 100): Promise<{ drafts: DraftSignal[]; settled: boolean }> {
  const until = clock.now() + deadlineMs;
  for (;;) {
    const drafts = await readPendingDrafts(redis, keys);
    const settled = !drafts.some((d) => d.enrichment?.state === 'pending');
    if (settled || clock.now() >= until) return { drafts, settled };
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

/** The draft the demo shows in full: one the article page filled in, with other sources' coverage if any. */
export function pickShowcase(drafts: DraftSignal[]): DraftSignal | undefined {
  const done = drafts.filter((d) => d.enrichment?.state === 'done');
  const fields = (d: DraftSignal) => Object.values(d.enrichment ?? {}).filter((v) => v && typeof v === 'object' && 'rule' in v).length;
  return [...done].sort((a, b) => b.coverage.length - a.coverage.length || fields(b) - fields(a))[0];
}
