import type { Coverage, DraftSignal } from '../drafts/schema.ts';
import { coverageHeadline } from '../drafts/toDraft.ts';
import { failpoint } from '../failpoint.ts';
import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';
import type { RedisClient } from '../redisClient.ts';
import { bumpVersion, describeChange, emitEvent, type DeskOptions } from '../review/deskContext.ts';
import { applyDraftChanges, getDraft } from '../review/draftStore.ts';
import { digest } from './itemKey.ts';
import { normalizeUrl } from './normalizeUrl.ts';
import { sameSite } from './sameSite.ts';
import { LUA_SEEN, rawDigest, toMinute, urlKeyOf } from './seenIndex.ts';
import { COVERAGE_MAX } from './seenStore.ts';

export interface CanonicalOutcome {
  /** Set when another draft already holds this article: this draft was folded into it as related coverage. */
  foldedInto?: string;
  /**
   * Set when the canonical article belongs to a draft an editor has already decided (approved or rejected):
   * this draft is left in the queue as it is (not folded, no coverage written), for an editor to judge.
   */
  heldBy?: { draftId: string; status: DraftSignal['status'] };
  /**
   * Set when the canonical URL is on another site than the draft's own link (or the draft has no link): a page
   * speaks only for its own site's articles, so nothing is claimed or folded (the enrich stage records the reason).
   */
  refused?: string;
}

/** The system actor of automatic folds, in audit entries and desk events. */
export const ENRICHMENT_ACTOR = 'enrichment';
const MERGE_HOPS = 4;
const ATTEMPTS = 5;

/**
 * Claims a URL digest for a draft in the URL index (sighted now, so it is trimmed with the same retention),
 * unless another draft holds it (or always, with ARGV 4 "1": the holder's draft is gone); returns the holder.
 * KEYS: the URL's index bucket. ARGV: raw digest, draft id, now (minutes), force.
 */
const CLAIM = `${LUA_SEEN}
local held = sd_map(redis.call('HGET', KEYS[1], ARGV[1]))
if ARGV[4] ~= '1' and held ~= '' and held ~= ARGV[2] then return held end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3] .. '|' .. ARGV[2])
return ARGV[2]`;

/**
 * Moves a folded draft's item (and the coverage it had gathered) to the surviving draft's coverage list, one
 * entry per source and never the survivor's own source, capped at COVERAGE_MAX; points the folded draft's URL
 * digests at the survivor where they still name the folded draft. The folded draft's list is read here, not
 * by the caller, so an entry a commit appended to it a moment ago moves too. Idempotent: a retry appends
 * nothing twice.
 * KEYS: coverage(survivor), unused, coverage(folded), the URL index bucket of each URL digest…. ARGV: survivor's
 * source id, folded id, survivor id, number of entries, entries (JSON Coverage: the folded draft's own item, or
 * none)…, URL digests (raw)…
 */
const FOLD = `${LUA_SEEN}
local n = tonumber(ARGV[4])
local listed = {}
listed[ARGV[1]] = true
for _, raw in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local ok, e = pcall(cjson.decode, raw)
  if ok and type(e) == 'table' and type(e.sourceId) == 'string' then listed[e.sourceId] = true end
end
local entries = {}
for i = 5, 4 + n do entries[#entries + 1] = ARGV[i] end
for _, raw in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do entries[#entries + 1] = raw end
local added = 0
for _, raw in ipairs(entries) do
  local ok, e = pcall(cjson.decode, raw)
  if ok and type(e) == 'table' and type(e.sourceId) == 'string' and not listed[e.sourceId] and redis.call('LLEN', KEYS[1]) < ${COVERAGE_MAX} then
    redis.call('RPUSH', KEYS[1], raw)
    listed[e.sourceId] = true
    added = added + 1
  end
end
for i = 5 + n, #ARGV do
  local ku = KEYS[i - n - 1]
  local v = redis.call('HGET', ku, ARGV[i])
  if sd_map(v) == ARGV[2] then redis.call('HSET', ku, ARGV[i], string.match(v, '^[^|]*') .. '|' .. ARGV[3]) end
end
return added`;

/**
 * The inverse of FOLD, for a folded draft an editor reopened: removes from the survivor's coverage list the
 * entries the fold moved there (same source, link and time as the folded draft's own item or an entry of its
 * own list, which the fold left in place), and points the folded draft's URL digests back at it where they
 * name the survivor.
 * KEYS: coverage(survivor), unused, coverage(folded), the URL index bucket of each URL digest…. ARGV: folded id,
 * survivor id, number of entries, entries (JSON Coverage: the folded draft's own item, or none)…, URL digests (raw)…
 */
