import { digest } from '../dedupe/itemKey.ts';
import { normalizeUrl } from '../dedupe/normalizeUrl.ts';
import { entityKey } from '../entities/extractEntities.ts';
import type { DraftSignal, DraftStory } from '../drafts/schema.ts';
import { ageRank, reviewRank } from '../drafts/score.ts';
import { scoreDraft } from '../drafts/scoreDraft.ts';
import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';
import { applyDraftChanges, getDrafts, type DraftChange } from '../review/draftStore.ts';
import type { StoryMember, StoryRecord } from './storyRecord.ts';
import { getStoryRecords, updateStoryRecords } from './storyRecords.ts';
import type { StoryDecision, StoryItem } from './types.ts';

/** The system actor of the story stage, in audit entries and desk events (review/systemWrites.ts SYSTEM_ACTORS). */
export const STORY_ACTOR = 'stories';
/** A story record lists at most this many members (StoryRecord's cap); later drafts still carry the story's id. */
export const STORY_MEMBERS_MAX = 500;
const WHY_MAX = 300;
const WRITE_ATTEMPTS = 5;
/** Members re-scored in one script call (a story of 500 writes in ten). */
const APPLY_CHUNK = 50;

/** What the clusterer reads of a draft: headline, the rest of its text, URL digests, entity keys, blocked stories. Pure. */
export function toStoryItem(draft: DraftSignal, extraBlocked: string[] = []): StoryItem {
  const e = draft.enrichment;
  const text = [draft.excerpt, e?.description?.value, e?.keywords?.value?.join(', ')].filter((t): t is string => typeof t === 'string' && t.length > 0).join('\n');
  const urls = [...new Set([draft.link, e?.canonicalUrl?.value].flatMap((u) => (u ? [normalizeUrl(u)] : [])).flatMap((u) => (u ? [digest(u)] : [])))];
  const published = draft.publishedAt ? Date.parse(draft.publishedAt) : Number.NaN;
  return {
    id: draft.id,
    sourceId: draft.source.id,
    sourceName: draft.source.name,
    at: Number.isNaN(published) ? Date.parse(draft.discoveredAt) : published,
    headline: draft.headline,
    text,
    urls,
    entities: [...new Set((draft.annotation?.entities ?? []).map((x) => entityKey(x.name)))],
    blocked: [...new Set([...(draft.story?.blocked ?? []), ...extraBlocked])],
  };
}

/** The member's `why` in an editor's words: "started the story", "similar: 0.62 (same entities: nvidia)". Pure. */
export function describeDecision(decision: StoryDecision): string {
  const reasons = decision.reasons.filter((r) => r.length > 0).join('; ');
  const text = decision.kind === 'new' ? 'started the story' : `similar: ${decision.similarity.toFixed(2)}${reasons ? ` (${reasons})` : ''}`;
  return text.length > WHY_MAX ? `${text.slice(0, WHY_MAX - 1)}…` : text;
}

/** The member a draft is listed as: metadata only. Pure. */
export function toMember(draft: DraftSignal, why: string, now: number): StoryMember {
  return { draftId: draft.id, sourceId: draft.source.id, sourceName: draft.source.name, headline: draft.headline, link: draft.link, addedAt: new Date(now).toISOString(), publishedAt: draft.publishedAt, why };
}

/**
 * A story's record with `member` in it: created when absent, unchanged when the member is already listed (a
 * retried job), full (STORY_MEMBERS_MAX) left as it is. Pure.
 */
export function withMember(record: StoryRecord | undefined, storyId: string, member: StoryMember, now: number): StoryRecord {
  const at = new Date(now).toISOString();
  if (!record) return { id: storyId, createdAt: at, updatedAt: at, members: [member] };
  if (record.members.some((m) => m.draftId === member.draftId) || record.members.length >= STORY_MEMBERS_MAX) return record;
  return { ...record, updatedAt: at, members: [...record.members, member] };
}

