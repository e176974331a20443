import { isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Clock } from '../clock.ts';
import { SignalDeskError } from '../errors.ts';
import type { RedisClient } from '../redisClient.ts';

/** Too many failed logins or tokens from one client: answered 429 with Retry-After (seconds). */
export class TooManyFailures extends SignalDeskError {
  readonly status = 429;
  constructor(readonly retryAfterS: number) {
    super('rate_limited', `too many failed logins or tokens from your address: try again in ${retryAfterS} s`);
  }
}

export interface FailureLimit {
  /** Failures allowed per client and window; the next attempt is refused until the window ends. */
  limit: number;
  windowMs: number;
}

/**
 * Counts failed authentications per client in Redis, so every desk process shares one count: a fixed window
 * per client (the window number comes from the injected clock). Each attempt is counted before the token is
 * checked (INCR, one round trip) and uncounted when it succeeds, so concurrent guesses cannot all slip past
 * the check: at most `limit` failures per window, however many requests are in flight. Only failures stay
 * counted; a client over the limit is refused every token or login attempt (right or wrong, or a guesser
 * would learn which one was right) until its window ends. Other clients are never affected.
 */
export class FailureLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly clock: Clock,
    private readonly settings: FailureLimit,
  ) {}

  /** `{sd}:auth-fail:<client>:<window>`: failures of one client (an IPv4 address, or an IPv6 /64) in one window. */
  key(ip: string, window = this.window()): string {
    return `${this.prefix}:auth-fail:${clientOf(ip)}:${window}`;
  }

  /**
   * Counts an attempt as a failure until `succeeded` is called; throws TooManyFailures when the client has
   * used up its failures in this window (the attempt is then not made at all).
   */
  async begin(ip: string): Promise<{ succeeded(): Promise<void> }> {
    const key = this.key(ip);
    const [[, count]] = (await this.redis.multi().incr(key).pexpire(key, this.settings.windowMs * 2).exec()) as [[Error | null, number], unknown];
    if (count > this.settings.limit) throw new TooManyFailures(this.retryAfterS());
    return {
      succeeded: async () => {
        await this.redis.decr(key);
      },
    };
  }

  private window(): number {
    return Math.floor(this.clock.now() / this.settings.windowMs);
  }

  private retryAfterS(): number {
    const end = (this.window() + 1) * this.settings.windowMs;
    return Math.max(1, Math.ceil((end - this.clock.now()) / 1000));
  }
}

/** One client: its IPv4 address, or the /64 of an IPv6 one (a single host often holds a whole /64). */
export function clientOf(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const addr = ipaddr.IPv6.parse(ip);
  if (addr.isIPv4MappedAddress()) return addr.toIPv4Address().toString();
  return `${addr.toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
}
