import { FetchError, ParseError } from '../src/errors.ts';
import { parseListing } from '../src/extract/parseListing.ts';
import type { ListingSelectors } from '../src/extract/extractListing.ts';
import { ROBOTS_AGENT } from '../src/fetch/robots.ts';
import { classifyOutcome, type Outcome } from '../src/fetch/classify.ts';
import { ACCEPT_HTML, fetchFeed, type FetchRequest, type FetchResponse } from '../src/fetch/fetchFeed.ts';
import { parseFeed } from '../src/parse/parseFeed.ts';
import type { ParsedFeed } from '../src/parse/types.ts';

export interface FetchParseResult {
  response?: FetchResponse;
  outcome: Outcome;
  /** Present when the outcome is ok: the body parsed as a feed. */
  parsed?: ParsedFeed;
}

/**
 * Fetch, classify and, when the response is ok, parse — with a body that is not a readable feed
 * classified like any other outcome. Shared by the poll worker and `sources test`; writes nothing.
 */
export interface ParseAs {
  /** A listing page read with CSS selectors instead of a feed. */
  listing?: ListingSelectors;
  /** Asked before fetching, and before following each redirect (listing pages honour robots.txt): false means the page may not be fetched. */
  robotsAllow?: (url: string) => Promise<boolean>;
}

export async function fetchAndParse(request: FetchRequest, now: () => number, as: ParseAs = {}): Promise<FetchParseResult> {
  let response: FetchResponse;
  try {
    const { robotsAllow } = as;
    const checkRobots = async (url: string) => {
      if (robotsAllow && !(await robotsAllow(url))) {
        throw new FetchError('robots_disallowed', `robots.txt of ${new URL(url).origin} disallows ${url} for ${ROBOTS_AGENT}: ask the site, or use its feed`);
      }
    };
    await checkRobots(request.url);
    // A redirect's target is judged by its own site's robots.txt before it is fetched.
    response = await fetchFeed({ ...request, ...(as.listing ? { accept: ACCEPT_HTML } : {}), ...(robotsAllow ? { beforeRedirect: checkRobots } : {}) });
  } catch (err) {
    return { outcome: classifyOutcome(err as Error, now()) };
  }
  const outcome = classifyOutcome(response, now());
  if (outcome.kind !== 'ok') return { response, outcome };
  try {
    const options = { url: response.finalUrl, contentType: response.headers['content-type'], contentLocation: response.headers['content-location'] };
    return { response, outcome, parsed: as.listing ? parseListing(response.body, { ...options, selectors: as.listing }) : await parseFeed(response.body, options) };
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    return { response, outcome: classifyOutcome(err, now()) };
  }
}
