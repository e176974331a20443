import { z } from 'zod';
import { can, describeMissing, type Actor, type Permission } from '../auth/roles.ts';
import type { Clock } from '../clock.ts';
import type { RedisClient } from '../redisClient.ts';
import { DRAFT_STATUSES, type DraftSignal, type DraftStatus } from '../drafts/schema.ts';
import { ageRank, reviewRank } from '../drafts/score.ts';
import { DeskError } from '../errors.ts';
import type { Keys } from '../queue/keys.ts';
import { toSignal, type Signal } from '../publish/signal.ts';
import { applyPatch, changedFields, checkPublishable, MergeBody, parseBody, PatchBody, RejectBody, VersionBody } from './draftEdits.ts';
import {
  applyDraftChanges,
  changeClaim,
  countByStatus,
  getAudit,
  getClaims,
  getDraft,
  getDrafts,
  type AuditEntry,
  type Claim,
  type ClaimMode,
  type DraftChange,
} from './draftStore.ts';

export const DraftQuery = z.object({
  status: z.enum(DRAFT_STATUSES, `one of: ${DRAFT_STATUSES.join(', ')}`).default('pending'),
  category: z.string().optional(),
  source: z.string().optional(),
  tag: z.string().optional(),
  q: z.string().max(200).optional(),
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

export interface DeskEvent {
  type: 'claim' | 'edit' | 'approve' | 'reject' | 'merge' | 'reopen';
  draftId: string;
  actor: string;
}

export interface DeskOptions {
  redis: RedisClient;
  keys: Keys;
  clock: Clock;
  /** How long a claim lasts before others may take it over. */
  claimMs: number;
  /** Called after a signal is published (the webhook is queued here). A failure is logged by the caller, not undone. */
  onPublished?: (signal: Signal) => Promise<void>;
}

const SCAN_BATCH = 200;
/** Index entries a filtered list reads per request at most; it returns a cursor to continue from. */
const SCAN_BUDGET = 5000;

const Cursor = z.object({ s: z.number(), id: z.string() });

/**
 * The desk's service layer: every rule about drafts (who may do what, versions, claims, states, the copy
 * guard, publishing) lives here once. The web pages, the HTTP API and the CLI all call it.
 */
export class Desk {
  constructor(private readonly o: DeskOptions) {}

  private require(actor: Actor, permission: Permission): void {
    if (!can(actor, permission)) throw new DeskError('forbidden', describeMissing(actor, permission));
  }

  async list(actor: Actor, query: DraftQuery): Promise<DraftPage> {
    this.require(actor, 'read');
    const q = parseBody(DraftQuery, query);
    const { redis, keys } = this.o;
    const index = q.sort === 'score' ? keys.byScore(q.status) : keys.byAge(q.status);
    const needle = q.q?.toLowerCase();
    const matches = (d: DraftSignal) =>
      (!q.category || d.category === q.category) &&
      (!q.source || d.source.id === q.source) &&
      (!q.tag || d.tags.some((t) => t.toLowerCase() === q.tag!.toLowerCase())) &&
      (!needle || [d.headline, d.summary, d.source.name, ...d.tags].some((t) => t.toLowerCase().includes(needle)));

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
    const claims = await getClaims(redis, keys, found.map((d) => d.id), this.o.clock.now());
    return {
      drafts: found.map((d) => ({ ...d, claim: claims.get(d.id) ?? null })),
      counts: await countByStatus(redis, keys),
      nextCursor: more && last ? encodeCursor(last) : null,
    };
  }

  async get(actor: Actor, id: string): Promise<DraftView & { history: AuditEntry[] }> {
    this.require(actor, 'read');
    const draft = await this.load(id);
    const [claims, history] = await Promise.all([getClaims(this.o.redis, this.o.keys, [id], this.o.clock.now()), getAudit(this.o.redis, this.o.keys, id)]);
    return { ...draft, claim: claims.get(id) ?? null, history };
  }

  /** Claims (or renews) a pending draft for `claimMs`. An expired claim may be taken over; `force` (operators) takes a live one. */
  async claim(actor: Actor, id: string, options: { force?: boolean } = {}): Promise<{ action: string; claim: Claim }> {
    this.require(actor, 'review');
    if (options.force) this.require(actor, 'forceLock');
    const now = this.o.clock.now();
    const result = await changeClaim(this.o.redis, this.o.keys, id, actor.name, options.force ? 'force' : 'claim', now, this.o.claimMs);
    this.claimFailure(result, id);
    await this.emit({ type: 'claim', draftId: id, actor: actor.name });
    return { action: (result as { action: string }).action, claim: { user: actor.name, expiresAt: now + this.o.claimMs } };
  }

  async release(actor: Actor, id: string, options: { force?: boolean } = {}): Promise<{ action: string }> {
    this.require(actor, 'review');
    if (options.force) this.require(actor, 'forceLock');
    const mode: ClaimMode = options.force ? 'force-release' : 'release';
    const result = await changeClaim(this.o.redis, this.o.keys, id, actor.name, mode, this.o.clock.now(), this.o.claimMs);
    this.claimFailure(result, id);
    await this.emit({ type: 'claim', draftId: id, actor: actor.name });
    return { action: (result as { action: string }).action };
  }

  private claimFailure(result: Awaited<ReturnType<typeof changeClaim>>, id: string): void {
    if (result.ok) return;
    if (result.reason === 'missing') throw notFound(id);
    if (result.reason === 'not_pending') throw new DeskError('invalid_state', `draft ${id} is ${result.status}; only pending drafts can be claimed`, { details: { status: result.status } });
    throw lockedError(id, result.claim);
  }

  /** Edits editorial fields. The body names the version read; a stale one gets 409 with the current version. */
  async edit(actor: Actor, id: string, body: unknown): Promise<DraftSignal> {
    this.require(actor, 'review');
    const { version, ...patch } = parseBody(PatchBody, body);
    const draft = await this.loadAt(id, version);
    this.requireStatus(draft, ['pending'], 'edited');
    const next = this.bump(applyPatch(draft, patch));
    const fields = changedFields(draft, next);
    if (fields.length === 0) return draft;
    await this.apply(actor, [this.change(draft, next, { action: 'edit', fields }, 'check')]);
    await this.emit({ type: 'edit', draftId: id, actor: actor.name });
    return next;
  }

  /** Publishes a pending draft as a signal, exactly once: the version check and the stream append are one script. */
  async approve(actor: Actor, id: string, body: unknown): Promise<{ draft: DraftSignal; signal: Signal; streamId: string }> {
    this.require(actor, 'review');
    const { version } = parseBody(VersionBody, body);
    const draft = await this.loadAt(id, version);
    this.requireStatus(draft, ['pending'], 'approved');
    checkPublishable(draft);
    const at = this.isoNow();
    const next = this.bump({ ...draft, status: 'approved', decision: { action: 'approve', by: actor.name, at } });
    const signal = toSignal(next, at, actor.name);
    const streamId = await this.apply(actor, [this.change(draft, next, { action: 'approve', signalId: signal.id }, 'check-release')], JSON.stringify(signal));
    await this.emit({ type: 'approve', draftId: id, actor: actor.name });
    await this.o.onPublished?.(signal);
    return { draft: next, signal, streamId: streamId! };
  }

  async reject(actor: Actor, id: string, body: unknown): Promise<DraftSignal> {
    this.require(actor, 'review');
    const { version, reason } = parseBody(RejectBody, body);
    const draft = await this.loadAt(id, version);
    this.requireStatus(draft, ['pending'], 'rejected');
    const next = this.bump({ ...draft, status: 'rejected', decision: { action: 'reject', by: actor.name, at: this.isoNow(), reason } });
    await this.apply(actor, [this.change(draft, next, { action: 'reject', reason }, 'check-release')]);
    await this.emit({ type: 'reject', draftId: id, actor: actor.name });
    return next;
  }

  /** Merges a pending draft into another pending draft, which lists it (and what it had gathered) as related coverage. */
  async merge(actor: Actor, id: string, body: unknown): Promise<{ draft: DraftSignal; into: DraftSignal }> {
    this.require(actor, 'review');
    const { version, into } = parseBody(MergeBody, body);
    if (into === id) throw new DeskError('invalid_fields', 'a draft cannot be merged into itself', { fields: { into: 'must be another draft' } });
    const draft = await this.loadAt(id, version);
    this.requireStatus(draft, ['pending'], 'merged');
    const target = await this.load(into);
    if (target.status !== 'pending') {
      throw new DeskError('invalid_state', `cannot merge into ${into}: it is ${target.status}; merge only into a pending draft`, { fields: { into: `is ${target.status}` } });
    }
    const at = this.isoNow();
    const next = this.bump({ ...draft, status: 'merged', mergedInto: into, decision: { action: 'merge', by: actor.name, at } });
    const gathered = [{ draftId: draft.id, headline: draft.headline, sourceName: draft.source.name, link: draft.link }, ...draft.related];
    const related = [...target.related.filter((r) => !gathered.some((g) => g.draftId === r.draftId)), ...gathered].slice(0, 50);
    const nextTarget = this.bump({ ...target, related });
    await this.apply(actor, [
      this.change(draft, next, { action: 'merge', into }, 'check-release'),
      this.change(target, nextTarget, { action: 'merged_in', from: id }, 'none'),
    ]);
    await this.emit({ type: 'merge', draftId: id, actor: actor.name });
    return { draft: next, into: nextTarget };
  }

  /** Sends a rejected or merged draft back to the queue. Published signals stay published: the stream is append-only. */
  async reopen(actor: Actor, id: string, body: unknown): Promise<DraftSignal> {
    this.require(actor, 'review');
    const { version } = parseBody(VersionBody, body);
    const draft = await this.loadAt(id, version);
    if (draft.status === 'approved') {
      throw new DeskError('invalid_state', `draft ${id} is published; a published signal cannot be reopened (the signal stream is append-only)`);
    }
    this.requireStatus(draft, ['rejected', 'merged'], 'reopened');
    const next = this.bump({ ...draft, status: 'pending', mergedInto: null, decision: { action: 'reopen', by: actor.name, at: this.isoNow() } });
    const changes = [this.change(draft, next, { action: 'reopen' }, 'none')];
    // Take it back out of the related coverage of the draft it was merged into, while that one is still pending.
    const target = draft.mergedInto ? await getDraft(this.o.redis, this.o.keys, draft.mergedInto) : undefined;
    if (target?.status === 'pending' && target.related.some((r) => r.draftId === id)) {
      changes.push(this.change(target, this.bump({ ...target, related: target.related.filter((r) => r.draftId !== id) }), { action: 'unmerged', from: id }, 'none'));
    }
    await this.apply(actor, changes);
    await this.emit({ type: 'reopen', draftId: id, actor: actor.name });
    return next;
  }

  private async load(id: string): Promise<DraftSignal> {
    const draft = await getDraft(this.o.redis, this.o.keys, id);
    if (!draft) throw notFound(id);
    return draft;
  }

  private async loadAt(id: string, version: number): Promise<DraftSignal> {
    const draft = await this.load(id);
    if (draft.version !== version) throw staleError(id, version, draft.version);
    return draft;
  }

  private requireStatus(d: DraftSignal, allowed: DraftStatus[], doing: string): void {
    if (allowed.includes(d.status)) return;
    const by = d.decision ? ` by ${d.decision.by} at ${d.decision.at}` : '';
    throw new DeskError('invalid_state', `draft ${d.id} is ${d.status}${by}; only ${allowed.join(' or ')} drafts can be ${doing}`, { details: { status: d.status, decision: d.decision } });
  }

  private isoNow(): string {
    return new Date(this.o.clock.now()).toISOString();
  }

  private bump(d: DraftSignal): DraftSignal {
    return { ...d, version: d.version + 1, updatedAt: this.isoNow() };
  }

  /** One draft's part of an action; the actor is filled in by `apply`. */
  private change(before: DraftSignal, next: DraftSignal, audit: Omit<AuditEntry, 'at' | 'actor' | 'version'>, claim: DraftChange['claim']): DraftChange {
    return {
      expectedVersion: before.version,
      next,
      scoreRank: reviewRank(next.score, next.discoveredAt),
      ageRank: ageRank(next.publishedAt, next.discoveredAt),
      audit: { at: this.isoNow(), actor: '', version: next.version, ...audit },
      claim,
    };
  }

  private async apply(actor: Actor, changes: DraftChange[], signalJson?: string): Promise<string | undefined> {
    for (const c of changes) c.audit.actor = actor.name;
    const result = await applyDraftChanges(this.o.redis, this.o.keys, actor.name, this.o.clock.now(), changes, signalJson);
    if (result.ok) return result.streamId;
    const id = changes[result.index]!.next.id;
    if (result.reason === 'missing') throw notFound(id);
    if (result.reason === 'stale') throw staleError(id, changes[result.index]!.expectedVersion, result.version!);
    throw lockedError(id, result.claim!);
  }

  private async emit(event: DeskEvent): Promise<void> {
    await this.o.redis.publish(this.o.keys.deskEvents, JSON.stringify(event));
  }
}

function notFound(id: string): DeskError {
  return new DeskError('not_found', `no draft ${id}`);
}

function staleError(id: string, sent: number, current: number): DeskError {
  return new DeskError('stale_version', `draft ${id} changed since you read it (you sent version ${sent}, it is now at ${current}): reload it, then apply your change again`, { details: { currentVersion: current } });
}

function lockedError(id: string, claim: Claim): DeskError {
  return new DeskError('locked', `draft ${id} is claimed by ${claim.user} until ${new Date(claim.expiresAt).toISOString()}; wait for it to expire or ask an operator to force it`, { details: { claim } });
}

interface IndexEntry {
  id: string;
  s: number;
}

function pairs(raw: string[]): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (let i = 0; i < raw.length; i += 2) out.push({ id: raw[i]!, s: Number(raw[i + 1]) });
  return out;
}

/**
 * Walks a sorted set from the highest score down, in batches, starting after `from`. Equal scores are
 * common (one poll's drafts share a discovery time) and Redis orders them by member, descending; so a
 * position is (score, id): the rest of its tie group first, then everything strictly below the score.
 */
async function* walkIndex(redis: RedisClient, index: string, from?: IndexEntry): AsyncGenerator<IndexEntry[]> {
  let pos = from;
  for (;;) {
    let batch: IndexEntry[];
    if (pos) {
      const p = pos;
      const tie = pairs(await redis.zrevrangebyscore(index, p.s, p.s, 'WITHSCORES')).filter((e) => e.id < p.id);
      batch = [...tie, ...pairs(await redis.zrevrangebyscore(index, `(${p.s}`, '-inf', 'WITHSCORES', 'LIMIT', 0, SCAN_BATCH))];
    } else {
      batch = pairs(await redis.zrevrangebyscore(index, '+inf', '-inf', 'WITHSCORES', 'LIMIT', 0, SCAN_BATCH));
    }
    if (batch.length === 0) return;
    yield batch;
    pos = batch[batch.length - 1];
  }
}

function encodeCursor(c: { s: number; id: string }): string {
  return Buffer.from(JSON.stringify({ s: c.s, id: c.id })).toString('base64url');
}

function decodeCursor(text: string): { s: number; id: string } {
  try {
    return Cursor.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new DeskError('invalid_fields', 'cursor is not one this server issued: pass back nextCursor unchanged', { fields: { cursor: 'not a cursor from a previous page' } });
  }
}
