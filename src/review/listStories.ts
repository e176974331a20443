import type { Actor } from '../auth/roles.ts';
import type { DraftSignal, DraftStatus } from '../drafts/schema.ts';
import { getStoryRecords } from '../stories/storyRecords.ts';
import type { StoryMember, StoryRecord } from '../stories/storyRecord.ts';
import { requirePermission, type DeskOptions } from './deskContext.ts';
import { parseBody } from './draftEdits.ts';
import { countByStatus, getClaims, getDrafts } from './draftStore.ts';
import { DraftQuery, draftMatcher, SCAN_BUDGET, walkQuery, type DraftView } from './listDrafts.ts';
import { encodeCursor, type IndexEntry } from './walkIndex.ts';

/** One member of a story row: the story record's metadata, and whether it is in the list's status (pending on the queue). */
export interface StoryRowMember extends StoryMember {
  listed: boolean;
}

/** One row of the queue: a story (its lead, its publishers, its members), or a draft without a story on its own. */
export interface StoryRow {
  /** null for a draft that has no story (yet, or older than stories): the row is that draft alone. */
  storyId: string | null;
  /** The best-ranked member in the list's status and sort: its headline leads the row. */
  lead: DraftView;
  /** Distinct publishers of the story, in the order they joined (the lead's alone for a story-less draft). */
  sources: string[];
  /** When the story began, and its latest addition (ISO 8601). */
  firstSeen: string;
  latestAt: string;
  /** Every member, oldest first: headline, source, link, time, why it joined. Metadata only. */
  members: StoryRowMember[];
  /** Members in the list's status other than the lead. */
  others: number;
}

/** A story met in the walk: its lead, its anchor (where its row goes), its members in the index, and those not read yet. */
interface Group {
  anchor: string | undefined;
  lead: DraftSignal | undefined;
  listed: Set<string>;
  unread: Set<string>;
}

/** Members of a story read to find its lead and anchor, besides those in the batch walked. */
const MEMBERS_READ = 20;

export interface StoryPage {
  stories: StoryRow[];
  counts: Record<DraftStatus, number>;
  nextCursor: string | null;
}

/**
 * The queue as stories: one row per story, placed where its best-ranked member matching the filters stands in
 * the index (score or age), led by its best-ranked member; a draft without a story is a row of its own. Pages
 * by the same cursors as the draft list: a story is shown once, at its anchor, whichever page that is on.
 */
export async function listStories(o: DeskOptions, actor: Actor, query: DraftQuery): Promise<StoryPage> {
  requirePermission(actor, 'read');
  const q = parseBody(DraftQuery, query);
  const { redis, keys } = o;
  const index = q.sort === 'score' ? keys.byScore(q.status) : keys.byAge(q.status);
  const matches = draftMatcher(q);
  const records = new Map<string, StoryRecord | null>();
  const groups = new Map<string, Group>();

  const rows: { draft: DraftSignal; storyId: string | null }[] = [];
  let scanned = 0;
  let last: IndexEntry | undefined;
  let more = false;
  walk: for await (const batch of await walkQuery(o, q, index)) {
    const drafts = new Map((await getDrafts(redis, keys, batch.map((e) => e.id))).map((d) => [d.id, d]));
    await loadGroups(o, index, [...drafts.values()], matches, records, groups);
    for (const e of batch) {
      scanned += e.walked ?? 1;
      last = e;
      const d = drafts.get(e.id);
      if (d && matches(d)) {
        const group = d.story ? groups.get(d.story.id) : undefined;
        // A member of a big story that was not read with its story (ranked below the batch and the MEMBERS_READ
        // read besides): it belongs to the story's row, and anchors it when no member before it matched.
        if (group?.unread.delete(d.id)) {
          group.lead ??= d;
          group.anchor ??= d.id;
        }
        // A draft its story's record does not list yet (the story stage is between its two writes) stands alone meanwhile.
        if (!group || !group.listed.has(d.id)) rows.push({ draft: d, storyId: null });
        else if (group.anchor === d.id) rows.push({ draft: group.lead ?? d, storyId: d.story!.id });
      }
      if (rows.length === q.limit || scanned >= SCAN_BUDGET) {
        more = true;
        break walk;
      }
    }
  }
  const claims = await getClaims(redis, keys, rows.map((r) => r.draft.id), o.clock.now());
  return {
    stories: rows.map(({ draft, storyId }) => toRow({ ...draft, claim: claims.get(draft.id) ?? null }, storyId ? records.get(storyId) : null, storyId ? groups.get(storyId)!.listed : new Set([draft.id]))),
    counts: await countByStatus(redis, keys),
    nextCursor: more && last ? encodeCursor(last) : null,
  };
}

