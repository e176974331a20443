import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';
import { readAppliedSources } from './appliedSources.ts';
import { loadSources, type SourcesOptions } from './loadSources.ts';
import type { Source } from './sourceSchema.ts';

const cache = new Map<string, { hash: string; sources: Source[] }>();

/**
 * The sources the workers poll, for readers that never fetch (the desk's health pages and gauges): the
 * configuration applied in Redis (parsed once per version: one HGET per call otherwise), else, when Redis holds
 * none or a refused one, the sources file as before.
 */
export async function readSourcesInForce(redis: RedisClient, keys: Keys, settings: { sourcesFile: string } & SourcesOptions): Promise<Source[]> {
  const hash = await redis.hget(keys.configSources, 'hash');
  if (hash) {
    const hit = cache.get(keys.configSources);
    if (hit?.hash === hash) return hit.sources;
    const applied = await readAppliedSources(redis, keys).catch(() => undefined);
    if (applied) {
      cache.set(keys.configSources, { hash: applied.hash, sources: applied.sources });
      return applied.sources;
    }
  }
  return loadSources(settings.sourcesFile, settings.sourcesMaxBytes === undefined ? {} : { sourcesMaxBytes: settings.sourcesMaxBytes });
}