const UNFOLD = `${LUA_SEEN}
local n = tonumber(ARGV[3])
local entries = {}
for i = 4, 3 + n do entries[#entries + 1] = ARGV[i] end
for _, raw in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do entries[#entries + 1] = raw end
local moved = {}
for _, raw in ipairs(entries) do
  local ok, e = pcall(cjson.decode, raw)
  if ok and type(e) == 'table' then moved[tostring(e.sourceId) .. '\\n' .. tostring(e.link) .. '\\n' .. tostring(e.at)] = true end
end
local removed = 0
for _, raw in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local ok, e = pcall(cjson.decode, raw)
  if ok and type(e) == 'table' and moved[tostring(e.sourceId) .. '\\n' .. tostring(e.link) .. '\\n' .. tostring(e.at)] then
    removed = removed + redis.call('LREM', KEYS[1], 0, raw)
  end
end
for i = 4 + n, #ARGV do
  local ku = KEYS[i - n]
  local v = redis.call('HGET', ku, ARGV[i])
  if sd_map(v) == ARGV[2] then redis.call('HSET', ku, ARGV[i], string.match(v, '^[^|]*') .. '|' .. ARGV[1]) end
end
return removed`;

type ScriptClient = {
  sdClaimUrl(numKeys: number, ...args: (string | Buffer)[]): Promise<string>;
  sdFoldCoverage(numKeys: number, ...args: (string | Buffer)[]): Promise<number>;
  sdUnfoldCoverage(numKeys: number, ...args: (string | Buffer)[]): Promise<number>;
};
const scripts = (redis: RedisClient) => withScripts<ScriptClient>(redis, { sdClaimUrl: CLAIM, sdFoldCoverage: FOLD, sdUnfoldCoverage: UNFOLD });

/**
 * The enrich stage found the article's canonical URL for a draft. Claims the canonical URL's digest for the
 * draft in the URL index (`keys.urlIndex`, so a later item linking to the canonical URL becomes coverage of this draft).
 * When another draft already holds it (this draft came from an AMP or tracking variant, the other from the
 * canonical link), and both are pending, this draft is folded into that one: its item (and any coverage it
 * had) becomes the other's coverage, and it leaves the review queue as merged into it, written by the desk's
 * own script (actor "enrichment", claims not checked, an audit entry on both), in one write with the survivor at
 * the version read, so the survivor is still pending when the fold lands; the coverage moves after that write
 * (a retry of a folded draft finishes it). A holder merged by an editor is
 * followed to the draft it was merged into. A holder already approved or rejected is never folded into:
 * this draft stays in the queue as it is (`heldBy` says why), since listing it as coverage of a decided
 * draft while it is still pending would count it twice. Both URLs keep their seen-url marks. A canonical URL
 * on another site than the draft's link (`sameSite`: the same host or a subdomain of it) is refused (`refused`).
 */
export async function recordCanonical(redis: RedisClient, keys: Keys, draftId: string, canonicalUrl: string, now: number): Promise<CanonicalOutcome> {
  const normalized = normalizeUrl(canonicalUrl);
  if (!normalized) return {};
  const hash = digest(normalized);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const draft = await getDraft(redis, keys, draftId);
    if (!draft) return {};
    if (draft.status === 'merged' && draft.decision?.by === ENRICHMENT_ACTOR && draft.mergedInto) {
      // Folded already (a retry, or a crash after the fold and before its coverage): finish the coverage, idempotently.
      const survivor = await getDraft(redis, keys, draft.mergedInto);
      if (survivor) await foldCoverage(redis, keys, draft, survivor);
      return { foldedInto: draft.mergedInto };
    }
    const own = draft.link ? normalizeUrl(draft.link) : undefined;
    if (!own || !sameSite(own, normalized)) {
      // Else any page could claim any article: its draft would take the victim's later items as coverage, or list itself in the victim's signal.
      return { refused: `canonical ${normalized} is on another site than the draft's link ${own ?? '(none)'}: a page names only its own site's articles; the draft keeps its own identity` };
    }
    const raw = rawDigest(hash);
    const holderId = await scripts(redis).sdClaimUrl(1, urlKeyOf(keys, raw), raw, draftId, String(toMinute(now)), '0');
    if (holderId === draftId) return {};
    const holder = await followMerges(redis, keys, holderId);
    if (!holder || holder.id === draftId) {
      // The holder's draft is gone, or this draft is where its chain ends: the canonical URL is this draft's.
      await scripts(redis).sdClaimUrl(1, urlKeyOf(keys, raw), raw, draftId, String(toMinute(now)), '1');
      return {};
    }
    if (holder.status !== 'pending') return { heldBy: { draftId: holder.id, status: holder.status } };
    if (draft.status !== 'pending') return {};
    const o: DeskOptions = { redis, keys, clock: { now: () => now }, claimMs: 0 };
    const at = new Date(now).toISOString();
    const next = bumpVersion(o, { ...draft, status: 'merged', mergedInto: holder.id, decision: { action: 'merge', by: ENRICHMENT_ACTOR, at } });
    const change = describeChange(o, draft, next, { action: 'merge', into: holder.id, reason: `same canonical article as ${holder.id}: ${normalized}` }, 'none');
    // The survivor is part of the same write, at the version read: an editor's decision on it meanwhile (approve,
    // reject, merge) or another fold of it into this draft (a cycle, A→B while B→A) makes the write stale, and
    // the next attempt decides afresh, so a draft is never folded into a decided draft, nor two into each other.
    const survivorChange = describeChange(o, holder, bumpVersion(o, holder), { action: 'merged_in', from: draftId, reason: `same canonical article: ${normalized}` }, 'none');
    change.audit.actor = ENRICHMENT_ACTOR;
    survivorChange.audit.actor = ENRICHMENT_ACTOR;
    const result = await applyDraftChanges(redis, keys, ENRICHMENT_ACTOR, now, [change, survivorChange]);
    if (result.ok) {
      failpoint('canonical.afterFold');
      // After the decision, never before it: coverage written for a fold that then lost its race would list a draft still in the queue.
      await foldCoverage(redis, keys, draft, holder);
      await emitEvent(o, { type: 'merge', draftId, actor: ENRICHMENT_ACTOR });
      return { foldedInto: holder.id };
    }
    if (result.reason === 'missing') return {};
    // Stale: an editor (or another fold) changed one of the two meanwhile; read them again and decide afresh.
  }
  return {};
}

