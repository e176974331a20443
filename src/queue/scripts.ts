import type { RedisClient } from '../redisClient.ts';

const defined = new WeakMap<object, Set<string>>();

/**
 * Registers Lua scripts on a client once (ioredis then calls them by SHA with EVALSHA, falling back to EVAL
 * after a server restart) and returns the client typed with them. Every script passes all its keys in KEYS,
 * so they are legal on Redis Cluster.
 */
export function withScripts<T>(redis: RedisClient, scripts: Record<string, string>): RedisClient & T {
  let names = defined.get(redis);
  if (!names) defined.set(redis, (names = new Set()));
  for (const [name, lua] of Object.entries(scripts)) {
    if (names.has(name)) continue;
    redis.defineCommand(name, { lua });
    names.add(name);
  }
  return redis as RedisClient & T;
}