/**
 * For the stories of these drafts not met before: their record, which members are in the index walked, the
 * best-ranked of those (the lead) and the best-ranked that matches the filters (the anchor: where the row goes).
 * A story without a record (expired) leaves its drafts as rows of their own. Three round trips per batch at most.
 */
async function loadGroups(
  o: DeskOptions,
  index: string,
  drafts: DraftSignal[],
  matches: (d: DraftSignal) => boolean,
  records: Map<string, StoryRecord | null>,
  groups: Map<string, Group>,
): Promise<void> {
  const fresh = [...new Set(drafts.flatMap((d) => (d.story && !records.has(d.story.id) ? [d.story.id] : [])))];
  if (fresh.length === 0) return;
  const found = await getStoryRecords(o.redis, o.keys, fresh);
  for (const id of fresh) records.set(id, found.get(id) ?? null);
  const memberIds = [...new Set(fresh.flatMap((id) => found.get(id)?.members.map((m) => m.draftId) ?? []))];
  const ranks = new Map<string, number>();
  if (memberIds.length) {
    const scores = await o.redis.zmscore(index, ...memberIds);
    memberIds.forEach((id, i) => {
      if (scores[i] !== null && scores[i] !== undefined) ranks.set(id, Number(scores[i]));
    });
  }
  const known = new Map(drafts.map((d) => [d.id, d]));
  // The best-ranked members of each story are read (the lead, and the anchor when filters apply), at most
  // MEMBERS_READ a story: a story of 500 items costs what one of 20 does.
  const missing = fresh.flatMap((id) =>
    (found.get(id)?.members ?? [])
      .filter((m) => ranks.has(m.draftId) && !known.has(m.draftId))
      .sort((a, b) => ranks.get(b.draftId)! - ranks.get(a.draftId)!)
      .slice(0, MEMBERS_READ)
      .map((m) => m.draftId),
  );
  for (const d of await getDrafts(o.redis, o.keys, missing)) known.set(d.id, d);
  for (const id of fresh) {
    const record = found.get(id);
    if (!record) continue;
    // Members in the list's status that still say they belong here (a record and a draft disagree only for a moment), best-ranked first.
    const inIndex = record.members
      .map((m) => known.get(m.draftId))
      .filter((d): d is DraftSignal => d !== undefined && ranks.has(d.id) && d.story?.id === id)
      .sort((a, b) => ranks.get(b.id)! - ranks.get(a.id)! || (a.id < b.id ? 1 : -1));
    // Members in the index not read (a story bigger than the batch and MEMBERS_READ): listed as the record says,
    // each checked when the walk reaches it.
    const unread = new Set(record.members.filter((m) => ranks.has(m.draftId) && !known.has(m.draftId)).map((m) => m.draftId));
    groups.set(id, { lead: inIndex[0], anchor: inIndex.find(matches)?.id, listed: new Set([...inIndex.map((d) => d.id), ...unread]), unread });
  }
}

/** A row from its lead and its record (null: the lead alone). Pure. */
export function toRow(lead: DraftView, record: StoryRecord | null | undefined, listed: Set<string>): StoryRow {
  const at = lead.publishedAt ?? lead.discoveredAt;
  if (!record) {
    const self: StoryRowMember = { draftId: lead.id, sourceId: lead.source.id, sourceName: lead.source.name, headline: lead.headline, link: lead.link, addedAt: lead.discoveredAt, publishedAt: lead.publishedAt, why: '', listed: true };
    return { storyId: null, lead, sources: [lead.source.name], firstSeen: at, latestAt: at, members: [self], others: 0 };
  }
  const members = [...record.members].sort((a, b) => a.addedAt.localeCompare(b.addedAt)).map((m) => ({ ...m, listed: listed.has(m.draftId) }));
  const sources = [...new Set(members.map((m) => m.sourceName))];
  return {
    storyId: record.id,
    lead,
    sources,
    firstSeen: members[0]?.addedAt ?? record.createdAt,
    latestAt: members.at(-1)?.addedAt ?? record.updatedAt,
    members,
    others: members.filter((m) => m.listed && m.draftId !== lead.id).length,
  };
}
