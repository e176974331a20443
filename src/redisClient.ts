import type { Cluster, Redis } from 'ioredis';

/** A single-server or Cluster client: every store takes either. */
export type RedisClient = Redis | Cluster;
