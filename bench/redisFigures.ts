// Redis's own figures for the benches: INFO sections as numbers, and MEMORY USAGE of every key of a prefix.
import type { RedisClient } from '../src/redisClient.ts';
import { scanPrefix } from './harness.ts';
import { sumByKind, type KindMemory } from './keyMemory.ts';

/** One INFO section's numeric fields. */
export async function readRedisInfo(redis: RedisClient, section: 'memory' | 'cpu'): Promise<Record<string, number | undefined>> {
  const info = await redis.info(section);
  return Object.fromEntries(info.split('\r\n').map((l) => l.split(':')).filter((kv) => kv.length === 2 && kv[1] !== '' && !Number.isNaN(Number(kv[1]))).map(([k, v]) => [k, Number(v)]));
}

/** The kinds that grow with drafts, not with sources: the drafts, their indexes, stories, and their after-draft jobs. */
const DRAFT_KINDS = /^\{p\}:(draft|search|review|drafts|story[a-z-]*|coverage|audit|shingles|url-drafts|seen-urls|annotate|stories|enrich)(:|$)/;

export interface KeyMemory {
  keys: number;
  total: number;
  /** Bytes of the kinds that grow with drafts (DRAFT_KINDS). */
  drafts: number;
  kinds: KindMemory[];
}

/** MEMORY USAGE (SAMPLES 0: every element) of every key under the prefix, by kind. */
export async function measureKeyMemory(redis: RedisClient, prefix: string): Promise<KeyMemory> {
  const usage: [string, number][] = [];
  await scanPrefix(redis, prefix, async (keys) => {
    const pipe = redis.pipeline();
    for (const k of keys) pipe.call('MEMORY', 'USAGE', k, 'SAMPLES', '0');
    const replies = (await pipe.exec()) ?? [];
    keys.forEach((k, i) => usage.push([k, Number(replies[i]?.[1] ?? 0)]));
  });
  const kinds = sumByKind(usage, prefix);
  const total = kinds.reduce((n, k) => n + k.bytes, 0);
  const drafts = kinds.filter((k) => DRAFT_KINDS.test(k.kind)).reduce((n, k) => n + k.bytes, 0);
  return { keys: usage.length, total, drafts, kinds };
}
