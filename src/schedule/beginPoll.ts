import type { SourceState } from '../fetch/sourceState.ts';
import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';
import type { RedisClient } from '../redisClient.ts';
import { OUTAGE_WINDOW_MS, type OutageSnapshot } from './outage.ts';

/**
 * Everything a poll reads before it fetches, in one read-only script: the source's state (validators, the
 * operator's pause, the chain's owner) and the outage window as it stands (sources polled in the last 10
 * minutes, how many of them failed with a network error, and whether this source is among each). The poll's
 * own outcome is projected onto that snapshot (outage.ts `projectOutage`) and written by finishPoll.
 *
 * KEYS: 1 source state, 2 polls-recent, 3 polls-net-failed. ARGV: 1 window start (ms), 2 source id.
 */
const BEGIN = `
local from, id = ARGV[1], ARGV[2]
local function counted(key)
  local at = redis.call('ZSCORE', key, id)
  if at and tonumber(at) >= tonumber(from) then return 1 end
  return 0
end
return {redis.call('HGETALL', KEYS[1]), redis.call('ZCOUNT', KEYS[2], from, '+inf'), redis.call('ZCOUNT', KEYS[3], from, '+inf'), counted(KEYS[2]), counted(KEYS[3])}`;

type ScriptClient = { sdBeginPoll(numKeys: number, ...args: string[]): Promise<[string[], number, number, number, number]> };

export interface PollStart {
  state: SourceState;
  outage: OutageSnapshot;
}

export async function beginPoll(redis: RedisClient, keys: Keys, sourceId: string, now: number): Promise<PollStart> {
  const [flat, polled, networkFailed, counted, failedCounted] = await withScripts<ScriptClient>(redis, { sdBeginPoll: BEGIN }).sdBeginPoll(3, keys.sourceState(sourceId), keys.pollsRecent, keys.pollsNetFailed, String(now - OUTAGE_WINDOW_MS), sourceId);
  const state: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) state[flat[i]!] = flat[i + 1]!;
  return { state: state as SourceState, outage: { polled, networkFailed, counted: counted === 1, failedCounted: failedCounted === 1 } };
}
