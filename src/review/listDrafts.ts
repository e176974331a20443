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
import { searchIndex } from '../search/querySearch.ts';
import { searchReady } from '../search/rebuildSearch.ts';
import { readFacets, type Facets } from '../search/readFacets.ts';
import { draftTokens, filterToken, filterValue, matchesTerms, parseSearchQuery, type SearchTerm } from '../search/searchText.ts';

export const DraftQuery = z.object({
  status: z.enum(DRAFT_STATUSES, `one of: ${DRAFT_STATUSES.join(', ')}`).default('pending'),
  category: z.string().optional(),
  source: z.string().optional(),
  tag: z.string().optional(),
  /** Words to find (prefixes of words in the headline, excerpt, tags, source name, author, summary; at most 8 used). */
  q: z.string().max(200, 'at most 200 characters: search by a few words').optional(),
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
  walk: for await (const batch of await walkQuery(o, q, index)) {
    const drafts = new Map((await getDrafts(redis, keys, batch.map((e) => e.id))).map((d) => [d.id, d]));
    for (const e of batch) {
      scanned += e.walked ?? 1;
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

/**
 * The terms the search index answers for a query: its words (prefixes, CJK character pairs) and the tag,
 * category and source filters (exact). Language, section and entity are checked on the drafts only.
 */
export function indexTerms(q: z.output<typeof DraftQuery>): SearchTerm[] {
  const terms = parseSearchQuery(q.q);
  if (q.tag && filterValue(q.tag)) terms.push({ text: filterToken.tag(q.tag), prefix: false });
  if (q.category && filterValue(q.category)) terms.push({ text: filterToken.category(q.category), prefix: false });
  if (q.source && filterValue(q.source)) terms.push({ text: filterToken.source(q.source), prefix: false });
  return terms;
}

/**
 * The index entries to walk for a query, best first after its cursor: the search index's matches when the
 * query has terms and the index is complete (search/querySearch.ts), else the whole status index (the
 * predicate decides; a missing index is being rebuilt meanwhile).
 */
export async function walkQuery(o: DeskOptions, q: z.output<typeof DraftQuery>, index: string): Promise<AsyncGenerator<IndexEntry[]>> {
  const from = q.cursor ? decodeCursor(q.cursor) : undefined;
  const terms = indexTerms(q);
  if (terms.length && (await searchReady(o.redis, o.keys))) return searchIndex(o.redis, o.keys, index, terms, from);
  return walkIndex(o.redis, index, from);
}

/**
 * The filters of a query as one predicate (the draft list and the story list share it), the same rules the
 * search index answers by: every word of `q` starts a word of the headline, tags, source name, author,
 * excerpt or summary (folded: case, accents, widths, invisible characters); tag and category whole values,
 * folded alike; source by id or name. Every candidate the index gives is checked again here. Pure.
 */
export function draftMatcher(q: z.output<typeof DraftQuery>): (d: DraftSignal) => boolean {
  const terms = parseSearchQuery(q.q);
  const entity = q.entity?.trim() ? entityKey(q.entity) : undefined;
  const tag = q.tag && filterValue(q.tag);
  const category = q.category && filterValue(q.category);
  const source = q.source && filterValue(q.source);
  return (d) =>
    (!category || (d.category !== null && filterValue(d.category) === category)) &&
    (!source || filterValue(d.source.id) === source || filterValue(d.source.name) === source) &&
    (!tag || d.tags.some((t) => filterValue(t) === tag)) &&
    matchesLang(d, q.lang) &&
    matchesSection(d, q.section) &&
    (!entity || (d.annotation?.entities ?? []).some((e) => entityKey(e.name) === entity)) &&
    (terms.length === 0 || matchesTerms(draftTokens(d).words, terms));
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

export const FacetQuery = z.object({ status: z.enum(DRAFT_STATUSES, `one of: ${DRAFT_STATUSES.join(', ')}`).default('pending') });
export type FacetQuery = z.input<typeof FacetQuery>;

/**
 * The categories, sources and tags that drafts of one status have, with counts, most common first: the queue's
 * pick lists. One HGETALL. The counts are the index's, so a missing index (no version key: a store from before
 * it, Redis lost it, `migrate` is rebuilding it) is rebuilt first, as a search does: at once for a small desk;
 * for a big one in the background, and meanwhile the counts so far are answered with `partial` and `rebuilding`.
 */
export async function listFacets(o: DeskOptions, actor: Actor, query: FacetQuery): Promise<Facets> {
  requirePermission(actor, 'read');
  const { status } = parseBody(FacetQuery, query);
  const ready = await searchReady(o.redis, o.keys);
  const facets = await readFacets(o.redis, o.keys, status);
  return ready ? facets : { ...facets, partial: true, rebuilding: true };
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
