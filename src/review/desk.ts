import type { Actor } from '../auth/roles.ts';
import type { DraftSignal } from '../drafts/schema.ts';
import type { Signal } from '../publish/signal.ts';
import { claimDraft, releaseDraft } from './claimDraft.ts';
import { approveDraft, editDraft, rejectDraft } from './decideDraft.ts';
import type { DeskOptions } from './deskContext.ts';
import type { AuditEntry, Claim } from './draftStore.ts';
import { getDraftView, listDrafts, listFacets, type DraftPage, type DraftQuery, type DraftView, type FacetQuery } from './listDrafts.ts';
import type { Facets } from '../search/readFacets.ts';
import { mergeDraft, reopenDraft } from './mergeDraft.ts';
import { listStories, type StoryPage } from './listStories.ts';
import { moveToStory, splitStory } from '../stories/correctStory.ts';
import type { StoryRecord } from '../stories/storyRecord.ts';

export type { DeskEvent, DeskOptions } from './deskContext.ts';
export { DraftQuery, FacetQuery, type DraftPage, type DraftView } from './listDrafts.ts';
export type { StoryPage, StoryRow, StoryRowMember } from './listStories.ts';

/**
 * The desk's service layer: every rule about drafts (who may do what, versions, claims, states, the copy
 * guard, publishing) lives here once. The web pages, the HTTP API and the CLI all call it. Each action is
 * a function of its own file by concern: `listDrafts` (list, get), `claimDraft` (claim, release),
 * `decideDraft` (edit, approve, reject), `mergeDraft` (merge, reopen); `deskContext` holds what they share.
 */
export class Desk {
  constructor(private readonly o: DeskOptions) {}

  list(actor: Actor, query: DraftQuery): Promise<DraftPage> {
    return listDrafts(this.o, actor, query);
  }

  /** The filters' pick lists: categories, sources and tags of the drafts in a status, with counts. */
  facets(actor: Actor, query: FacetQuery = {}): Promise<Facets> {
    return listFacets(this.o, actor, query);
  }

  get(actor: Actor, id: string): Promise<DraftView & { history: AuditEntry[]; storyRecord: StoryRecord | null }> {
    return getDraftView(this.o, actor, id);
  }

  /** Claims (or renews) a pending draft for `claimMs`. An expired claim may be taken over; `force` (operators) takes a live one. */
  claim(actor: Actor, id: string, options: { force?: boolean } = {}): Promise<{ action: string; claim: Claim }> {
    return claimDraft(this.o, actor, id, options);
  }

  release(actor: Actor, id: string, options: { force?: boolean } = {}): Promise<{ action: string }> {
    return releaseDraft(this.o, actor, id, options);
  }

  /** Edits editorial fields. The body names the version read; a stale one gets 409 with the current version. */
  edit(actor: Actor, id: string, body: unknown): Promise<DraftSignal> {
    return editDraft(this.o, actor, id, body);
  }

  /** Publishes a pending draft as a signal, exactly once: the version check and the stream append are one script. */
  approve(actor: Actor, id: string, body: unknown): Promise<{ draft: DraftSignal; signal: Signal; streamId: string; merged: string[] }> {
    return approveDraft(this.o, actor, id, body);
  }

  reject(actor: Actor, id: string, body: unknown): Promise<DraftSignal> {
    return rejectDraft(this.o, actor, id, body);
  }

  /** Merges a pending draft into another pending draft, which lists it (and what it had gathered) as related coverage. */
  merge(actor: Actor, id: string, body: unknown): Promise<{ draft: DraftSignal; into: DraftSignal }> {
    return mergeDraft(this.o, actor, id, body);
  }

  /** The queue as stories: one row per story (lead, publishers, members), a draft without a story on its own. */
  listStories(actor: Actor, query: DraftQuery): Promise<StoryPage> {
    return listStories(this.o, actor, query);
  }

  /** Takes a draft out of its story into one of its own; it never rejoins the old one. */
  split(actor: Actor, id: string, body: unknown): Promise<{ draft: DraftSignal; story: StoryRecord }> {
    return splitStory(this.o, actor, id, body);
  }

  /** Moves a draft to another story and pins it there. */
  move(actor: Actor, id: string, body: unknown): Promise<{ draft: DraftSignal; story: StoryRecord }> {
    return moveToStory(this.o, actor, id, body);
  }

  /** Sends a rejected or merged draft back to the queue. Published signals stay published: the stream is append-only. */
  reopen(actor: Actor, id: string, body: unknown): Promise<DraftSignal> {
    return reopenDraft(this.o, actor, id, body);
  }
}
