import { loadCategoryModel, type CategoryModel } from '../categories/classifier.ts';
import type { TaxonomySource } from '../categories/types.ts';
import type { DraftSignal } from '../drafts/schema.ts';
import { ageRank, reviewRank } from '../drafts/score.ts';
import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';
import { applyDraftChanges, getAudit, getDraft, getDrafts } from '../review/draftStore.ts';
import { SYSTEM_ACTORS } from '../review/systemWrites.ts';
import type { RulesSource } from '../rules/types.ts';
import { getStoryRecords } from '../stories/storyRecords.ts';
import { ANNOTATE_ACTOR, annotateDraft, type AnnotateInputs } from './annotateDraft.ts';

const ATTEMPTS = 5;
/** Draft writes in flight at once (each one script call; ioredis pipelines them). */
const PARALLEL = 32;

export interface AnnotateContext {
  redis: RedisClient;
  keys: Keys;
  now: () => number;
  rules: RulesSource;
  taxonomy: TaxonomySource;
  weightOf: (sourceId: string) => number;
  /** The rules matcher (rules/matchRules.ts by default). */
  match?: AnnotateInputs['match'];
}

export interface AnnotateOutcome {
  /** Drafts annotated and still pending, oldest first: the ones the story stage places. */
  annotated: string[];
  dropped: { draftId: string; sourceId: string; rule: string }[];
  /** Drafts left alone: gone, or no longer pending (decided by an editor meanwhile). A draft a rule dropped before is reported in `dropped` again. */
  skipped: number;
}

/**
 * The annotate stage for a batch of drafts (one ingest commit's new drafts, or one enriched draft): each pending
 * draft gets its annotation, rule tags and explained score through the desk's write script as the system actor
 * `annotate` (version checked and bumped, audited `annotated`, claims ignored; an editor's edit read before it
 * still applies, review/systemWrites.ts). A drop rule rejects the draft in the same write (audited, reopenable).
 * A draft an editor changes meanwhile is re-read and annotated again. For `new`, a draft already annotated (a
 * retried job) is not written twice.
 */
export async function annotateDrafts(ctx: AnnotateContext, draftIds: string[], reason: 'new' | 'enriched'): Promise<AnnotateOutcome> {
  const ids = [...new Set(draftIds)];
  const drafts = await getDrafts(ctx.redis, ctx.keys, ids);
  const model = await loadCategoryModel(ctx.redis, ctx.keys);
  const storyIds = [...new Set(drafts.flatMap((d) => (d.story ? [d.story.id] : [])))];
  const stories = await getStoryRecords(ctx.redis, ctx.keys, storyIds);
  const outcome: AnnotateOutcome = { annotated: [], dropped: [], skipped: ids.length - drafts.length };
  const results: ('annotated' | 'skipped' | { rule: string })[] = new Array(drafts.length);
  for (let i = 0; i < drafts.length; i += PARALLEL) {
    await Promise.all(drafts.slice(i, i + PARALLEL).map(async (d, j) => (results[i + j] = await annotateOne(ctx, d, reason, model, stories))));
  }
  const events = ctx.redis.pipeline();
  drafts.forEach((d, i) => {
    const r = results[i]!;
    if (r === 'skipped') outcome.skipped++;
    else if (r === 'annotated') outcome.annotated.push(d.id);
    else outcome.dropped.push({ draftId: d.id, sourceId: d.source.id, rule: r.rule });
    if (r !== 'skipped') events.publish(ctx.keys.deskEvents, JSON.stringify({ type: 'annotated', draftId: d.id, actor: ANNOTATE_ACTOR }));
  });
  if (events.length > 0) await events.exec();
  const at = new Map(drafts.map((d) => [d.id, ageRank(d.publishedAt, d.discoveredAt)]));
  outcome.annotated.sort((a, b) => at.get(a)! - at.get(b)! || a.localeCompare(b));
  return outcome;
}

async function annotateOne(ctx: AnnotateContext, first: DraftSignal, reason: 'new' | 'enriched', model: CategoryModel | null, stories: Awaited<ReturnType<typeof getStoryRecords>>): Promise<'annotated' | 'skipped' | { rule: string }> {
  let draft: DraftSignal | undefined = first;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    // Dropped by a rule already (an earlier attempt of this job that died before reporting, or a re-annotation):
    // reported again, so the drop is counted; the count is idempotent per draft and rule (rules/recordRuleDrops.ts).
    if (draft?.status === 'rejected' && draft.decision?.action === 'drop' && draft.decision.by.startsWith('rule:')) return { rule: draft.decision.by.slice('rule:'.length) };
    if (!draft || draft.status !== 'pending') return 'skipped';
    if (reason === 'new' && draft.annotation) return 'annotated';
    const now = ctx.now();
    const editorFields = draft.version > 1 ? await readEditorFields(ctx, draft.id) : undefined;
    const { next: annotated, fields, dropped } = annotateDraft(draft, { rules: ctx.rules.current(), taxonomy: ctx.taxonomy.current(), model, story: draft.story ? stories.get(draft.story.id) : undefined, weightOf: ctx.weightOf, now, ...(ctx.match ? { match: ctx.match } : {}), ...(editorFields ? { editorFields } : {}) });
    const at = new Date(now).toISOString();
    // The coverage list is joined on read, never written back with the draft.
    const { coverage: _coverage, ...stored } = { ...annotated, version: draft.version + 1, updatedAt: at };
    const next = stored as DraftSignal;
    const result = await applyDraftChanges(ctx.redis, ctx.keys, ANNOTATE_ACTOR, now, [
      {
        expectedVersion: draft.version,
        next,
        scoreRank: reviewRank(next.score, next.discoveredAt),
        ageRank: ageRank(next.publishedAt, next.discoveredAt),
        audit: { at, actor: ANNOTATE_ACTOR, action: dropped ? 'dropped' : 'annotated', version: next.version, fields, reason: dropped ? (next.decision?.reason ?? `rule ${dropped.rule}`) : reason },
        claim: 'none',
      },
    ]);
    if (result.ok) return dropped ? { rule: dropped.rule } : 'annotated';
    if (result.reason === 'missing') return 'skipped';
    draft = await getDraft(ctx.redis, ctx.keys, first.id);
  }
  throw new Error(`draft ${first.id} kept changing while it was annotated (${ATTEMPTS} tries); the job retries`);
}

/** The fields editors (not the pipeline's system actors) have edited on a draft, from its audit. */
async function readEditorFields(ctx: AnnotateContext, id: string): Promise<Set<string>> {
  const audit = await getAudit(ctx.redis, ctx.keys, id);
  return new Set(audit.filter((e) => e.action === 'edit' && !SYSTEM_ACTORS.includes(e.actor)).flatMap((e) => e.fields ?? []));
}
