import type { Actor } from '../auth/roles.ts';
import type { DraftSignal } from '../drafts/schema.ts';
import { ENRICHMENT_ACTOR, gatherCoverage, unfoldCoverage, ungatherCoverage } from '../dedupe/recordCanonical.ts';
import { DeskError } from '../errors.ts';
import { applyChanges, bumpVersion, describeChange, emitEvent, isoNow, loadDraft, loadDraftAt, requirePermission, requireStatus, type DeskOptions } from './deskContext.ts';
import { MergeBody, parseBody, VersionBody } from './draftEdits.ts';
import { getDraft } from './draftStore.ts';

/** Entries of a draft's related coverage (editor merges) at most, as approveStory.ts keeps it too. */
export const RELATED_KEEP = 50;

/**
 * Merges a pending draft into another pending draft, which lists it (and what it had gathered) as related coverage;
 * the pipeline's coverage of it moves to the target's coverage list (a reopen moves it back).
 */
export async function mergeDraft(o: DeskOptions, actor: Actor, id: string, body: unknown): Promise<{ draft: DraftSignal; into: DraftSignal }> {
  requirePermission(actor, 'review');
  const { version, into } = parseBody(MergeBody, body);
  if (into === id) throw new DeskError('invalid_fields', 'a draft cannot be merged into itself', { fields: { into: 'must be another draft' } });
  const draft = await loadDraftAt(o, id, version);
  requireStatus(draft, ['pending'], 'merged');
  const target = await loadDraft(o, into);
  if (target.status !== 'pending') {
    throw new DeskError('invalid_state', `cannot merge into ${into}: it is ${target.status}; merge only into a pending draft`, { fields: { into: `is ${target.status}` } });
  }
  const at = isoNow(o);
  const next = bumpVersion(o, { ...draft, status: 'merged', mergedInto: into, decision: { action: 'merge', by: actor.name, at } });
  const gathered = [{ draftId: draft.id, headline: draft.headline, sourceName: draft.source.name, link: draft.link }, ...draft.related];
  const kept = target.related.filter((r) => !gathered.some((g) => g.draftId === r.draftId));
  // Refused rather than cut: a merged draft (or what it had gathered) missing from the list would be merged away
  // without its link ever reaching the signal (a bulk merge of 60 drafts once dropped 10 that way).
  if (kept.length + gathered.length > RELATED_KEEP) {
    throw new DeskError('invalid_state', `cannot merge ${id} into ${into}: it lists ${kept.length} related items and this merge brings ${gathered.length}, over the ${RELATED_KEEP} a draft holds; approve ${into} first, or merge into another draft`, { fields: { into: `holds ${RELATED_KEEP} related items at most` } });
  }
  const related = [...kept, ...gathered];
  const nextTarget = bumpVersion(o, { ...target, related });
  await applyChanges(o, actor, [
    describeChange(o, draft, next, { action: 'merge', into }, 'check-release'),
    // A write to the target too: another editor's live claim on it refuses the merge (409 locked), as for any write.
    describeChange(o, target, nextTarget, { action: 'merged_in', from: id }, 'check'),
  ]);
  // The other sources' items the pipeline recorded for the merged draft: the target's signal lists them too.
  await gatherCoverage(o.redis, o.keys, draft, nextTarget);
  await emitEvent(o, { type: 'merge', draftId: id, actor: actor.name });
  return { draft: next, into: nextTarget };
}

/** Sends a rejected or merged draft back to the queue. Published signals stay published: the stream is append-only. */
export async function reopenDraft(o: DeskOptions, actor: Actor, id: string, body: unknown): Promise<DraftSignal> {
  requirePermission(actor, 'review');
  const { version } = parseBody(VersionBody, body);
  const draft = await loadDraftAt(o, id, version);
  if (draft.status === 'approved') {
    throw new DeskError('invalid_state', `draft ${id} is published; a published signal cannot be reopened (the signal stream is append-only)`);
  }
  requireStatus(draft, ['rejected', 'merged'], 'reopened');
  const next = bumpVersion(o, { ...draft, status: 'pending', mergedInto: null, decision: { action: 'reopen', by: actor.name, at: isoNow(o) } });
  const changes = [describeChange(o, draft, next, { action: 'reopen' }, 'none')];
  // Take it back out of the related coverage of the draft it was merged into, while that one is still pending
  // (an editor's merge: its related list; the enrich stage's fold: its coverage list, below).
  const target = draft.mergedInto ? await getDraft(o.redis, o.keys, draft.mergedInto) : undefined;
  if (target?.status === 'pending' && target.related.some((r) => r.draftId === id)) {
    changes.push(describeChange(o, target, bumpVersion(o, { ...target, related: target.related.filter((r) => r.draftId !== id) }), { action: 'unmerged', from: id }, 'none'));
  }
  await applyChanges(o, actor, changes);
  // Folded by the enrich stage (same canonical article): its item and coverage went to the survivor's coverage list; take them back.
  if (target?.status === 'pending' && draft.decision?.by === ENRICHMENT_ACTOR) await unfoldCoverage(o.redis, o.keys, draft, target.id);
  // Merged by an editor: the coverage it had brought along goes back with it.
  else if (target?.status === 'pending') await ungatherCoverage(o.redis, o.keys, draft, target.id);
  await emitEvent(o, { type: 'reopen', draftId: id, actor: actor.name });
  // Never placed in a story (dropped by a rule, or rejected before the story stage reached it): placed now.
  if (!next.story) await o.onReopened?.(next);
  return next;
}
