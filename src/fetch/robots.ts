import robotsParserModule from 'robots-parser';
import type { RedisClient } from '../redisClient.ts';
import type { Keys } from '../queue/keys.ts';
import { FetchError } from '../errors.ts';
import { fetchFeed, type FetchRequest } from './fetchFeed.ts';

type RobotsParser = (url: string, text: string) => { isAllowed(url: string, ua?: string): boolean | undefined };
// robots-parser is CommonJS (module.exports = function); its types declare an ES default export.
const robotsParser = ((robotsParserModule as unknown as { default?: RobotsParser }).default ?? robotsParserModule) as unknown as RobotsParser;

/** The product token robots.txt rules name (RFC 9309 §2.2.1): "User-agent: SignalDesk". */
export const ROBOTS_AGENT = 'SignalDesk';
const DAY_MS = 86_400_000;
/** RFC 9309 §2.5: parsers must read at least 500 KiB. */
export const ROBOTS_MAX_BYTES = 512 * 1024;

export type RobotsFile = { kind: 'rules'; text: string } | { kind: 'allow_all' } | { kind: 'disallow_all' };

/**
 * What a robots.txt fetch means (RFC 9309 §2.3.1): 2xx → its rules; 4xx ("unavailable") → everything is
 * allowed; 5xx or no answer ("unreachable") → everything is disallowed for now.
 */
export function robotsFromResponse(status: number | undefined, body: string): RobotsFile {
  if (status !== undefined && status >= 200 && status < 300) return { kind: 'rules', text: body };
  if (status !== undefined && status >= 400 && status < 500) return { kind: 'allow_all' };
  return { kind: 'disallow_all' };
}

export function isAllowedByRobots(file: RobotsFile, url: string): boolean {
  if (file.kind !== 'rules') return file.kind === 'allow_all';
  const robotsUrl = new URL('/robots.txt', url).href;
  return robotsParser(robotsUrl, file.text).isAllowed(url, ROBOTS_AGENT) !== false;
}

/**
 * robots.txt for the URL's origin, from the Redis cache (a day for rules and "unavailable"; an hour for
 * "unreachable", so a server error does not block a site for a day) or fetched with `fetchRobots`.
 */
export async function cachedRobots(redis: RedisClient, keys: Keys, url: string, fetchRobots: (robotsUrl: string) => Promise<RobotsFile>): Promise<RobotsFile> {
  const origin = new URL(url).origin;
  const key = keys.robots(origin);
  const cached = await redis.get(key);
  if (cached) return JSON.parse(cached) as RobotsFile;
  const file = await fetchRobots(`${origin}/robots.txt`);
  await redis.set(key, JSON.stringify(file), 'PX', file.kind === 'disallow_all' ? DAY_MS / 24 : DAY_MS);
  return file;
}

/** Fetches a robots.txt (through the same guarded agent as feeds) and reads it per RFC 9309; a non-public address throws the guard's FetchError. */
export async function fetchRobotsFile(robotsUrl: string, o: { userAgent: string; timeoutMs: number; dispatcher: FetchRequest['dispatcher'] }): Promise<RobotsFile> {
  try {
    const res = await fetchFeed({ url: robotsUrl, userAgent: o.userAgent, maxBytes: ROBOTS_MAX_BYTES, timeoutMs: o.timeoutMs, dispatcher: o.dispatcher, accept: 'text/plain' });
    return robotsFromResponse(res.status, res.body.toString('utf8'));
  } catch (err) {
    // A site the guard refuses: its pages are refused for that reason, not for an unread robots.txt.
    if (err instanceof FetchError && err.code === 'blocked_address') throw err;
    // Unreachable (or over the size limit, where RFC 9309 would let us read the first 500 KiB): allow nothing for now.
    return robotsFromResponse(undefined, '');
  }
}