/** The draft a URL's holder stands for now: itself, or the draft an editor merged it into (a few hops). */
async function followMerges(redis: RedisClient, keys: Keys, id: string): Promise<DraftSignal | undefined> {
  let current = await getDraft(redis, keys, id).catch(() => undefined);
  for (let hop = 0; hop < MERGE_HOPS && current?.status === 'merged' && current.mergedInto; hop++) {
    const next = await getDraft(redis, keys, current.mergedInto).catch(() => undefined);
    if (!next) break;
    current = next;
  }
  return current;
}

/** What a fold moves besides the folded draft's own coverage list (read by the script): its own item (when it has a link), and its URL's digest. */
function foldedEntries(folded: DraftSignal): { entries: string[]; hashes: Buffer[] } {
  const own: Coverage[] = folded.link
    ? [{ sourceId: folded.source.id, sourceName: folded.source.name, headline: coverageHeadline(folded), link: folded.link, at: folded.discoveredAt, publishedAt: folded.publishedAt }]
    : [];
  const link = folded.link ? normalizeUrl(folded.link) : undefined;
  return { entries: own.map((c) => JSON.stringify(c)), hashes: link ? [rawDigest(digest(link))] : [] };
}

async function foldCoverage(redis: RedisClient, keys: Keys, folded: DraftSignal, survivor: DraftSignal): Promise<void> {
  const { entries, hashes } = foldedEntries(folded);
  await scripts(redis).sdFoldCoverage(3 + hashes.length, keys.coverage(survivor.id), keys.coverage(survivor.id), keys.coverage(folded.id), ...hashes.map((h) => urlKeyOf(keys, h)), survivor.source.id, folded.id, survivor.id, String(entries.length), ...entries, ...hashes);
}

/**
 * An editor reopened a draft this stage had folded (`reopenDraft`): the survivor no longer lists what the fold
 * moved to it (else the article would count twice, as its own draft and as the survivor's coverage), and the
 * reopened draft's link belongs to it again, so later items linking it are its coverage. Idempotent.
 */
export async function unfoldCoverage(redis: RedisClient, keys: Keys, folded: DraftSignal, survivorId: string): Promise<void> {
  const { entries, hashes } = foldedEntries(folded);
  await scripts(redis).sdUnfoldCoverage(3 + hashes.length, keys.coverage(survivorId), keys.coverage(survivorId), keys.coverage(folded.id), ...hashes.map((h) => urlKeyOf(keys, h)), folded.id, survivorId, String(entries.length), ...entries, ...hashes);
}

/**
 * An editor merged `from` into `into` (mergeDraft): the coverage `from` had gathered goes with it, as a fold's
 * does (one entry per source, never `into`'s own source, capped), so the signal published from `into` still
 * lists those sources. `from`'s own item is already in `into`'s related list. Idempotent.
 */
export async function gatherCoverage(redis: RedisClient, keys: Keys, from: DraftSignal, into: DraftSignal): Promise<void> {
  await scripts(redis).sdFoldCoverage(3, keys.coverage(into.id), keys.coverage(into.id), keys.coverage(from.id), into.source.id, from.id, into.id, '0');
}

/** The inverse of gatherCoverage, for a merged draft an editor reopened: `into` no longer lists what `from` had gathered. */
export async function ungatherCoverage(redis: RedisClient, keys: Keys, from: DraftSignal, intoId: string): Promise<void> {
  await scripts(redis).sdUnfoldCoverage(3, keys.coverage(intoId), keys.coverage(intoId), keys.coverage(from.id), from.id, intoId, '0');
}
