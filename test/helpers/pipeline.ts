import { SourceSchema, type Source } from '../../src/config/sourceSchema.ts';
import type { Settings } from '../../src/config/settings.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys } from '../../src/queue/keys.ts';
import { runOnce } from '../../src/queue/runOnce.ts';
import { listReview } from '../../src/review/reviewStore.ts';
import { startRuntime, type Runtime } from '../../workers/runtime.ts';
import { dropPrefix, testPrefix, testSettings } from './redis.ts';

export function source(id: string, url: string, over: Partial<Record<string, unknown>> = {}): Source {
  return SourceSchema.parse({ id, name: id.toUpperCase(), url, ...over });
}

export interface Pipeline {
  settings: Settings;
  runtime: Runtime;
  once(sources?: Source[]): ReturnType<typeof runOnce>;
  drafts(): ReturnType<typeof listReview>;
  state(sourceId: string): Promise<Record<string, string>>;
}

/** Real workers on real Redis under a fresh prefix, torn down (keys included) afterwards. */
export async function withPipeline(sources: Source[], fn: (p: Pipeline) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const prefix = testPrefix();
  const settings = testSettings(prefix, env);
  const runtime = await startRuntime(settings, sources);
  const keys = createKeys(prefix);
  const redis = createRedis(settings.redisUrl);
  try {
    await fn({
      settings,
      runtime,
      once: (s = sources) => runOnce(runtime.ctx, s),
      drafts: () => listReview(redis, keys, 1000),
      state: (id) => redis.hgetall(keys.sourceState(id)),
    });
  } finally {
    await runtime.stop();
    await redis.quit();
    await dropPrefix(prefix);
  }
}
