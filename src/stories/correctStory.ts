import { z } from 'zod';
import type { Actor } from '../auth/roles.ts';
import type { DraftSignal } from '../drafts/schema.ts';
import { DeskError } from '../errors.ts';
import { applyChanges, bumpVersion, describeChange, emitEvent, isoNow, requirePermission, requireStatus, type DeskOptions } from '../review/deskContext.ts';
import { parseBody, VersionBody } from '../review/draftEdits.ts';
import { loadDraftForEditor, retryAfterSystemWrite } from '../review/systemWrites.ts';
import { newStoryId } from './assignStory.ts';
import type { StoryMember, StoryRecord } from './storyRecord.ts';
import { getStoryRecords, updateStoryRecords } from './storyRecords.ts';

export const SplitBody = VersionBody;
export const MoveBody = VersionBody.extend({
  to: z.string({ error: 'required: the id of the story to move the draft to' }).regex(/^s_[A-Za-z0-9_.-]{1,90}$/, 'must be a story id (s_…)'),
});

const BLOCKED_MAX = 50;
const MEMBERS_MAX = 500;

/**
 * An editor's correction of the clusterer: the draft leaves its story and starts one of its own. Remembered on
 * the draft: `story.blocked` gets the old story, so the story stage never puts it back there. Audited.
 */
export async function splitStory(o: DeskOptions, actor: Actor, id: string, body: unknown): Promise<{ draft: DraftSignal; story: StoryRecord }> {
  requirePermission(actor, 'review');
  const { version } = parseBody(SplitBody, body);
  const { next, from } = await retryAfterSystemWrite(async () => {
    const draft = await loadDraftForEditor(o, id, version, { story: true });
    requireStatus(draft, ['pending'], 'split out of a story');
    if (!draft.story) throw new DeskError('invalid_state', `draft ${id} is in no story yet: there is nothing to split it out of`);
    const from = draft.story.id;
    const record = (await getStoryRecords(o.redis, o.keys, [from])).get(from);
    if (record && record.members.every((m) => m.draftId === id)) {
      throw new DeskError('invalid_state', `draft ${id} is alone in story ${from} already: there is nothing to split it from`);
    }
    const to = `${newStoryId(draft)}-v${draft.version + 1}`;
    const blocked = [...draft.story.blocked.filter((b) => b !== from), from].slice(-BLOCKED_MAX);
    const next = bumpVersion(o, { ...draft, story: { id: to, pinned: false, blocked } });
    await applyChanges(o, actor, [describeChange(o, draft, next, { action: 'split', fromStory: from, story: to }, 'check')]);
    return { next, from };
  });
  const at = isoNow(o);
  const to = next.story!.id;
  const written = await updateStoryRecords(o.redis, o.keys, [from, to], (records) => {
    const old = records.get(from);
    const member = { ...(old?.members.find((m) => m.draftId === id) ?? memberOf(next, at)), why: `split out by ${actor.name}` };
    const changes = new Map<string, StoryRecord | null>([[to, { id: to, createdAt: at, updatedAt: at, members: [member] }]]);
    if (old) changes.set(from, withoutMember(old, id, at));
    return changes;
  });
  await emitEvent(o, { type: 'split', draftId: id, actor: actor.name });
  return { draft: next, story: written.get(to)! };
}

/**
 * An editor's correction the other way: the draft joins another story and is pinned there (the story stage
 * never moves it again). A story it had been split out of is no longer blocked: the editor chose it. Audited.
 */
export async function moveToStory(o: DeskOptions, actor: Actor, id: string, body: unknown): Promise<{ draft: DraftSignal; story: StoryRecord }> {
  requirePermission(actor, 'review');
  const { version, to } = parseBody(MoveBody, body);
  const { next, from } = await retryAfterSystemWrite(async () => {
    const draft = await loadDraftForEditor(o, id, version, { story: true });
    requireStatus(draft, ['pending'], 'moved to another story');
    if (draft.story?.id === to) throw new DeskError('invalid_fields', `draft ${id} is in story ${to} already`, { fields: { to: 'is the story it is in' } });
    const target = (await getStoryRecords(o.redis, o.keys, [to])).get(to);
    if (!target) throw new DeskError('not_found', `no story ${to}: it may have ended (stories are kept 30 days); pick a story from the queue`, { fields: { to: 'no such story' } });
    if (target.members.length >= MEMBERS_MAX) throw new DeskError('invalid_fields', `story ${to} has ${MEMBERS_MAX} members already, the most a story holds`, { fields: { to: 'is full' } });
    const from = draft.story?.id;
    const next = bumpVersion(o, { ...draft, story: { id: to, pinned: true, blocked: (draft.story?.blocked ?? []).filter((b) => b !== to) } });
    await applyChanges(o, actor, [describeChange(o, draft, next, { action: 'move', ...(from ? { fromStory: from } : {}), story: to }, 'check')]);
    return { next, from };
  });
  const at = isoNow(o);
  const written = await updateStoryRecords(o.redis, o.keys, from ? [from, to] : [to], (records) => {
    const target = records.get(to);
    const old = from ? records.get(from) : undefined;
    const member = { ...(old?.members.find((m) => m.draftId === id) ?? memberOf(next, at)), why: `moved by ${actor.name}` };
    // The target may have ended between the check and now: the draft then starts it again, alone.
    const base = target ?? { id: to, createdAt: at, updatedAt: at, members: [] };
    const changes = new Map<string, StoryRecord | null>([[to, { ...base, updatedAt: at, members: [...base.members.filter((m) => m.draftId !== id), member].slice(-MEMBERS_MAX) }]]);
    if (from && old) changes.set(from, withoutMember(old, id, at));
    return changes;
  });
  await emitEvent(o, { type: 'move', draftId: id, actor: actor.name });
  return { draft: next, story: written.get(to)! };
}

/** The record without this draft; null (deleted) when nobody is left. Pure. */
export function withoutMember(record: StoryRecord, draftId: string, at: string): StoryRecord | null {
  const members = record.members.filter((m) => m.draftId !== draftId);
  return members.length ? { ...record, updatedAt: at, members } : null;
}

/** A story member from the draft itself (when its old record has expired). Pure. */
export function memberOf(d: DraftSignal, at: string): StoryMember {
  return { draftId: d.id, sourceId: d.source.id, sourceName: d.source.name, headline: d.headline, link: d.link, addedAt: d.discoveredAt < at ? d.discoveredAt : at, publishedAt: d.publishedAt, why: '' };
}
