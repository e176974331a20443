import { FetchError, ParseError } from '../errors.ts';
import { parseRetryAfter } from './retryAfter.ts';

export type OutcomeKind = 'ok' | 'not_modified' | 'rate_limited' | 'permanent' | 'transient';

export interface Outcome {
  kind: OutcomeKind;
  /** Stable code for logs, metrics and the summary table, e.g. "gone", "timeout", "server_error". */
  code: string;
  message: string;
  /** For rate_limited: how long to wait before asking again. */
  retryAfterMs?: number;
}

export interface ResponseFacts {
  status: number;
  headers: Record<string, string | undefined>;
}

const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/**
 * The one place that decides what an HTTP response or a failed request means (Miniflux's
 * response_handler.go plays this part). Pure: the worker maps the result onto BullMQ.
 */
export function classifyOutcome(input: ResponseFacts | Error, now: number): Outcome {
  if (input instanceof Error) return classifyError(input);
  const { status, headers } = input;
  const retryAfter = parseRetryAfter(headers['retry-after'], now);
  if (status >= 200 && status < 300) return { kind: 'ok', code: 'ok', message: `HTTP ${status}` };
  if (status === 304) return { kind: 'not_modified', code: 'not_modified', message: 'HTTP 304: unchanged since the last poll' };
  // RFC 6585 §4: 429 asks us to slow down; RFC 9110 §15.6.4: a 503 with Retry-After says when to come back.
  if (status === 429 || (status === 503 && retryAfter !== undefined)) {
    const wait = retryAfter ?? DEFAULT_RATE_LIMIT_WAIT_MS;
    return { kind: 'rate_limited', code: 'rate_limited', message: `HTTP ${status}: asked to wait ${Math.round(wait / 1000)}s`, retryAfterMs: wait };
  }
  if (status === 410) return { kind: 'permanent', code: 'gone', message: 'HTTP 410 Gone: the publisher removed this feed; remove or replace the source' };
  if (status === 404) return { kind: 'permanent', code: 'not_found', message: 'HTTP 404 Not Found: check the source URL' };
  if (status === 401) return { kind: 'permanent', code: 'unauthorized', message: 'HTTP 401: the feed needs credentials' };
  if (status === 403) return { kind: 'permanent', code: 'forbidden', message: 'HTTP 403: the server refuses us; check the URL or ask the publisher' };
  // 408 Request Timeout and 425 Too Early are invitations to try again.
  if (status === 408 || status === 425) return { kind: 'transient', code: 'timeout', message: `HTTP ${status}` };
  if (status >= 300 && status < 400) return { kind: 'permanent', code: 'bad_redirect', message: `HTTP ${status} without a usable Location header` };
  if (status >= 400 && status < 500) return { kind: 'permanent', code: 'client_error', message: `HTTP ${status}` };
  if (status >= 500) return { kind: 'transient', code: 'server_error', message: `HTTP ${status}: server error` };
  return { kind: 'permanent', code: 'bad_status', message: `unexpected HTTP status ${status}` };
}

const TRANSIENT_FETCH = new Set(['timeout', 'network', 'dns', 'decode_error', 'shutdown']);
const TRANSIENT_PARSE = new Set(['empty_body', 'malformed_xml', 'malformed_json']);

function classifyError(err: Error): Outcome {
  if (err instanceof FetchError) {
    return { kind: TRANSIENT_FETCH.has(err.code) ? 'transient' : 'permanent', code: err.code, message: err.message };
  }
  if (err instanceof ParseError) {
    // A truncated or empty body is often a hiccup (a cut connection, a deploy in progress): try again.
    // A page that is not a feed stays not a feed.
    return { kind: TRANSIENT_PARSE.has(err.code) ? 'transient' : 'permanent', code: err.code, message: err.message };
  }
  return { kind: 'transient', code: 'internal', message: err.message };
}