/** A story's record without a draft: null (deleted) when it was its only member. Pure. */
export function withoutMember(record: StoryRecord, draftId: string, now: number): StoryRecord | null {
  const members = record.members.filter((m) => m.draftId !== draftId);
  if (members.length === record.members.length) return record;
  return members.length === 0 ? null : { ...record, updatedAt: new Date(now).toISOString(), members };
}

/**
 * Lists the draft in its story's record (and takes it out of `fromStory`'s, for an enriched singleton that
 * moved), through the compare-and-set shared with editors' split and move. Idempotent. Returns the record.
 */
export async function recordMember(redis: RedisClient, keys: Keys, draft: DraftSignal, storyId: string, why: string, now: number, fromStory?: string): Promise<StoryRecord> {
  const ids = fromStory && fromStory !== storyId ? [storyId, fromStory] : [storyId];
  const next = await updateStoryRecords(redis, keys, ids, (records) => {
    const out = new Map<string, StoryRecord | null>();
    const current = records.get(storyId);
    const updated = withMember(current, storyId, toMember(draft, why, now), now);
    if (updated !== current) out.set(storyId, updated);
    const old = fromStory && fromStory !== storyId ? records.get(fromStory) : undefined;
    if (old && fromStory) {
      const left = withoutMember(old, draft.id, now);
      if (left !== old) out.set(fromStory, left);
    }
    return out;
  });
  const written = next.get(storyId);
  if (written) return written;
  // Unchanged (a retried job: the member is listed already): the record as it stands.
  const stored = (await getStoryRecords(redis, keys, [storyId])).get(storyId);
  if (!stored) throw new Error(`story ${storyId} vanished while draft ${draft.id} was listed in it; the job retries`);
  return stored;
}

export interface StoryWriteDeps {
  redis: RedisClient;
  keys: Keys;
  /** A source's trust weight (0–1) by id. */
  weightOf: (sourceId: string) => number;
  now: number;
}

/**
 * Writes the story onto the placed draft (`draft.story`) and re-scores every pending member of the story
 * (coverage breadth grows with each new publisher), through the system write path: version checked (an
 * editor's change in between is read again, never overwritten), audited as the "stories" actor, claims
 * ignored, ranks in the review indexes updated. Members whose score, breakdown and story are unchanged are
 * not written. Returns the ids written.
 */
export async function writeStoryToDrafts(deps: StoryWriteDeps, placedId: string, story: DraftStory, record: StoryRecord, why: string, read?: DraftStory | null): Promise<string[]> {
  const ids = changesOthers(record, placedId) ? [...new Set([placedId, ...record.members.map((m) => m.draftId)])] : [placedId];
  const written: string[] = [];
  let todo = ids;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS && todo.length > 0; attempt++) {
    const drafts = await getDrafts(deps.redis, deps.keys, todo);
    const placed = drafts.find((d) => d.id === placedId);
    if (placed && read !== undefined && overruled(placed, read, story)) {
      // An editor placed the draft (move, split) after the stage read it: the editor's story stands. The stage's
      // listing of it is taken back, and the story's other members are scored without it.
      const left = await unlistMember(deps, story.id, placedId);
      todo = todo.filter((id) => id !== placedId);
      if (!left) break;
      record = left;
    }
    const retry: string[] = [];
    const changes = drafts.flatMap((draft) => {
      if (draft.status !== 'pending' || !todo.includes(draft.id)) return [];
      const change = storyChange(deps, draft, draft.id === placedId ? story : draft.story, record, why);
      return change ? [change] : [];
    });
    for (let i = 0; i < changes.length; i += APPLY_CHUNK) {
      const chunk = changes.slice(i, i + APPLY_CHUNK);
      // One call for the chunk: the script checks every version before it writes any, so a refusal wrote nothing
      // and the chunk goes again one draft at a time, each written, read again (stale) or left (gone, claimed).
      const together = chunk.length > 1 ? await applyDraftChanges(deps.redis, deps.keys, STORY_ACTOR, deps.now, chunk) : undefined;
      if (together?.ok) {
        written.push(...chunk.map((c) => c.next.id));
        continue;
      }
      for (const change of chunk) {
        const result = await applyDraftChanges(deps.redis, deps.keys, STORY_ACTOR, deps.now, [change]);
        if (result.ok) written.push(change.next.id);
        else if (result.reason === 'stale') retry.push(change.next.id);
      }
    }
    todo = retry;
  }
  if (todo.length > 0) throw new Error(`drafts ${todo.join(', ')} kept changing while their story was written (${WRITE_ATTEMPTS} tries); the job retries`);
  return written;
}

