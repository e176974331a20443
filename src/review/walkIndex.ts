import { z } from 'zod';
import { DeskError } from '../errors.ts';
import type { RedisClient } from '../redisClient.ts';

const SCAN_BATCH = 200;

export interface IndexEntry {
  id: string;
  s: number;
  /** Index entries read to reach this one, itself included, when more than one (the search index's walk skips the drafts that lack a term): what it costs a request's budget. */
  walked?: number;
}

const Cursor = z.object({ s: z.number(), id: z.string() });

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
export async function* walkIndex(redis: RedisClient, index: string, from?: IndexEntry): AsyncGenerator<IndexEntry[]> {
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

export function encodeCursor(c: IndexEntry): string {
  return Buffer.from(JSON.stringify({ s: c.s, id: c.id })).toString('base64url');
}

export function decodeCursor(text: string): IndexEntry {
  try {
    return Cursor.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new DeskError('invalid_fields', 'cursor is not one this server issued: pass back nextCursor unchanged', { fields: { cursor: 'not a cursor from a previous page' } });
  }
}
