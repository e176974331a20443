import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Source } from '../config/sourceSchema.ts';
import type { RedisClient } from '../redisClient.ts';
import type { Keys } from '../queue/keys.ts';
import { HEALTH_STATES } from '../schedule/health.ts';
import { readHealth } from '../schedule/healthStore.ts';

/**
 * Prometheus metrics (prom-client). Counters and the histogram count what this process did; the gauges
 * (queue depths, sources by health) are read from Redis at scrape time, so any process shows the fleet.
 */
export interface Metrics {
  registry: Registry;
  polls: Counter<'outcome' | 'code'>;
  items: Counter<'kind'>;
  fetchSeconds: Histogram<'outcome'>;
  /** Times a scheduling `run` found its state gone from Redis and rebuilt the schedules, by what noticed it. */
  stateRebuilds: Counter<'trigger'>;
  /** Article pages read for drafts, by the state recorded (done, refused, failed, non_html, skipped). */
  enrichments: Counter<'state'>;
  /** Drafts a rule of config/rules.yaml dropped, by rule name (each draft once, however often its annotation is retried). */
  ruleDrops: Counter<'rule'>;
  /** Items the draft stage made no draft of, by source and reason (drafts/skipReason.ts), each item once per reason. */
  itemsSkipped: Counter<'source' | 'reason'>;
  /** Story decisions of the story stage: new (started a story), joined (an existing one), skipped (already placed, or decided). */
  stories: Counter<'decision'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'signal_desk_' });
  return {
    registry,
    polls: new Counter({ name: 'signal_desk_polls_total', help: 'Polls by outcome (ok, not_modified, rate_limited, transient, permanent) and code', labelNames: ['outcome', 'code'], registers: [registry] }),
    items: new Counter({ name: 'signal_desk_items_total', help: 'Feed items by kind: new (drafted), duplicate (seen before from the same source) or related (another source\'s item for an article that already has a draft: recorded as its coverage)', labelNames: ['kind'], registers: [registry] }),
    fetchSeconds: new Histogram({ name: 'signal_desk_fetch_duration_seconds', help: 'Fetch and parse time of one poll', labelNames: ['outcome'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] }),
    enrichments: new Counter({ name: 'signal_desk_enrichments_total', help: 'Article page enrichments by the state recorded on the draft: done, refused (robots.txt, a private address), failed, non_html, skipped (draft gone or decided)', labelNames: ['state'], registers: [registry] }),
    ruleDrops: new Counter({ name: 'signal_desk_rule_drops_total', help: 'Drafts dropped by a rule of the rules file (rejected, reopenable), by rule name', labelNames: ['rule'], registers: [registry] }),
    itemsSkipped: new Counter({ name: 'signal_desk_items_skipped_total', help: 'Feed items the draft stage made no draft of, by source and reason: no_title_or_link (neither a title nor an http(s) link), filtered (the source\'s include/exclude filters), unreadable (not readable as a draft); each item counted once per reason, however often it is polled or its job retried', labelNames: ['source', 'reason'], registers: [registry] }),
    stories: new Counter({ name: 'signal_desk_story_decisions_total', help: 'Drafts placed in stories by decision: new (started a story), joined (an existing story), skipped (already in a story, or no longer pending)', labelNames: ['decision'], registers: [registry] }),
    stateRebuilds: new Counter({ name: 'signal_desk_redis_state_rebuilds_total', help: 'Times this process found Signal Desk\'s state gone from Redis (restarted empty, flushed) and rebuilt the job schedulers and chains, by trigger (reconnect, timer)', labelNames: ['trigger'], registers: [registry] }),
  };
}

export interface StateGaugeDeps {
  redis: RedisClient;
  keys: Keys;
  queues: Queue[];
  /** The configured sources (the file is re-read by callers that hot-reload it). */
  sources: () => Promise<Source[]> | Source[];
  now: () => number;
}

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'] as const;

/** Gauges read from Redis when scraped: jobs per queue and state, sources per health state. */
export function registerStateGauges(metrics: Metrics, deps: StateGaugeDeps): void {
  new Gauge({
    name: 'signal_desk_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [metrics.registry],
    async collect() {
      for (const q of deps.queues) {
        const counts = await q.getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) this.set({ queue: q.name, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'signal_desk_sources',
    help: 'Configured sources per health state (ok, failing, paused, quiet, pending, selectors_broken, disabled)',
    labelNames: ['health'],
    registers: [metrics.registry],
    async collect() {
      const health = await readHealth(deps.redis, deps.keys, await deps.sources(), deps.now());
      for (const state of HEALTH_STATES) this.set({ health: state }, health.filter((h) => h.state === state).length);
    },
  });
}
