import type { RedisClient } from '../redisClient.ts';
import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';

/** Failures that say "we cannot reach the network", not "their server is broken". */
export const NETWORK_CODES = new Set(['timeout', 'network', 'dns']);
export const OUTAGE_WINDOW_MS = 10 * 60_000;
/** Our outage: at least half of the sources polled in the window, and at least this many, failed with network errors. */
export const OUTAGE_MIN_SOURCES = 4;
export const OUTAGE_SHARE = 0.5;

/**
 * Records a source's latest poll in the window (each source counts once, by its latest poll) and returns
 * [sources polled, sources whose latest poll failed with a network error]. One script, shared by every
 * worker process through Redis, so the judgement is about the whole fleet, not one process.
 */
const RECORD = `
local now, cutoff, id, failed = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. cutoff)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. cutoff)
redis.call('ZADD', KEYS[1], now, id)
if failed == '1' then redis.call('ZADD', KEYS[2], now, id) else redis.call('ZREM', KEYS[2], id) end
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2])}`;

type ScriptClient = { sdRecordPoll(numKeys: number, ...args: string[]): Promise<[number, number]> };

export async function recordPoll(redis: RedisClient, keys: Keys, sourceId: string, code: string, now: number): Promise<{ polled: number; networkFailed: number; outage: boolean }> {
  const [polled, networkFailed] = await withScripts<ScriptClient>(redis, { sdRecordPoll: RECORD }).sdRecordPoll(2, keys.pollsRecent, keys.pollsNetFailed, String(now), String(now - OUTAGE_WINDOW_MS), sourceId, NETWORK_CODES.has(code) ? '1' : '0');
  return { polled, networkFailed, outage: isOutage(polled, networkFailed) };
}

export function isOutage(polled: number, networkFailed: number): boolean {
  return polled >= OUTAGE_MIN_SOURCES && networkFailed / polled >= OUTAGE_SHARE;
}
