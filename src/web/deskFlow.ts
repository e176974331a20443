import type { Actor } from '../auth/roles.ts';
import type { DraftSignal } from '../drafts/schema.ts';
import { DeskError } from '../errors.ts';
import type { Desk } from '../review/desk.ts';
import { applyPatch, EditableFields, parseBody } from '../review/draftEdits.ts';

/** How many rows of the pending queue the next-draft flow looks at (one queue page). */
const QUEUE_WINDOW = 50;

/** The queue page's filters a draft page carries along (`?queue=`), so the next draft is the next row of that queue. */
const QUEUE_FILTERS = ['q', 'category', 'source', 'tag', 'entity', 'lang', 'section', 'sort'] as const;

/** The known, non-empty filters of a queue query string (anything else dropped), as a query string ('' for none). Pure. */
export function queueFilters(query: unknown): string {
  if (typeof query !== 'string' || query.length > 2000) return '';
  const given = new URLSearchParams(query);
  const kept = new URLSearchParams();
  for (const name of QUEUE_FILTERS) {
    const v = given.get(name)?.trim();
    if (v && v.length <= 200) kept.set(name, v);
  }
  return kept.toString();
}

/**
 * The pending queue's order as the editor sees it on the queue page (one row per story, its lead), with the queue's
 * filters, without the drafts another editor has claimed: the next-draft flow never opens a draft this editor
 * could only get a 409 on (two editors working down one queue would otherwise keep landing on each other's draft).
 */
export async function readQueueOrder(desk: Desk, actor: Actor, filters = ''): Promise<string[]> {
  const query = { ...Object.fromEntries(new URLSearchParams(filters)), status: 'pending' as const, limit: QUEUE_WINDOW };
  const page = await desk.listStories(actor, query).catch((err: unknown) => {
    // Filters the desk refuses (a stale or hand-made link): the whole pending queue instead.
    if (err instanceof DeskError && err.status === 422) return desk.listStories(actor, { status: 'pending', limit: QUEUE_WINDOW });
    throw err;
  });
  return page.stories.filter((row) => !row.lead.claim || row.lead.claim.user === actor.name).map((row) => row.lead.id);
}

/**
 * The draft to open after deciding `current`: the first still-pending row that came after it in the queue the
 * editor was working through (`before`, read before the action), else the top of the queue as it is now
 * (`after`), never `current` itself; undefined when nothing is pending. Pure.
 */
export function pickNextDraft(before: string[], after: string[], current: string): string | undefined {
  const pending = new Set(after);
  const at = before.indexOf(current);
  const next = at >= 0 ? before.slice(at + 1).find((id) => pending.has(id) && id !== current) : undefined;
  return next ?? after.find((id) => id !== current);
}

/**
 * The draft as it would be published with the edit form's values: the same parsing as a save (so trimming,
 * control characters and lists read as they will), each field that would be refused left as it is stored.
 * Saves nothing. Pure.
 */
export function previewDraft(d: DraftSignal, patch: Record<string, unknown>): DraftSignal {
  let body: Record<string, unknown> = Object.fromEntries(Object.entries(patch).filter(([k]) => k !== 'version'));
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return applyPatch(d, parseBody(EditableFields.partial(), body));
    } catch (err) {
      if (!(err instanceof DeskError) || !err.fields) throw err;
      const refused = new Set(Object.keys(err.fields).map((f) => f.split('.')[0]));
      body = Object.fromEntries(Object.entries(body).filter(([k]) => !refused.has(k)));
    }
  }
  return d;
}
