import type { Actor } from '../auth/roles.ts';
import type { DraftSignal } from '../drafts/schema.ts';
import { toSignal, type Signal } from '../publish/signal.ts';
import { applyChanges, bumpVersion, describeChange, emitEvent, isoNow, loadDraftAt, requirePermission, requireStatus, type DeskOptions } from './deskContext.ts';
import { applyPatch, changedFields, checkPublishable, parseBody, PatchBody, RejectBody, VersionBody } from './draftEdits.ts';
import { getDraft, getDrafts } from './draftStore.ts';
import { gatherMembers, memberMerges, otherStoryMembers, pendingStoryMembers } from './approveStory.ts';
import { gatherCoverage } from '../dedupe/recordCanonical.ts';
import { loadDraftForEditor, retryAfterSystemWrite } from './systemWrites.ts';
import { readArticleShingles } from './articleShingles.ts';
import { articleSite, findArticleCopy, type StoryDraft } from './findCopiedText.ts';
import { DeskError } from '../errors.ts';
import { recordApproval } from '../categories/classifier.ts';

/** Edits editorial fields. The body names the version read; a stale one gets 409 with the current version. */
export async function editDraft(o: DeskOptions, actor: Actor, id: string, body: unknown): Promise<DraftSignal> {
  requirePermission(actor, 'review');
  const { version, ...patch } = parseBody(PatchBody, body);
  // The version read may be behind by enrichment's writes only: the patch then goes on the current version.
  const { draft, next } = await retryAfterSystemWrite(async () => {
    const draft = await loadDraftForEditor(o, id, version);
    requireStatus(draft, ['pending'], 'edited');
    const next = bumpVersion(o, applyPatch(draft, patch));
    const fields = changedFields(draft, next);
    if (fields.length === 0) return { draft, next: undefined };
    await applyChanges(o, actor, [describeChange(o, draft, next, { action: 'edit', fields }, 'check')]);
    return { draft, next };
  });
  if (!next) return draft;
  await emitEvent(o, { type: 'edit', draftId: id, actor: actor.name });
  return next;
}

/**
 * Publishes a pending draft as a signal, exactly once: the version check and the stream append are one script.
 * The other pending members of its story are merged into it in the same script, and the signal's related
 * coverage lists their links.
 */
export async function approveDraft(o: DeskOptions, actor: Actor, id: string, body: unknown): Promise<{ draft: DraftSignal; signal: Signal; streamId: string; merged: string[] }> {
  requirePermission(actor, 'review');
  const { version } = parseBody(VersionBody, body);
  const draft = await loadDraftAt(o, id, version);
  requireStatus(draft, ['pending'], 'approved');
  for (let attempt = 1; ; attempt++) {
    // The story's other pending members are merged into this draft by the script that publishes it: one signal per story.
    const members = await pendingStoryMembers(o, draft, actor.name);
    const whole = gatherMembers(draft, members);
    const [story, shingles] = await Promise.all([loadStory(o, whole), readArticleShingles(o.redis, o.keys, id)]);
    checkPublishable(whole, story);
    checkArticleCopy(whole, story, shingles);
    const at = isoNow(o);
    const next = bumpVersion(o, { ...whole, status: 'approved', decision: { action: 'approve', by: actor.name, at } });
    const signal = toSignal(next, at, actor.name);
    const changes = [describeChange(o, draft, next, { action: 'approve', signalId: signal.id }, 'check-release'), ...memberMerges(o, members, id, actor.name)];
    let streamId: string | undefined;
    try {
      streamId = await applyChanges(o, actor, changes, JSON.stringify(signal));
    } catch (err) {
      // A member changed or was claimed meanwhile (the draft itself did not): gather the story again.
      if (attempt < 3 && members.length > 0 && err instanceof DeskError && (await getDraft(o.redis, o.keys, id))?.version === draft.version) continue;
      throw err;
    }
    // The other sources' items the pipeline recorded for the members: the signal lists them, the draft keeps them.
    for (const m of members) await gatherCoverage(o.redis, o.keys, m, next);
    await emitEvent(o, { type: 'approve', draftId: id, actor: actor.name });
    // The category classifier learns from the editor's choice (src/categories/classifier.ts); published either way.
    await recordApproval(o.redis, o.keys, next, o.clock.now()).catch(() => undefined);
    for (const m of members) await emitEvent(o, { type: 'merge', draftId: m.id, actor: actor.name });
    await o.onPublished?.(signal);
    return { draft: next, signal, streamId: streamId!, merged: members.map((m) => m.id) };
  }
}

export async function rejectDraft(o: DeskOptions, actor: Actor, id: string, body: unknown): Promise<DraftSignal> {
  requirePermission(actor, 'review');
  const { version, reason } = parseBody(RejectBody, body);
  const next = await retryAfterSystemWrite(async () => {
    const draft = await loadDraftForEditor(o, id, version);
    requireStatus(draft, ['pending'], 'rejected');
    const next = bumpVersion(o, { ...draft, status: 'rejected', decision: { action: 'reject', by: actor.name, at: isoNow(o), reason } });
    await applyChanges(o, actor, [describeChange(o, draft, next, { action: 'reject', reason }, 'check-release')]);
    return next;
  });
  await emitEvent(o, { type: 'reject', draftId: id, actor: actor.name });
  return next;
}

/**
 * The drafts merged into this one (its related coverage, with the story members this approval merges), then
 * the rest of its story (members left pending, claimed by another editor, rejected): the copy guard compares
 * with all their excerpts.
 */
async function loadStory(o: DeskOptions, d: DraftSignal): Promise<StoryDraft[]> {
  const merged = await getDrafts(o.redis, o.keys, d.related.map((r) => r.draftId));
  const rest = (await otherStoryMembers(o, d)).filter((m) => !merged.some((s) => s.id === m.id));
  return [
    ...merged.map((s) => ({ id: s.id, excerpt: s.excerpt, title: s.title, sourceName: s.source.name })),
    ...rest.map((s) => ({ id: s.id, excerpt: s.excerpt, title: s.title, sourceName: s.source.name, storyMember: true })),
  ];
}

/** 422 when a published field copies the article page itself (its stored shingles; see findArticleCopy). */
function checkArticleCopy(d: DraftSignal, story: StoryDraft[], encoded: string | undefined): void {
  const copied = encoded ? findArticleCopy(d, story, { encoded, site: articleSite(d) }) : undefined;
  if (copied) throw new DeskError('copied_text', copied.message, { fields: copied.fields });
}
