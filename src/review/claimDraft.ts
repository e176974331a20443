import type { Actor } from '../auth/roles.ts';
import { DeskError } from '../errors.ts';
import { emitEvent, lockedError, notFound, requirePermission, type DeskOptions } from './deskContext.ts';
import { changeClaim, type Claim, type ClaimMode, type ClaimResult } from './draftStore.ts';

/** Claims (or renews) a pending draft for `claimMs`. An expired claim may be taken over; `force` (operators) takes a live one. */
export async function claimDraft(o: DeskOptions, actor: Actor, id: string, options: { force?: boolean } = {}): Promise<{ action: string; claim: Claim }> {
  requirePermission(actor, 'review');
  if (options.force) requirePermission(actor, 'forceLock');
  const now = o.clock.now();
  const result = await changeClaim(o.redis, o.keys, id, actor.name, options.force ? 'force' : 'claim', now, o.claimMs);
  throwClaimFailure(result, id, actor);
  await emitEvent(o, { type: 'claim', draftId: id, actor: actor.name });
  return { action: (result as { action: string }).action, claim: { user: actor.name, expiresAt: new Date(now + o.claimMs).toISOString() } };
}

export async function releaseDraft(o: DeskOptions, actor: Actor, id: string, options: { force?: boolean } = {}): Promise<{ action: string }> {
  requirePermission(actor, 'review');
  if (options.force) requirePermission(actor, 'forceLock');
  const mode: ClaimMode = options.force ? 'force-release' : 'release';
  const result = await changeClaim(o.redis, o.keys, id, actor.name, mode, o.clock.now(), o.claimMs);
  throwClaimFailure(result, id, actor);
  await emitEvent(o, { type: 'claim', draftId: id, actor: actor.name });
  return { action: (result as { action: string }).action };
}

function throwClaimFailure(result: ClaimResult, id: string, actor: Actor): void {
  if (result.ok) return;
  if (result.reason === 'missing') throw notFound(id);
  if (result.reason === 'not_pending') throw new DeskError('invalid_state', `draft ${id} is ${result.status}; only pending drafts can be claimed`, { details: { status: result.status } });
  throw lockedError(id, result.claim, actor);
}
