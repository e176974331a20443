import type { Cluster, Redis } from 'ioredis';
import type { ConfigIssue } from '../errors.ts';
import type { RedisClient } from '../redisClient.ts';

/** The settings of one Redis server that decide whether Signal Desk's state survives: eviction and persistence. */
export interface RedisDurabilityConfig {
  maxmemoryPolicy: string;
  appendonly: string;
  save: string;
}

export interface DurabilityFindings {
  /** Settings `run` refuses to start with (eviction would silently drop jobs, schedules, drafts and seen marks). */
  refusals: ConfigIssue[];
  /** Settings `run` starts with, loudly: nothing persists, or the settings could not be read. */
  warnings: string[];
}

export const PRODUCTION_REDIS_HELP = 'see the README, "Running Redis for production"';

/**
 * Judges one server's settings. Every `allkeys-*` and `volatile-*` policy may evict our keys when memory is
 * full (BullMQ's job hashes, the schedulers, drafts, the seen sets; `volatile-*` the claims, sessions and
 * robots cache that carry a TTL), so only `noeviction` is accepted. No AOF and no RDB snapshot means a
 * restart loses everything: allowed (a cache-only test Redis), but said loudly.
 */
export function judgeRedisConfig(where: string, config: RedisDurabilityConfig): DurabilityFindings {
  const findings: DurabilityFindings = { refusals: [], warnings: [] };
  const policy = config.maxmemoryPolicy.toLowerCase();
  if (policy.startsWith('allkeys-') || policy.startsWith('volatile-')) {
    findings.refusals.push({
      file: `Redis at ${where}`,
      field: 'maxmemory-policy',
      message: `is "${config.maxmemoryPolicy}": Redis may evict Signal Desk's keys when memory is full (queued polls, job schedulers, drafts, seen marks), losing items without an error. Set \`maxmemory-policy noeviction\` (in redis.conf, \`redis-server --maxmemory-policy noeviction\`, or your provider's parameter group), then start again; ${PRODUCTION_REDIS_HELP}`,
    });
  }
  const aof = config.appendonly.toLowerCase() === 'yes';
  const rdb = config.save.trim() !== '';
  if (!aof && !rdb) {
    findings.warnings.push(`Redis at ${where} persists nothing (appendonly no, save ""): a restart loses every queued poll, schedule, draft, seen mark and published signal. A running \`run\` rebuilds the schedules and restarts the polls, but drafts and de-duplication start over. Set \`appendonly yes\` and \`appendfsync everysec\`; ${PRODUCTION_REDIS_HELP}`);
  } else if (!aof) {
    findings.warnings.push(`Redis at ${where} persists by RDB snapshots only (save "${config.save}"): a crash loses what changed since the last snapshot. Prefer \`appendonly yes\` with \`appendfsync everysec\`; ${PRODUCTION_REDIS_HELP}`);
  }
  return findings;
}

/** CONFIG GET of the three settings on one server; undefined (with the reason) when CONFIG is refused, as managed Redis often does. */
async function readConfig(server: Redis): Promise<RedisDurabilityConfig | { error: string }> {
  try {
    const get = async (name: string) => {
      const reply = (await server.config('GET', name)) as string[];
      return reply[1] ?? '';
    };
    return { maxmemoryPolicy: await get('maxmemory-policy'), appendonly: await get('appendonly'), save: await get('save') };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function isCluster(redis: RedisClient): redis is Cluster {
  return redis.isCluster;
}

/**
 * Reads eviction and persistence on the server `redis` talks to, or on every master of a Cluster, and judges
 * each. A server that refuses CONFIG gives a warning that it could not be checked, never a refusal.
 */
export async function checkRedisDurability(redis: RedisClient): Promise<DurabilityFindings> {
  await redis.ping();
  const servers: { where: string; client: Redis }[] = isCluster(redis)
    ? redis.nodes('master').map((node) => ({ where: `${node.options.host}:${node.options.port}`, client: node }))
    : [{ where: `${redis.options.host}:${redis.options.port}`, client: redis }];
  const all: DurabilityFindings = { refusals: [], warnings: [] };
  for (const { where, client } of servers) {
    const config = await readConfig(client);
    if ('error' in config) {
      all.warnings.push(`could not check eviction and persistence of Redis at ${where} (CONFIG GET refused: ${config.error}). Make sure it runs with \`maxmemory-policy noeviction\` and \`appendonly yes\`; ${PRODUCTION_REDIS_HELP}`);
      continue;
    }
    const found = judgeRedisConfig(where, config);
    all.refusals.push(...found.refusals);
    all.warnings.push(...found.warnings);
  }
  return all;
}
