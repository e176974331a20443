import { z } from 'zod';
import type { RedisClient } from '../redisClient.ts';
import { Coverage, DRAFT_STATUSES, DraftSignal, type DraftStatus } from '../drafts/schema.ts';
import { toStoredJson } from '../drafts/toDraft.ts';
import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';
import { INDEX_KEYS_COUNT, indexKeyList, LUA_INDEX, searchEntry } from '../search/searchIndex.ts';

/**
 * An editor's claim on a draft as Redis holds it: `expiresAt` in epoch ms, compared with the injected clock (so
 * tests can expire it) by the scripts below.
 */
const StoredClaim = z.object({ user: z.string(), expiresAt: z.number() });
/** A claim as the desk service, the API and the CLI show it: `expiresAt` in ISO 8601, as every other date. */
export interface Claim {
  user: string;
  expiresAt: string;
}
const toClaim = (user: string, expiresAtMs: number): Claim => ({ user, expiresAt: new Date(expiresAtMs).toISOString() });

export const AuditEntry = z.object({
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  version: z.number().optional(),
  fields: z.array(z.string()).optional(),
  reason: z.string().optional(),
  into: z.string().optional(),
  from: z.string().optional(),
  holder: z.string().optional(),
  signalId: z.string().optional(),
  /** Split and move: the story left (`from`) is in `fromStory`, the story joined in `story`. */
  story: z.string().optional(),
  fromStory: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

const AUDIT_KEEP = 500;

/**
 * Applies the changes of one desk action to one or two drafts, all or nothing. For each draft it checks,
 * atomically, that the stored version is the one the editor read (else "stale") and that no one else holds
 * an unexpired claim (else "locked"); then writes the new JSON, moves the id between the per-status
 * indexes, appends the audit entry, and, for an approval, appends the signal to the stream. Because the
 * check and the write are one script, two editors approving at once publish exactly once.
 *
 * The search index entry of each draft (search/searchIndex.ts) is replaced in the same script, before the draft.
 *
 * KEYS: 1 signals stream; 2–5 by-score index per status; 6–9 by-age index per status; 10–23 the search index
 *       (postings, docs, facets per status and kind); then per draft: draft, claim, audit.
 * ARGV: 1 now (ms), 2 actor, 3 signal JSON or "", 4 number of drafts, then per draft: expected version,
 *       new JSON, new status, score rank, age rank, audit JSON, claim mode ("check", "check-release", "none"),
 *       search entry.
 */
const APPLY = `${LUA_INDEX}
local STATUS = {pending = 0, approved = 1, rejected = 2, merged = 3}
local now, actor, n = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[4])
local current = {}
for i = 1, n do
  local k, a = ${9 + INDEX_KEYS_COUNT} + (i - 1) * 3, 4 + (i - 1) * 8
  local raw = redis.call('GET', KEYS[k + 1])
  if not raw then return {'missing', tostring(i)} end
  local d = cjson.decode(raw)
  if tostring(d.version) ~= ARGV[a + 1] then return {'stale', tostring(i), tostring(d.version)} end
  if ARGV[a + 7] ~= 'none' then
    local claim = redis.call('GET', KEYS[k + 2])
    if claim then
      local c = cjson.decode(claim)
      if c.user ~= actor and tonumber(c.expiresAt) > now then return {'locked', tostring(i), c.user, tostring(c.expiresAt)} end
    end
  end
  current[i] = d
end
for i = 1, n do
  local k, a = ${9 + INDEX_KEYS_COUNT} + (i - 1) * 3, 4 + (i - 1) * 8
  local id, old, new = current[i].id, STATUS[current[i].status], STATUS[ARGV[a + 3]]
  sd_index(10, id, ARGV[a + 8])
  redis.call('SET', KEYS[k + 1], ARGV[a + 2])
  redis.call('ZREM', KEYS[2 + old], id)
  redis.call('ZREM', KEYS[6 + old], id)
  redis.call('ZADD', KEYS[2 + new], ARGV[a + 4], id)
  redis.call('ZADD', KEYS[6 + new], ARGV[a + 5], id)
  redis.call('RPUSH', KEYS[k + 3], ARGV[a + 6])
  redis.call('LTRIM', KEYS[k + 3], -${AUDIT_KEEP}, -1)
  if ARGV[a + 7] == 'check-release' then redis.call('DEL', KEYS[k + 2]) end
end
if ARGV[3] ~= '' then return {'ok', redis.call('XADD', KEYS[1], '*', 'signal', ARGV[3])} end
return {'ok', ''}`;

/**
 * Claims, renews, takes over, forces or releases the claim on a pending draft, with an audit entry.
 * KEYS: draft, claim, audit. ARGV: now (ms), actor, mode (claim|force|release|force-release), expiresAt (ms),
 * key TTL (ms, only to clean up; expiry is decided by expiresAt against now), now as ISO text.
 */
const CLAIM = `
local raw = redis.call('GET', KEYS[1])
if not raw then return {'missing'} end
local d = cjson.decode(raw)
local now, actor, mode = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local held = redis.call('GET', KEYS[2])
local c = held and cjson.decode(held) or nil
local live = c and tonumber(c.expiresAt) > now
local action
if mode == 'claim' or mode == 'force' then
  if d.status ~= 'pending' then return {'not_pending', d.status} end
  if live and c.user ~= actor and mode ~= 'force' then return {'locked', c.user, tostring(c.expiresAt)} end
  if live and c.user == actor then action = 'renew'
  elseif live then action = 'force_claim'
  elseif c and c.user ~= actor then action = 'takeover'
  else action = 'claim' end
  redis.call('SET', KEYS[2], cjson.encode({user = actor, expiresAt = tonumber(ARGV[4])}), 'PX', ARGV[5])
else
  if not live then
    redis.call('DEL', KEYS[2])
    return {'ok', 'none'}
  end
  if c.user ~= actor and mode ~= 'force-release' then return {'locked', c.user, tostring(c.expiresAt)} end
  action = (c.user == actor) and 'release' or 'force_release'
  redis.call('DEL', KEYS[2])
end
local entry = {at = ARGV[6], actor = actor, action = action}
if c and c.user ~= actor then entry.holder = c.user end
redis.call('RPUSH', KEYS[3], cjson.encode(entry))
redis.call('LTRIM', KEYS[3], -${AUDIT_KEEP}, -1)
return {'ok', action}`;

type ScriptClient = {
  sdApplyDraftChanges(numKeys: number, ...args: string[]): Promise<string[]>;
  sdClaimDraft(numKeys: number, ...args: string[]): Promise<string[]>;
};
const scripts = (redis: RedisClient) => withScripts<ScriptClient>(redis, { sdApplyDraftChanges: APPLY, sdClaimDraft: CLAIM });

export interface DraftChange {
  expectedVersion: number;
  next: DraftSignal;
  scoreRank: number;
  ageRank: number;
  audit: AuditEntry;
  claim: 'check' | 'check-release' | 'none';
}

export type ApplyResult =
  | { ok: true; streamId: string | undefined }
  | { ok: false; reason: 'missing' | 'stale' | 'locked'; index: number; version?: number; claim?: Claim };

export async function applyDraftChanges(redis: RedisClient, keys: Keys, actor: string, now: number, changes: DraftChange[], signalJson = ''): Promise<ApplyResult> {
  const keyList = [
    keys.signals,
    ...DRAFT_STATUSES.map((s) => keys.byScore(s)),
    ...DRAFT_STATUSES.map((s) => keys.byAge(s)),
    ...indexKeyList(keys),
    ...changes.flatMap((c) => [keys.draft(c.next.id), keys.lock(c.next.id), keys.audit(c.next.id)]),
  ];
  const args = [
    String(now),
    actor,
    signalJson,
    String(changes.length),
    ...changes.flatMap((c) => [String(c.expectedVersion), toStoredJson(c.next), c.next.status, String(c.scoreRank), String(c.ageRank), JSON.stringify(c.audit), c.claim, searchEntry(c.next)]),
  ];
  const [status, a, b, c] = await scripts(redis).sdApplyDraftChanges(keyList.length, ...keyList, ...args);
  if (status === 'ok') return { ok: true, streamId: a || undefined };
  const index = Number(a) - 1;
  if (status === 'stale') return { ok: false, reason: 'stale', index, version: Number(b) };
  if (status === 'locked') return { ok: false, reason: 'locked', index, claim: toClaim(b!, Number(c)) };
  return { ok: false, reason: 'missing', index };
}

export type ClaimMode = 'claim' | 'force' | 'release' | 'force-release';
export type ClaimResult =
  | { ok: true; action: 'claim' | 'renew' | 'takeover' | 'force_claim' | 'release' | 'force_release' | 'none' }
  | { ok: false; reason: 'missing' }
  | { ok: false; reason: 'not_pending'; status: DraftStatus }
  | { ok: false; reason: 'locked'; claim: Claim };

export async function changeClaim(redis: RedisClient, keys: Keys, draftId: string, actor: string, mode: ClaimMode, now: number, claimMs: number): Promise<ClaimResult> {
  const [status, a, b] = await scripts(redis).sdClaimDraft(3, keys.draft(draftId), keys.lock(draftId), keys.audit(draftId), String(now), actor, mode, String(now + claimMs), String(claimMs + 3_600_000), new Date(now).toISOString());
  if (status === 'ok') return { ok: true, action: a as never };
  if (status === 'not_pending') return { ok: false, reason: 'not_pending', status: a as DraftStatus };
  if (status === 'locked') return { ok: false, reason: 'locked', claim: toClaim(a!, Number(b)) };
  return { ok: false, reason: 'missing' };
}

export async function getDraft(redis: RedisClient, keys: Keys, id: string): Promise<DraftSignal | undefined> {
  const [[, raw], [, coverage]] = (await redis.pipeline().get(keys.draft(id)).lrange(keys.coverage(id), 0, -1).exec()) as [[unknown, string | null], [unknown, string[]]];
  return raw ? DraftSignal.parse({ ...JSON.parse(raw), coverage: parseCoverage(coverage) }) : undefined;
}

/**
 * Drafts by id, in order; missing ones are left out, and so is a record that no longer parses (hand-edited,
 * or written by a newer version), so that one bad record never takes the whole queue down. Opening that
 * draft by id (getDraft) still reports it. Each draft's related coverage (its own list, written by the
 * pipeline) is joined in the same round trip.
 */
export async function getDrafts(redis: RedisClient, keys: Keys, ids: string[]): Promise<DraftSignal[]> {
  if (ids.length === 0) return [];
  const pipeline = redis.pipeline().mget(...ids.map((id) => keys.draft(id)));
  for (const id of ids) pipeline.lrange(keys.coverage(id), 0, -1);
  const replies = (await pipeline.exec()) ?? [];
  const raw = (replies[0]?.[1] as (string | null)[] | undefined) ?? [];
  return raw.flatMap((json, i) => {
    if (!json) return [];
    try {
      const parsed = DraftSignal.safeParse({ ...JSON.parse(json), coverage: parseCoverage((replies[i + 1]?.[1] as string[] | undefined) ?? []) });
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}

/** The entries of a coverage list that parse; a bad one is skipped, never the draft. */
function parseCoverage(raw: string[]): Coverage[] {
  return raw.flatMap((json) => {
    try {
      const entry = Coverage.safeParse(JSON.parse(json));
      return entry.success ? [entry.data] : [];
    } catch {
      return [];
    }
  });
}

/** Live claims (not expired at `now`) on these drafts, by draft id. */
export async function getClaims(redis: RedisClient, keys: Keys, ids: string[], now: number): Promise<Map<string, Claim>> {
  const out = new Map<string, Claim>();
  if (ids.length === 0) return out;
  const raw = await redis.mget(...ids.map((id) => keys.lock(id)));
  raw.forEach((json, i) => {
    const claim = json ? StoredClaim.safeParse(JSON.parse(json)) : undefined;
    if (claim?.success && claim.data.expiresAt > now) out.set(ids[i]!, toClaim(claim.data.user, claim.data.expiresAt));
  });
  return out;
}

export async function getAudit(redis: RedisClient, keys: Keys, id: string): Promise<AuditEntry[]> {
  const raw = await redis.lrange(keys.audit(id), 0, -1);
  return raw.flatMap((json) => {
    const entry = AuditEntry.safeParse(JSON.parse(json));
    return entry.success ? [entry.data] : [];
  });
}

export async function countByStatus(redis: RedisClient, keys: Keys): Promise<Record<DraftStatus, number>> {
  const counts = await Promise.all(DRAFT_STATUSES.map((s) => redis.zcard(keys.byScore(s))));
  return Object.fromEntries(DRAFT_STATUSES.map((s, i) => [s, counts[i]!])) as Record<DraftStatus, number>;
}
