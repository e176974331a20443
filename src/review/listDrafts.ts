import { z } from 'zod';
import type { Actor } from '../auth/roles.ts';
import { getStoryRecords } from '../stories/storyRecords.ts';
import type { StoryRecord } from '../stories/storyRecord.ts';
import { entityKey } from '../entities/extractEntities.ts';
import { DRAFT_STATUSES, type DraftSignal, type DraftStatus } from '../drafts/schema.ts';
import { loadDraft, requirePermission, type DeskOptions } from './deskContext.ts';
import { parseBody } from './draftEdits.ts';
import { countByStatus, getAudit, getClaims, getDrafts, type AuditEntry, type Claim } from './draftStore.ts';
import { decodeCursor, encodeCursor, walkIndex, type IndexEntry } from './walkIndex.ts';

export const DraftQuery = z.object({
  status: z.enum(DRAFT_STATUSES, `one of: ${DRAFT_STATUSES.join(', ')}`).default('pending'),
  category: z.string().optional(),
  source: z.string().optional(),
  tag: z.string().optional(),
  q: z.string().max(200).optional(),
  /** The article page's language (enrichment): `en` also finds `en-GB`; case-insensitive. */
  lang: z.string().max(35).optional(),
  /** The article page's section (enrichment), case-insensitive, whole value. */
  section: z.string().max(200).optional(),
  /** An entity the annotate stage found (person, organisation, place, product), case-insensitive, whole name. */
  entity: z.string().max(120).optional(),
  sort: z.enum(['score', 'age'], 'one of: score, age').default('score'),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200, 'at most 200').default(50),
});
export type DraftQuery = z.input<typeof DraftQuery>;

export interface DraftView extends DraftSignal {
  claim: Claim | null;
}

export interface DraftPage {
  drafts: DraftView[];
  /** Drafts per status, whatever the filters. */
  counts: Record<DraftStatus, number>;
  /** Pass back as `cursor` for the next page; null at the end. */
  nextCursor: string | null;
}

/** Index entries a filtered list reads per request at most; it returns a cursor to continue from. */
export const SCAN_BUDGET = 5000;

export async function listDrafts(o: DeskOptions, actor: Actor, query: DraftQuery): Promise<DraftPage> {
  requirePermission(actor, 'read');
  const q = parseBody(DraftQuery, query);
  const { redis, keys } = o;
  const index = q.sort === 'score' ? keys.byScore(q.status) : keys.byAge(q.status);
  const matches = draftMatcher(q);

  const found: DraftSignal[] = [];
  let scanned = 0;
  let last: IndexEntry | undefined;
  let more = false;
  // Filters are applied while walking the index, a batch at a time, until the page is full or the
  // per-request budget is spent; the cursor then says where to go on (the page may be short).
  walk: for await (const batch of walkIndex(redis, index, q.cursor ? decodeCursor(q.cursor) : undefined)) {
    const drafts = new Map((await getDrafts(redis, keys, batch.map((e) => e.id))).map((d) => [d.id, d]));
    for (const e of batch) {
      scanned++;
      last = e;
      const d = drafts.get(e.id);
      if (d && matches(d)) found.push(d);
      if (found.length === q.limit || scanned >= SCAN_BUDGET) {
        more = true;
        break walk;
      }
    }
  }
  const claims = await getClaims(redis, keys, found.map((d) => d.id), o.clock.now());
  return {
    drafts: found.map((d) => ({ ...d, claim: claims.get(d.id) ?? null })),
    counts: await countByStatus(redis, keys),
    nextCursor: more && last ? encodeCursor(last) : null,
  };
}

/** The filters of a query as one predicate (the draft list and the story list share it). Pure. */
export function draftMatcher(q: z.output<typeof DraftQuery>): (d: DraftSignal) => boolean {
  const needle = q.q?.toLowerCase();
  const entity = q.entity?.trim() ? entityKey(q.entity) : undefined;
  return (d) =>
    (!q.category || d.category === q.category) &&
    (!q.source || d.source.id === q.source) &&
    (!q.tag || d.tags.some((t) => t.toLowerCase() === q.tag!.toLowerCase())) &&
    matchesLang(d, q.lang) &&
    matchesSection(d, q.section) &&
    (!entity || (d.annotation?.entities ?? []).some((e) => entityKey(e.name) === entity)) &&
    (!needle || [d.headline, d.summary, d.source.name, ...d.tags].some((t) => t.toLowerCase().includes(needle)));
}

/** `en` matches `en`, `en-GB`, `EN_us`; `en-GB` matches only `en-GB`. A draft without a known language never matches a filter. */
export function matchesLang(d: DraftSignal, lang: string | undefined): boolean {
  const want = lang?.trim().toLowerCase().replaceAll('_', '-');
  if (!want) return true;
  const have = d.enrichment?.lang?.value.trim().toLowerCase().replaceAll('_', '-');
  return have !== undefined && (have === want || have.startsWith(`${want}-`));
}

export function matchesSection(d: DraftSignal, section: string | undefined): boolean {
  const want = section?.trim().toLowerCase();
  if (!want) return true;
  return d.enrichment?.section?.value.trim().toLowerCase() === want;
}

/** One draft for the draft page: with its claim, its audit history and its story's record (members, for split and move). */
export async function getDraftView(o: DeskOptions, actor: Actor, id: string): Promise<DraftView & { history: AuditEntry[]; storyRecord: StoryRecord | null }> {
  requirePermission(actor, 'read');
  const draft = await loadDraft(o, id);
  const [claims, history, stories] = await Promise.all([
    getClaims(o.redis, o.keys, [id], o.clock.now()),
    getAudit(o.redis, o.keys, id),
    getStoryRecords(o.redis, o.keys, draft.story ? [draft.story.id] : []),
  ]);
  return { ...draft, claim: claims.get(id) ?? null, history, storyRecord: (draft.story && stories.get(draft.story.id)) || null };
}
