import type { Actor } from '../auth/roles.ts';
import type { DraftSignal } from '../drafts/schema.ts';
import { toSignal, type Signal } from '../publish/signal.ts';
import { applyChanges, bumpVersion, describeChange, emitEvent, isoNow, loadDraftAt, requirePermission, requireStatus, type DeskOptions } from './deskContext.ts';
import { applyPatch, changedFields, checkPublishable, parseBody, PatchBody, RejectBody, VersionBody } from './draftEdits.ts';
import { getDrafts } from './draftStore.ts';
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

/** Publishes a pending draft as a signal, exactly once: the version check and the stream append are one script. */
export async function approveDraft(o: DeskOptions, actor: Actor, id: string, body: unknown): Promise<{ draft: DraftSignal; signal: Signal; streamId: string }> {
  requirePermission(actor, 'review');
  const { version } = parseBody(VersionBody, body);
  const draft = await loadDraftAt(o, id, version);
  requireStatus(draft, ['pending'], 'approved');
  const [story, shingles] = await Promise.all([loadStory(o, draft), readArticleShingles(o.redis, o.keys, id)]);
  checkPublishable(draft, story);
  checkArticleCopy(draft, story, shingles);
  const at = isoNow(o);
  const next = bumpVersion(o, { ...draft, status: 'approved', decision: { action: 'approve', by: actor.name, at } });
  const signal = toSignal(next, at, actor.name);
  const streamId = await applyChanges(o, actor, [describeChange(o, draft, next, { action: 'approve', signalId: signal.id }, 'check-release')], JSON.stringify(signal));
  await emitEvent(o, { type: 'approve', draftId: id, actor: actor.name });
  // The category classifier learns from the editor's choice (src/categories/classifier.ts); published either way.
  await recordApproval(o.redis, o.keys, next, o.clock.now()).catch(() => undefined);
  await o.onPublished?.(signal);
  return { draft: next, signal, streamId: streamId! };
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

/** The drafts merged into this one (its related coverage): the copy guard compares with their excerpts too. */
async function loadStory(o: DeskOptions, d: DraftSignal): Promise<StoryDraft[]> {
  const drafts = await getDrafts(o.redis, o.keys, d.related.map((r) => r.draftId));
  return drafts.map((s) => ({ id: s.id, excerpt: s.excerpt, title: s.title, sourceName: s.source.name }));
}

/** 422 when a published field copies the article page itself (its stored shingles; see findArticleCopy). */
function checkArticleCopy(d: DraftSignal, story: StoryDraft[], encoded: string | undefined): void {
  const copied = encoded ? findArticleCopy(d, story, { encoded, site: articleSite(d) }) : undefined;
  if (copied) throw new DeskError('copied_text', copied.message, { fields: copied.fields });
}
