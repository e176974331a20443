import { can, describeMissing, type Actor, type Permission } from '../auth/roles.ts';
import { formatUtc, type Clock } from '../clock.ts';
import type { DraftSignal, DraftStatus } from '../drafts/schema.ts';
import { ageRank, reviewRank } from '../drafts/score.ts';
import { DeskError } from '../errors.ts';
import type { Signal } from '../publish/signal.ts';
import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';
import { applyDraftChanges, getDraft, type AuditEntry, type Claim, type DraftChange } from './draftStore.ts';

export interface DeskOptions {
  redis: RedisClient;
  keys: Keys;
  clock: Clock;
  /** How long a claim lasts before others may take it over. */
  claimMs: number;
  /** Called after a signal is published (the webhook is queued here). A failure is logged by the caller, not undone. */
  onPublished?: (signal: Signal) => Promise<void>;
  /**
   * Called after a draft in no story is reopened (a rule's drop, or a rejection before the story stage placed it):
   * the story stage is asked to place it (createDesk queues a story job), else it would stay pending outside any story.
   */
  onReopened?: (draft: DraftSignal) => Promise<void>;
}

export interface DeskEvent {
  type: 'claim' | 'edit' | 'approve' | 'reject' | 'merge' | 'reopen' | 'split' | 'move';
  draftId: string;
  actor: string;
}

/** The helpers every desk action shares: permissions, loading at a version, states, versions, the write script, events. */
export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) throw new DeskError('forbidden', describeMissing(actor, permission));
}

export async function loadDraft(o: DeskOptions, id: string): Promise<DraftSignal> {
  const draft = await getDraft(o.redis, o.keys, id);
  if (!draft) throw notFound(id);
  return draft;
}

export async function loadDraftAt(o: DeskOptions, id: string, version: number): Promise<DraftSignal> {
  const draft = await loadDraft(o, id);
  if (draft.version !== version) throw staleError(id, version, draft.version);
  return draft;
}

export function requireStatus(d: DraftSignal, allowed: DraftStatus[], doing: string): void {
  if (allowed.includes(d.status)) return;
  const by = d.decision ? ` by ${d.decision.by} at ${formatUtc(d.decision.at)}` : '';
  throw new DeskError('invalid_state', `draft ${d.id} is ${d.status}${by}; only ${allowed.join(' or ')} drafts can be ${doing}`, { details: { status: d.status, decision: d.decision } });
}

export function isoNow(o: DeskOptions): string {
  return new Date(o.clock.now()).toISOString();
}

export function bumpVersion(o: DeskOptions, d: DraftSignal): DraftSignal {
  return { ...d, version: d.version + 1, updatedAt: isoNow(o) };
}

/** One draft's part of an action; the actor is filled in by `applyChanges`. */
export function describeChange(o: DeskOptions, before: DraftSignal, next: DraftSignal, audit: Omit<AuditEntry, 'at' | 'actor' | 'version'>, claim: DraftChange['claim']): DraftChange {
  return {
    expectedVersion: before.version,
    next,
    scoreRank: reviewRank(next.score, next.discoveredAt),
    ageRank: ageRank(next.publishedAt, next.discoveredAt),
    audit: { at: isoNow(o), actor: '', version: next.version, ...audit },
    claim,
  };
}

/** Runs the write script; a stale version or another editor's live claim becomes the matching 409. */
export async function applyChanges(o: DeskOptions, actor: Actor, changes: DraftChange[], signalJson?: string): Promise<string | undefined> {
  for (const c of changes) c.audit.actor = actor.name;
  const result = await applyDraftChanges(o.redis, o.keys, actor.name, o.clock.now(), changes, signalJson);
  if (result.ok) return result.streamId;
  const id = changes[result.index]!.next.id;
  if (result.reason === 'missing') throw notFound(id);
  if (result.reason === 'stale') throw staleError(id, changes[result.index]!.expectedVersion, result.version!);
  throw lockedError(id, result.claim!, actor);
}

export async function emitEvent(o: DeskOptions, event: DeskEvent): Promise<void> {
  await o.redis.publish(o.keys.deskEvents, JSON.stringify(event));
}

export function notFound(id: string): DeskError {
  return new DeskError('not_found', `no draft ${id}`);
}

export function staleError(id: string, sent: number, current: number): DeskError {
  return new DeskError('stale_version', `draft ${id} changed since you read it (you sent version ${sent}, it is now at ${current}): reload it, then apply your change again`, { details: { currentVersion: current } });
}

/**
 * 409 for a write on a draft someone else has claimed: who holds it until when, and what this actor can do about
 * it (an operator can take it over; an editor waits, asks the holder, or asks an operator).
 */
export function lockedError(id: string, claim: Claim, actor: Actor): DeskError {
  const until = formatUtc(claim.expiresAt);
  const what = can(actor, 'forceLock')
    ? `wait until then, ask ${claim.user} to release it, or take it over: Force claim on the draft's page, or signal-desk review claim ${id} --force`
    : `wait until then or ask ${claim.user} to release it (an operator can take it over)`;
  return new DeskError('locked', `draft ${id} is claimed by ${claim.user} until ${until}: ${what}`, { details: { claim } });
}
