import { Cluster, Redis } from 'ioredis';
import type { RedisClient } from '../redisClient.ts';

/**
 * One ioredis client. `redis://…` and `rediss://…` name a single server; `redis+cluster://h1:p1,h2:p2`
 * names Redis Cluster seed nodes (all our keys share one hash tag, so they live in one slot).
 * BullMQ needs maxRetriesPerRequest: null so that its blocking commands wait out reconnections.
 */
export function createRedis(url: string): RedisClient {
  if (url.startsWith('redis+cluster://')) {
    const nodes = url.slice('redis+cluster://'.length).split(',').map((hp) => {
      const [host, port] = hp.split(':');
      return { host: host ?? '127.0.0.1', port: Number(port ?? 6379) };
    });
    return new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: null } });
  }
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** True when a Redis server answers PING at `url` within `timeoutMs`. */
export async function pingRedis(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, enableOfflineQueue: false });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
