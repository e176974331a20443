import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { addUser } from '../../src/auth/userStore.ts';
import type { Role } from '../../src/auth/roles.ts';
import { fixedClock } from '../../src/clock.ts';
import type { Settings } from '../../src/config/settings.ts';
import { createLogger } from '../../src/log.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys, type Keys } from '../../src/queue/keys.ts';
import type { RedisClient } from '../../src/redisClient.ts';
import { startWebServer, type WebServer, type WebServerOptions } from '../../src/web/startServer.ts';
import { dropPrefix, testPrefix, testSettings } from '../helpers/redis.ts';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface RawRequest {
  method?: string;
  /** Sent exactly as written: no normalisation of dot segments, slashes or percent-encoding (fetch would). */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** The client's address (any of 127.0.0.0/8 on Linux): another client, as the server sees it. */
  localAddress?: string;
}

/** One HTTP/1.1 request on its own connection, with the path as given. */
export function raw(base: string, req: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      { host: hostname, port, method: req.method ?? 'GET', path: req.path, headers: { connection: 'close', ...req.headers }, localAddress: req.localAddress, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

export interface Desk {
  servers: WebServer[];
  url: string;
  settings: Settings;
  redis: RedisClient;
  keys: Keys;
  clock: ReturnType<typeof fixedClock>;
  tokens: Record<'viewer' | 'editor' | 'operator', string>;
  raw(req: RawRequest, server?: number): Promise<RawResponse>;
  /** Logs in through the form (as a browser does) and returns the session cookie ("sd_session=…"). */
  login(token: string, server?: number): Promise<string>;
}

/**
 * `count` desk servers on 127.0.0.1 over one Redis prefix (as several `serve` processes of one deployment),
 * with a viewer, an editor and an operator, and one clock the test moves.
 */
export async function withDesks(fn: (d: Desk) => Promise<void>, options: { env?: Record<string, string>; count?: number; router?: WebServerOptions['router'] } = {}): Promise<void> {
  const prefix = testPrefix();
  const settings = testSettings(prefix, options.env ?? {});
  const clock = fixedClock(Date.parse('2026-11-27T10:00:00Z'));
  const redis = createRedis(settings.redisUrl);
  const keys = createKeys(prefix);
  const servers: WebServer[] = [];
  try {
    for (let i = 0; i < (options.count ?? 1); i++) servers.push(await startWebServer(settings, { port: 0, host: '127.0.0.1', clock, logger: createLogger('silent'), router: options.router }));
    const tokens = {} as Desk['tokens'];
    for (const role of ['viewer', 'editor', 'operator'] as Role[]) tokens[role] = (await addUser(redis, keys, role, role, new Date(clock.now()))).token;
    const send = (req: RawRequest, server = 0) => raw(servers[server]!.url, req);
    await fn({
      servers,
      url: servers[0]!.url,
      settings,
      redis,
      keys,
      clock,
      tokens,
      raw: send,
      login: async (token, server = 0) => {
        const res = await send({ method: 'POST', path: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, next: '/' }).toString() }, server);
        if (res.status !== 303) throw new Error(`login failed: ${res.status} ${res.text.slice(0, 200)}`);
        const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('sd_session='));
        if (!cookie) throw new Error('login set no session cookie');
        return cookie.split(';')[0]!;
      },
    });
  } finally {
    for (const s of servers) await s.close();
    await redis.quit();
    await dropPrefix(prefix);
  }
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
