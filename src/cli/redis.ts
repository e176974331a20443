import { pingRedis } from '../queue/connection.ts';
import { SignalDeskError } from '../errors.ts';

export const REDIS_HELP = 'start one with `docker compose up -d redis`, or install the OS package (`apt-get install redis-server`, `brew install redis`), or set REDIS_URL';

/** Fails fast with a helpful message instead of letting ioredis retry forever. */
export async function requireRedis(url: string): Promise<void> {
  if (url.startsWith('redis+cluster://')) return;
  if (!(await pingRedis(url))) throw new SignalDeskError('redis_unreachable', `no Redis answers at ${url}: ${REDIS_HELP}`);
}