/**
 * Whether placing `placedId` can change the other members' scores: they read the story's members only as
 * (publisher, headline) pairs (drafts/scoreDraft.ts: distinct other publishers, entities their headlines name).
 * A member whose pair another member already has (the same publisher's same headline again: 10,000 copies of one
 * wire story), or one the full record does not list, changes nothing for them; re-reading every member for each
 * such copy made a story of one headline cost members × copies draft reads. Pure.
 */
export function changesOthers(record: StoryRecord, placedId: string): boolean {
  const placed = record.members.find((m) => m.draftId === placedId);
  if (!placed) return false;
  const key = entityKey(placed.headline);
  return !record.members.some((m) => m.draftId !== placedId && m.sourceId === placed.sourceId && m.sourceName === placed.sourceName && entityKey(m.headline) === key);
}

/**
 * True when the placed draft's story is neither what the stage read before deciding nor what it decided: someone
 * (an editor's move or split) placed it meanwhile. Pure.
 */
export function overruled(current: DraftSignal, read: DraftStory | null, decided: DraftStory): boolean {
  if (current.story?.id === decided.id) return false;
  return JSON.stringify(current.story ?? null) !== JSON.stringify(read);
}

/** Takes the draft out of the story's record (deleted when it was alone); returns the record left, or null. */
async function unlistMember(deps: StoryWriteDeps, storyId: string, draftId: string): Promise<StoryRecord | null> {
  const next = await updateStoryRecords(deps.redis, deps.keys, [storyId], (records) => {
    const current = records.get(storyId);
    const left = current ? withoutMember(current, draftId, deps.now) : null;
    return current && left !== current ? new Map([[storyId, left]]) : new Map();
  });
  if (next.has(storyId)) return next.get(storyId) ?? null;
  return (await getStoryRecords(deps.redis, deps.keys, [storyId])).get(storyId) ?? null;
}

/** The system write of one draft's story, score and breakdown, or undefined when nothing changes. Pure. */
export function storyChange(deps: Pick<StoryWriteDeps, 'weightOf' | 'now'>, draft: DraftSignal, story: DraftStory | null, record: StoryRecord, why: string): DraftChange | undefined {
  const { score, components } = scoreDraft({ ...draft, story }, { story: record, weightOf: deps.weightOf, now: deps.now });
  const storyChanged = JSON.stringify(story) !== JSON.stringify(draft.story);
  if (!storyChanged && score === draft.score && JSON.stringify(components) === JSON.stringify(draft.scoreBreakdown)) return undefined;
  const at = new Date(deps.now).toISOString();
  const { coverage: _coverage, ...stored } = { ...draft, version: draft.version + 1, updatedAt: at, story, score, scoreBreakdown: components };
  const next = stored as DraftSignal;
  const fields = [...(storyChanged ? ['story'] : []), ...(score !== draft.score ? ['score'] : []), 'scoreBreakdown'];
  return {
    expectedVersion: draft.version,
    next,
    scoreRank: reviewRank(next.score, next.discoveredAt),
    ageRank: ageRank(next.publishedAt, next.discoveredAt),
    audit: { at, actor: STORY_ACTOR, action: storyChanged ? 'story' : 'rescored', version: next.version, fields, reason: storyChanged ? `story ${story?.id ?? 'none'}: ${why}` : `story ${record.id} grew to ${record.members.length} members` },
    claim: 'none',
  };
}
