import type { DraftSignal } from '../drafts/schema.ts';
import { getStoryRecords } from '../stories/storyRecords.ts';
import { bumpVersion, describeChange, isoNow, type DeskOptions } from './deskContext.ts';
import { getClaims, getDrafts, type DraftChange } from './draftStore.ts';

/** Entries of a draft's related coverage (editor merges), as mergeDraft keeps it. */
const RELATED_KEEP = 50;

/**
 * The other pending members of the draft's story, which its approval merges into it (as an editor's merge
 * would), so one signal stands for the story. A member another editor holds a live claim on is left pending.
 */
export async function pendingStoryMembers(o: DeskOptions, d: DraftSignal, actorName: string): Promise<DraftSignal[]> {
  if (!d.story) return [];
  const record = (await getStoryRecords(o.redis, o.keys, [d.story.id])).get(d.story.id);
  const ids = (record?.members ?? []).map((m) => m.draftId).filter((id) => id !== d.id);
  const drafts = (await getDrafts(o.redis, o.keys, ids)).filter((m) => m.status === 'pending' && m.story?.id === d.story!.id);
  const claims = await getClaims(o.redis, o.keys, drafts.map((m) => m.id), o.clock.now());
  // Each member merged is listed in the draft's related coverage, which holds RELATED_KEEP entries: a story
  // bigger than that keeps its other members pending (in the story, on the queue) rather than merging them unlisted.
  const free = drafts.filter((m) => !claims.has(m.id) || claims.get(m.id)!.user === actorName);
  const room = Math.max(0, RELATED_KEEP - d.related.filter((r) => !free.some((m) => m.id === r.draftId)).length);
  return free.slice(0, room);
}

/**
 * Every other draft of the draft's story, whatever its status or claim: the copy guard compares with their
 * excerpts too (a member another editor has claimed is not merged, but its source's text is no more ours to publish).
 */
export async function otherStoryMembers(o: DeskOptions, d: DraftSignal): Promise<DraftSignal[]> {
  if (!d.story) return [];
  const record = (await getStoryRecords(o.redis, o.keys, [d.story.id])).get(d.story.id);
  const ids = (record?.members ?? []).map((m) => m.draftId).filter((id) => id !== d.id);
  return (await getDrafts(o.redis, o.keys, ids)).filter((m) => m.story?.id === d.story!.id);
}

/**
 * The draft with its story's members gathered into its related coverage (each member, then what it had
 * gathered itself), and their pipeline coverage joined, so the signal lists the other members' links. Pure.
 */
export function gatherMembers(d: DraftSignal, members: DraftSignal[]): DraftSignal {
  if (members.length === 0) return d;
  // The members themselves first (each is listed), then what they had gathered, as room allows.
  const gathered = [...members.map((m) => ({ draftId: m.id, headline: m.headline, sourceName: m.source.name, link: m.link })), ...members.flatMap((m) => m.related)];
  const related = [...d.related.filter((r) => !gathered.some((g) => g.draftId === r.draftId)), ...gathered].slice(0, RELATED_KEEP);
  return { ...d, related, coverage: [...d.coverage, ...members.flatMap((m) => m.coverage)] };
}

/** Each member's part of the approval: merged into the approved draft, its claim released, audited. */
export function memberMerges(o: DeskOptions, members: DraftSignal[], into: string, by: string): DraftChange[] {
  const at = isoNow(o);
  return members.map((m) => describeChange(o, m, bumpVersion(o, { ...m, status: 'merged', mergedInto: into, decision: { action: 'merge', by, at, reason: 'same story, published together' } }), { action: 'merge', into, reason: 'same story, published together' }, 'check-release'));
}
