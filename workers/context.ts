import type { Agent } from 'undici';
import type { Clock } from '../src/clock.ts';
import type { Source } from '../src/config/sourceSchema.ts';
import type { Settings } from '../src/config/settings.ts';
import type { RedisClient } from '../src/redisClient.ts';
import type { Logger } from '../src/log.ts';
import type { Keys } from '../src/queue/keys.ts';
import type { Queues } from '../src/queue/queues.ts';
import type { Metrics } from '../src/metrics/metrics.ts';
import type { PageReader } from '../src/enrich/pageReader.ts';
import type { RulesSource } from '../src/rules/types.ts';
import type { TaxonomySource } from '../src/categories/types.ts';
import type { SourcesFollower } from '../src/config/appliedSources.ts';

/** What the processors need, built once per process by startRuntime. */
export interface WorkerContext {
  settings: Settings;
  redis: RedisClient;
  keys: Keys;
  queues: Queues;
  sources: Map<string, Source>;
  /**
   * A long-running `run`: the applied configuration in Redis it follows (ctx.sources holds it). Refreshed on a
   * reconcile and on a poll of a source ctx.sources does not know. Absent in `run --once` and the demo.
   */
  appliedSources?: SourcesFollower;
  clock: Clock;
  metrics: Metrics;
  /** Randomness for jitter, injected like the clock. */
  random: () => number;
  logger: Logger;
  agent: Agent;
  userAgent: string;
  /** Aborted on shutdown: in-flight fetches stop and their jobs go back to the queue. */
  shutdown: AbortSignal;
  /** Reads article pages on a thread of its own (enrich stage). */
  pageReader: PageReader;
  /** config/rules.yaml as last read (annotate stage); reloaded live. */
  rules: RulesSource;
  /** config/categories.yaml as last read (annotate stage); reloaded live. */
  taxonomy: TaxonomySource;
}
