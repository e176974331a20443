import type { Settings } from '../../config/settings.ts';
import { createLogger } from '../../log.ts';
import { startWebServer } from '../../web/startServer.ts';

export interface ServeOptions {
  port: number;
  host: string;
}

/** `signal-desk serve`: the editors' desk and the API, until SIGTERM/SIGINT. */
export async function serveCommand(settings: Settings, options: ServeOptions): Promise<number> {
  const logger = createLogger(settings.logLevel, { file: settings.logFile });
  const server = await startWebServer(settings, { ...options, logger });
  logger.info({ url: server.url }, `desk at ${server.url} (API description at ${server.url}/docs)`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.close();
  return 0;
}
