import type { DraftSignal } from '../drafts/schema.ts';
import { loadDraft, staleError, type DeskOptions } from './deskContext.ts';
import { getAudit, type AuditEntry } from './draftStore.ts';

/**
 * Actors that write only the pipeline's fields of a draft, never an editorial one: the enrich stage fills in
 * `enrichment` (and the excerpt a robots directive withholds) after the draft is in the queue; the annotate
 * stage its `annotation`, rule tags and score (a drop rule's rejection changes the status: an editor's edit
 * then meets a rejected draft and is refused as such). A version they wrote is not a change an editor needs
 * to have read before editing. The story stage ("stories") writes only `story`, `score` and `scoreBreakdown`.
 */
export const SYSTEM_ACTORS: readonly string[] = ['enrichment', 'annotate', 'stories'];

/** True when every version after `read` up to `current` was written by a system actor, as its audit entry says. Pure. */
export function onlySystemWritesSince(history: AuditEntry[], read: number, current: number, options: EditorRead = {}): boolean {
  if (current <= read) return false;
  for (let v = read + 1; v <= current; v++) {
    const entry = history.findLast((e) => e.version === v);
    // A version without an audit entry (trimmed, or written some other way) is not known to be harmless.
    if (!entry || !SYSTEM_ACTORS.includes(entry.actor)) return false;
    // The story stage placing the draft ("story") changed what a split or move decides about.
    if (options.story && entry.action === 'story') return false;
  }
  return true;
}

/** What the editor's change depends on besides editorial fields: `story` for split and move (the story the editor saw). */
export interface EditorRead {
  story?: boolean;
}

/**
 * The draft to apply an editor's change to, who read version `version`: that version, or the current one when
 * only system actors (enrichment) wrote since (their fields and the editor's are disjoint, so the change is
 * re-applied on top). Any other intervening change is a 409 stale_version, as before.
 */
export async function loadDraftForEditor(o: DeskOptions, id: string, version: number, options: EditorRead = {}): Promise<DraftSignal> {
  const draft = await loadDraft(o, id);
  if (draft.version === version) return draft;
  if (version < draft.version && onlySystemWritesSince(await getAudit(o.redis, o.keys, id), version, draft.version, options)) return draft;
  throw staleError(id, version, draft.version);
}

/**
 * Runs a desk write again when it lost a race with a system write (the version moved between reading and
 * writing): the next attempt reloads through `loadDraftForEditor`, which still refuses any editor's change.
 */
export async function retryAfterSystemWrite<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (err) {
      if (i >= attempts || (err as { code?: string }).code !== 'stale_version') throw err;
    }
  }
}
