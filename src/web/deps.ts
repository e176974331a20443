import type { Clock } from '../clock.ts';
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Keys } from '../queue/keys.ts';
import type { Queues } from '../queue/queues.ts';
import type { RedisClient } from '../redisClient.ts';
import type { Desk } from '../review/desk.ts';
import type { LiveEvents } from './liveEvents.ts';

/** What every route module needs: one type, so the routes never import the server that registers them. */
export interface ServerDeps {
  settings: Settings;
  redis: RedisClient;
  keys: Keys;
  clock: Clock;
  logger: Logger;
  desk: Desk;
  live: LiveEvents;
  metrics: Metrics;
  queues: Queues;
}
