import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../clock.ts';
import type { Settings } from '../config/settings.ts';
import { createLogger, type Logger } from '../log.ts';
import { createRedis } from '../queue/connection.ts';
import { createKeys } from '../queue/keys.ts';
import { createDesk } from '../review/createDesk.ts';
import type { Desk } from '../review/desk.ts';
import { LiveEvents } from './liveEvents.ts';
import { buildServer, type BuildOptions } from './server.ts';
import { readSourcesInForce } from '../config/readSourcesInForce.ts';
import { createMetrics, registerStateGauges, type Metrics } from '../metrics/metrics.ts';
import { allQueues, closeQueues, createQueues } from '../queue/queues.ts';

export interface WebServer {
  app: FastifyInstance;
  desk: Desk;
  /** http://host:port the server listens on. */
  url: string;
  close(): Promise<void>;
}

export interface WebServerOptions {
  port: number;
  host: string;
  clock?: Clock;
  logger?: Logger;
  /** The metrics of the worker runtime in this process (run --web); else the server keeps its own (gauges only). */
  metrics?: Metrics;
  /** fastify's router options, for tests (the defaults are what `serve` runs with). */
  router?: BuildOptions['router'];
}

/** The desk and API on their own Redis connection, listening; `close` stops taking requests and releases everything. */
export async function startWebServer(settings: Settings, options: WebServerOptions): Promise<WebServer> {
  const logger = options.logger ?? createLogger(settings.logLevel);
  const clock = options.clock ?? systemClock;
  const redis = createRedis(settings.redisUrl);
  const keys = createKeys(settings.prefix);
  const { desk, close: closeDesk } = createDesk(settings, redis, clock, logger);
  const live = new LiveEvents(redis, keys, logger);
  const queues = createQueues(settings, redis);
  let metrics = options.metrics;
  if (!metrics) {
    metrics = createMetrics();
    registerStateGauges(metrics, { redis, keys, queues: allQueues(queues), sources: () => readSourcesInForce(redis, keys, settings), now: () => clock.now() });
  }
  const app = await buildServer({ settings, redis, keys, clock, logger, desk, live, metrics, queues }, { router: options.router });

  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (err) {
    await closeQueues(queues);
    await live.close();
    await closeDesk();
    redis.disconnect();
    throw err;
  }
  if (!settings.publicUrl && !['127.0.0.1', '::1', 'localhost'].includes(options.host)) {
    logger.warn({ host: options.host }, 'SIGNAL_DESK_PUBLIC_URL is not set: feeds link to the address each connection reached; set it to the URL readers use');
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    app,
    desk,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: async () => {
      // Open event streams would hold close() forever: end them first.
      app.server.closeAllConnections();
      await app.close();
      await live.close();
      await closeQueues(queues);
      await closeDesk();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
