import type { RedisClient } from '../redisClient.ts';
import type { Keys } from '../queue/keys.ts';
import { Signal } from './signal.ts';

export interface StoredSignal {
  /** The stream entry id ("1764240000000-0"): the position consumers resume from. */
  streamId: string;
  signal: Signal;
}

/**
 * Published signals, newest first, read from the stream. `before` is a stream id (exclusive) for paging.
 * An entry that does not parse (written by a newer version, say) is skipped rather than failing the page.
 */
export async function readSignals(redis: RedisClient, keys: Keys, limit = 50, before?: string): Promise<StoredSignal[]> {
  const max = before ? `(${before}` : '+';
  const entries = await redis.xrevrange(keys.signals, max, '-', 'COUNT', limit);
  return entries.flatMap(([streamId, fields]) => {
    const i = fields.indexOf('signal');
    const parsed = i >= 0 ? Signal.safeParse(JSON.parse(fields[i + 1] ?? 'null')) : undefined;
    return parsed?.success ? [{ streamId, signal: parsed.data }] : [];
  });
}
