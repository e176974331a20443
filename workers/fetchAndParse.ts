import { ParseError } from '../src/errors.ts';
import { classifyOutcome, type Outcome } from '../src/fetch/classify.ts';
import { fetchFeed, type FetchRequest, type FetchResponse } from '../src/fetch/fetchFeed.ts';
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
export async function fetchAndParse(request: FetchRequest, now: () => number): Promise<FetchParseResult> {
  let response: FetchResponse;
  try {
    response = await fetchFeed(request);
  } catch (err) {
    return { outcome: classifyOutcome(err as Error, now()) };
  }
  const outcome = classifyOutcome(response, now());
  if (outcome.kind !== 'ok') return { response, outcome };
  try {
    return { response, outcome, parsed: await parseFeed(response.body, { url: response.finalUrl, contentType: response.headers['content-type'] }) };
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    return { response, outcome: classifyOutcome(err, now()) };
  }
}
