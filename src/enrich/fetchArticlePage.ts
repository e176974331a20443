import type { Agent } from 'undici';
import { FetchError } from '../errors.ts';
import { ACCEPT_HTML, fetchFeed, type FetchResponse } from '../fetch/fetchFeed.ts';
import { isAllowedByRobots, ROBOTS_AGENT, type RobotsFile } from '../fetch/robots.ts';
import { isHtmlType } from './classifyPage.ts';

export interface PageFetchOptions {
  userAgent: string;
  /** SIGNAL_DESK_PAGE_MAX_BYTES: decoded bytes. */
  maxBytes: number;
  /** SIGNAL_DESK_FETCH_TIMEOUT_MS: one deadline for the whole fetch, redirects included. */
  timeoutMs: number;
  /** The SSRF-guarded agent: every connect, every redirect hop. */
  dispatcher: Agent;
  signal?: AbortSignal;
  /** robots.txt for a URL's path, asked before the fetch and before following each redirect: its file as read. */
  robotsFor: (url: string) => Promise<RobotsFile>;
  /**
   * Asked before a redirect is followed (before that host's robots.txt too): a turn at the target's host, so a
   * link through a redirector (a feed proxy) is polite to the publisher it leads to. Throws to stop there.
   */
  beforeHost?: (url: string) => Promise<void>;
}

/**
 * One GET of an article page through the same guarded fetcher as polls: robots.txt first (and for every
 * redirect target), HTML asked for, the body not read at all when the answer is not HTML (a PDF, a video).
 * Throws FetchError when no answer could be had or a limit was hit; classifyPage says what either means.
 */
export async function fetchArticlePage(url: string, o: PageFetchOptions): Promise<FetchResponse> {
  const checkRobots = async (target: string) => {
    const file = await o.robotsFor(target);
    if (isAllowedByRobots(file, target)) return;
    const u = new URL(target);
    throw new FetchError(
      'robots_disallowed',
      file.kind === 'disallow_all'
        ? `robots.txt of ${u.origin} could not be read (no answer or a server error), which forbids fetching for now: the page was not fetched`
        : `robots.txt of ${u.origin} disallows ${u.pathname}${u.search} for ${ROBOTS_AGENT}: the page was not fetched`,
    );
  };
  await checkRobots(url);
  return fetchFeed({
    url,
    userAgent: o.userAgent,
    maxBytes: o.maxBytes,
    timeoutMs: o.timeoutMs,
    dispatcher: o.dispatcher,
    accept: ACCEPT_HTML,
    beforeRedirect: async (target) => {
      await o.beforeHost?.(target);
      await checkRobots(target);
    },
    wantBody: (headers) => isHtmlType(headers['content-type']),
    ...(o.signal ? { signal: o.signal } : {}),
  });
}
