import type { SourceStateUpdate } from '../fetch/sourceState.ts';
import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';
import type { RedisClient } from '../redisClient.ts';
import { NETWORK_CODES, OUTAGE_WINDOW_MS } from './outage.ts';

/**
 * Everything a poll writes once its new items are durably queued, in one script (one round trip, and no other
 * process sees half of it):
 * - the outage window: this source's latest poll, and whether it failed with a network error (trimmed to 10 min);
 * - the source's health and validators (`update`: null deletes a field);
 * - the chain fields (`chain`: next job, its time and reason), only while the source's state still names this
 *   poll's chain (`owners`: the ids that may be named; none named counts too, a Redis that lost the state). A
 *   chain started again while this poll ran (Redis restarted empty and rebuilt) keeps its own fields, and the
 *   caller learns who owns it;
 * - the new-items index (digests by discovery time, 8 days kept);
 * - the end of an ingest failure: a whole feed read with nothing left to draft clears a failure recorded no
 *   later than `clearFailureSince` (ISO timestamps of one format compare as strings).
 *
 * KEYS: 1 source state, 2 polls-recent, 3 polls-net-failed, 4 source-new.
 * ARGV: 1 now, 2 outage window start, 3 source id, 4 '1' network failure, 5 owners ('' = no check, else ids
 *       joined by ' '), 6 clearFailureSince or '', 7 new-items cutoff, 8 discovery time, 9 #set pairs, 10 #deleted
 *       fields, 11 #chain pairs, 12 #new items; then the set pairs, deleted fields, chain pairs, new-item digests.
 * Returns {1 if the chain fields were written (or not asked for), the state's nextJobId or ''}.
 */
const FINISH = `
local now, from, id, netFailed, owners, clearSince, newCutoff, discovered = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local nSet, nDel, nChain, nNew = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. from)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. from)
redis.call('ZADD', KEYS[2], now, id)
if netFailed == '1' then redis.call('ZADD', KEYS[3], now, id) else redis.call('ZREM', KEYS[3], id) end
local owner = redis.call('HGET', KEYS[1], 'nextJobId') or ''
local owns = 1
if owners ~= '' and owner ~= '' and not string.find(' ' .. owners .. ' ', ' ' .. owner .. ' ', 1, true) then owns = 0 end
local i = 13
for _ = 1, nSet do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) i = i + 2 end
for _ = 1, nDel do redis.call('HDEL', KEYS[1], ARGV[i]) i = i + 1 end
for _ = 1, nChain do
  if owns == 1 then
    if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[1], ARGV[i]) else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
  end
  i = i + 2
end
if nNew > 0 then
  for _ = 1, nNew do redis.call('ZADD', KEYS[4], discovered, ARGV[i]) i = i + 1 end
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. newCutoff)
end
if clearSince ~= '' then
  local at = redis.call('HGET', KEYS[1], 'ingestFailedAt')
  if at and at <= clearSince then redis.call('HDEL', KEYS[1], 'ingestFailedAt', 'ingestError') end
end
return {owns, redis.call('HGET', KEYS[1], 'nextJobId') or ''}`;

type ScriptClient = { sdFinishPoll(numKeys: number, ...args: string[]): Promise<[number, string]> };

/** New items per script call at most; a larger poll's index is written in chunks first (a 100,000-item poll must not spread 200,000 arguments into one call). */
const INLINE_NEW = 1000;
const NEW_ITEMS_KEEP_MS = 8 * 86_400_000;

export interface PollWrite {
  sourceId: string;
  now: number;
  code: string;
  update: SourceStateUpdate;
  /** Written only while the chain is this poll's (`owners`); an empty string deletes the field. */
  chain?: { owners: string[]; fields: Record<string, string> } | undefined;
  newItems: { discoveredAt: number; itemHashes: string[] };
  clearFailureSince?: string | undefined;
}

export async function finishPoll(redis: RedisClient, keys: Keys, w: PollWrite): Promise<{ ownsChain: boolean; owner: string }> {
  const set: string[] = [];
  const del: string[] = [];
  for (const [k, v] of Object.entries(w.update)) {
    if (v === null) del.push(k);
    else if (v !== undefined) set.push(k, v);
  }
  const chain = Object.entries(w.chain?.fields ?? {}).flat();
  const cutoff = String(w.now - NEW_ITEMS_KEEP_MS);
  let inline = w.newItems.itemHashes;
  if (inline.length > INLINE_NEW) {
    const tx = redis.multi();
    for (let i = 0; i < inline.length; i += INLINE_NEW) tx.zadd(keys.sourceNew(w.sourceId), ...inline.slice(i, i + INLINE_NEW).flatMap((h) => [w.newItems.discoveredAt, h]));
    tx.zremrangebyscore(keys.sourceNew(w.sourceId), '-inf', `(${cutoff}`);
    await tx.exec();
    inline = [];
  }
  const [owns, owner] = await withScripts<ScriptClient>(redis, { sdFinishPoll: FINISH }).sdFinishPoll(
    4,
    keys.sourceState(w.sourceId),
    keys.pollsRecent,
    keys.pollsNetFailed,
    keys.sourceNew(w.sourceId),
    String(w.now),
    String(w.now - OUTAGE_WINDOW_MS),
    w.sourceId,
    NETWORK_CODES.has(w.code) ? '1' : '0',
    (w.chain?.owners ?? []).join(' '),
    w.clearFailureSince ?? '',
    cutoff,
    String(w.newItems.discoveredAt),
    String(set.length / 2),
    String(del.length),
    String(chain.length / 2),
    String(inline.length),
    ...set,
    ...del,
    ...chain,
    ...inline,
  );
  return { ownsChain: owns === 1, owner };
}
