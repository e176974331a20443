import { Semaphore } from 'redis-semaphore';
import type { RedisClient } from '../redisClient.ts';
import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';

export interface PolitenessOptions {
  /** Requests in flight to one host at once, across every worker process. */
  concurrency: number;
  /** Least time between the starts of two requests to one host, ms. */
  minDelayMs: number;
  /** How long a slot is held at most if its holder dies (the fetch deadline plus a margin). */
  slotTtlMs: number;
  /** Wait at most this long in the worker for a slot or a turn; longer waits hand the job back as delayed. */
  maxInlineWaitMs: number;
}

export type HostTurn = { granted: true; release(): Promise<void> } | { granted: false; waitMs: number; reason: 'busy' | 'spacing' };

/**
 * Reserves the next start time for a host: now if the last request started at least `gap` ago, else the
 * earliest allowed time, as long as that is within `maxWait`; otherwise reserves nothing and returns the
 * negative wait, so the job can be delayed instead of holding a worker. One script: every process sees
 * every reservation.
 */
const RESERVE = `
local now, gap, maxWait = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now, last + gap)
if at - now > maxWait then return -(at - now) end
redis.call('SET', KEYS[1], tostring(at), 'PX', gap + 60000)
return at - now`;

type ScriptClient = { sdReserveHost(numKeys: number, ...args: string[]): Promise<number> };

/**
 * Politeness towards one host, shared by all worker processes through Redis: at most `concurrency`
 * requests in flight (a Redis semaphore from redis-semaphore, whose slots expire if a holder dies) and
 * at least `minDelayMs` between request starts. Uses the real clock: it paces real requests.
 */
export async function takeHostTurn(redis: RedisClient, keys: Keys, host: string, o: PolitenessOptions): Promise<HostTurn> {
  const semaphore = new Semaphore(redis as never, keys.hostSlots(host), o.concurrency, {
    lockTimeout: o.slotTtlMs,
    acquireTimeout: o.maxInlineWaitMs,
    retryInterval: 50,
    refreshInterval: 0,
    onLockLost: () => {},
  });
  if (!(await semaphore.acquire().then(() => true, () => false))) {
    return { granted: false, waitMs: o.maxInlineWaitMs, reason: 'busy' };
  }
  if (o.minDelayMs > 0) {
    const wait = await withScripts<ScriptClient>(redis, { sdReserveHost: RESERVE }).sdReserveHost(1, keys.hostNext(host), String(Date.now()), String(o.minDelayMs), String(o.maxInlineWaitMs));
    if (wait < 0) {
      await semaphore.release();
      return { granted: false, waitMs: -wait, reason: 'spacing' };
    }
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return { granted: true, release: () => semaphore.release() };
}

/** The host a politeness limit applies to: the URL's host name, lower-cased (ports share the host). */
export function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return 'invalid';
  }
}
