import { Enrichment, type DraftSignal } from '../drafts/schema.ts';
import { ageRank, reviewRank } from '../drafts/score.ts';
import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';
import { applyDraftChanges, getDraft } from '../review/draftStore.ts';

export const ENRICH_ACTOR = 'enrichment';
const ATTEMPTS = 5;

export interface EnrichmentWrite {
  enrichment: Enrichment;
  /** The excerpt the robots directives leave (undefined: unchanged). */
  excerpt?: string | null;
  /** The headline, when the robots directives change it too (robotsRules.ts headlineAfterRobots; undefined: unchanged). */
  headline?: string;
}

/**
 * Writes an enrichment onto a pending draft through the desk's write path (version checked, audited as
 * "enriched" by "enrichment", claims ignored, status unchanged), re-reading and retrying when an editor
 * changed the draft in between; then tells open desk pages. A draft that is gone or no longer pending is
 * left as it is.
 */
export async function writeEnrichment(redis: RedisClient, keys: Keys, draftId: string, change: EnrichmentWrite | ((draft: DraftSignal) => EnrichmentWrite), now: number): Promise<'written' | 'skipped'> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const draft = await getDraft(redis, keys, draftId);
    if (!draft || draft.status !== 'pending') return 'skipped';
    const write = typeof change === 'function' ? change(draft) : change;
    const at = new Date(now).toISOString();
    const fields = ['enrichment', ...(write.excerpt !== undefined && write.excerpt !== draft.excerpt ? ['excerpt'] : []), ...(write.headline !== undefined && write.headline !== draft.headline ? ['headline'] : [])];
    // The coverage list is joined on read, never written back with the draft.
    const { coverage: _coverage, ...stored } = { ...draft, version: draft.version + 1, updatedAt: at, enrichment: write.enrichment, ...(write.excerpt !== undefined ? { excerpt: write.excerpt } : {}), ...(write.headline !== undefined ? { headline: write.headline } : {}) };
    const next = stored as DraftSignal;
    const result = await applyDraftChanges(redis, keys, ENRICH_ACTOR, now, [
      {
        expectedVersion: draft.version,
        next,
        scoreRank: reviewRank(next.score, next.discoveredAt),
        ageRank: ageRank(next.publishedAt, next.discoveredAt),
        audit: { at, actor: ENRICH_ACTOR, action: 'enriched', version: next.version, fields, ...(write.enrichment.reason ? { reason: `${write.enrichment.state}: ${write.enrichment.reason}` } : { reason: write.enrichment.state }) },
        claim: 'none',
      },
    ]);
    if (result.ok) {
      await redis.publish(keys.deskEvents, JSON.stringify({ type: 'enriched', draftId, actor: ENRICH_ACTOR }));
      return 'written';
    }
    if (result.reason === 'missing') return 'skipped';
  }
  throw new Error(`draft ${draftId} kept changing while its enrichment was written (${ATTEMPTS} tries); the job retries`);
}

/** The state of an enrichment that read nothing (refused, failed, not HTML), with what is known of the answer; every field empty (the schema's defaults). */
export function unreadEnrichment(state: 'refused' | 'failed' | 'non_html', reason: string | null, now: number, page: { finalUrl?: string | null; contentType?: string | null } = {}): Enrichment {
  return Enrichment.parse({
    state,
    reason: reason?.slice(0, 500) ?? null,
    at: new Date(now).toISOString(),
    finalUrl: page.finalUrl ?? null,
    contentType: page.contentType?.slice(0, 200) ?? null,
  });
}
