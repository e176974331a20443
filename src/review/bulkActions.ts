import { z } from 'zod';
import type { Actor } from '../auth/roles.ts';
import { DeskError } from '../errors.ts';
import { requirePermission } from './deskContext.ts';
import type { Desk } from './desk.ts';
import { parseBody, RejectBody } from './draftEdits.ts';

/** At most this many drafts in one bulk action (a queue page holds 50 by default, 200 at most). */
export const BULK_MAX = 200;

const DraftId = z.string().regex(/^d_[A-Za-z0-9_-]{16}$/, 'must be a draft id (d_…)');
const Picked = z.object({ id: DraftId, version: z.number().int().min(1).optional() });

/**
 * A bulk action on drafts picked in the queue: each draft names the version the editor saw (reject and merge
 * need it, as for one draft; a release does not). `merge` merges every picked draft but `into` into `into`.
 */
export const BulkBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('reject'), drafts: z.array(Picked).min(1, 'pick at least one draft').max(BULK_MAX, `at most ${BULK_MAX} drafts`), reason: RejectBody.shape.reason }),
  z.object({ action: z.literal('merge'), drafts: z.array(Picked).min(1, 'pick at least two drafts').max(BULK_MAX, `at most ${BULK_MAX} drafts`), into: DraftId }),
  z.object({ action: z.literal('release'), drafts: z.array(Picked).min(1, 'pick at least one draft').max(BULK_MAX, `at most ${BULK_MAX} drafts`) }),
], { error: 'one of: reject, merge, release' });
export type BulkBody = z.infer<typeof BulkBody>;

export type BulkOutcome =
  | { id: string; ok: true; status: 'rejected' | 'merged' | 'released' | 'pending' }
  | { id: string; ok: false; error: string; message: string; fields?: Record<string, string> };

export interface BulkResult {
  action: BulkBody['action'];
  into?: string;
  /** One entry per picked draft, in the order picked: what happened to it, or why it did not. */
  results: BulkOutcome[];
  done: number;
  failed: number;
}

/**
 * Runs one desk action on each picked draft through the same per-draft functions as the draft page, the API and
 * the CLI (same permissions, versions, claims, 409s and 422s), one after the other; a draft that fails is
 * reported with its error and the others go on. Nothing is undone: each draft's change is its own write.
 */
export async function runBulkAction(desk: Desk, actor: Actor, body: unknown): Promise<BulkResult> {
  requirePermission(actor, 'review');
  const b = parseBody(BulkBody, body);
  const seen = new Set<string>();
  const drafts = b.drafts.filter((d) => !seen.has(d.id) && seen.add(d.id));
  if (b.action === 'merge' && drafts.every((d) => d.id === b.into)) throw new DeskError('invalid_fields', 'pick at least one draft besides the one to merge into', { fields: { drafts: 'pick at least two drafts' } });
  const results: BulkOutcome[] = [];
  for (const d of drafts) {
    if (b.action === 'merge' && d.id === b.into) continue;
    results.push(await runOne(desk, actor, b, d));
  }
  const done = results.filter((r) => r.ok).length;
  return { action: b.action, ...(b.action === 'merge' ? { into: b.into } : {}), results, done, failed: results.length - done };
}

async function runOne(desk: Desk, actor: Actor, b: BulkBody, d: z.infer<typeof Picked>): Promise<BulkOutcome> {
  try {
    if (b.action === 'release') {
      await desk.release(actor, d.id);
      return { id: d.id, ok: true, status: 'released' };
    }
    if (d.version === undefined) throw new DeskError('invalid_fields', `draft ${d.id}: send the version you read`, { fields: { version: 'required: send the version of the draft you read (a whole number)' } });
    if (b.action === 'reject') {
      await desk.reject(actor, d.id, { version: d.version, reason: b.reason });
      return { id: d.id, ok: true, status: 'rejected' };
    }
    await desk.merge(actor, d.id, { version: d.version, into: b.into });
    return { id: d.id, ok: true, status: 'merged' };
  } catch (err) {
    if (!(err instanceof DeskError)) throw err;
    return { id: d.id, ok: false, error: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) };
  }
}
