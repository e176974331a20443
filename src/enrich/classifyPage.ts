import { FetchError } from '../errors.ts';
import type { FetchResponse } from '../fetch/fetchFeed.ts';

export type PageState = 'done' | 'refused' | 'failed' | 'non_html';

export interface PageOutcome {
  /** `done`: an HTML page to read; the others are recorded on the draft as they are. */
  state: PageState;
  /** In words an editor reads on the draft: "robots.txt of https://x.example disallows /a1.html", "HTTP 404". */
  reason: string | null;
  /** Worth another attempt (network, deadline, 5xx, 429); the last attempt records the failure. */
  retry: boolean;
  contentType: string | null;
  /** The worker is shutting down: the job goes back to the queue, nothing is recorded. */
  shutdown?: true;
}

const HTML_TYPES = /^(text\/html|application\/xhtml\+xml)$/;

/** The media type of a Content-Type header, lower-cased, without parameters ('' when absent). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Whether a page's body is worth reading: HTML, or no type said (many servers send none). */
export function isHtmlType(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  return type === '' || HTML_TYPES.test(type);
}

/**
 * The one place that decides what an article page's fetch means for the draft. Pure: a response (or the
 * error that stopped the fetch) in, the state to record out. `pageMaxBytes` is named in the size message.
 */
export function classifyPage(input: Pick<FetchResponse, 'status' | 'headers'> | Error, pageMaxBytes: number): PageOutcome {
  if (input instanceof Error) return classifyPageError(input, pageMaxBytes);
  const { status, headers } = input;
  const contentType = headers['content-type']?.slice(0, 200) ?? null;
  if (status >= 200 && status < 300) {
    if (isHtmlType(headers['content-type'])) return { state: 'done', reason: null, retry: false, contentType };
    return { state: 'non_html', reason: `the article is not a web page but ${describeType(mediaType(headers['content-type']))} (${mediaType(headers['content-type'])})`, retry: false, contentType };
  }
  if (status === 429) return { state: 'failed', reason: 'HTTP 429: the site asked us to slow down', retry: true, contentType };
  if (status >= 500) return { state: 'failed', reason: `HTTP ${status}: server error`, retry: true, contentType };
  if (status === 408 || status === 425) return { state: 'failed', reason: `HTTP ${status}`, retry: true, contentType };
  if (status === 401 || status === 403) return { state: 'refused', reason: `HTTP ${status}: the site refuses to show us the page`, retry: false, contentType };
  if (status === 404 || status === 410) return { state: 'failed', reason: `HTTP ${status}: the page is not there (any more)`, retry: false, contentType };
  if (status >= 300 && status < 400) return { state: 'failed', reason: `HTTP ${status} without a usable Location header`, retry: false, contentType };
  return { state: 'failed', reason: `HTTP ${status}`, retry: false, contentType };
}

function classifyPageError(err: Error, pageMaxBytes: number): PageOutcome {
  const base = { retry: false, contentType: null };
  if (!(err instanceof FetchError)) return { ...base, state: 'failed', reason: `could not read the page: ${err.message.slice(0, 300)}`, retry: true };
  switch (err.code) {
    case 'shutdown':
      return { ...base, state: 'failed', reason: 'the worker shut down', retry: true, shutdown: true };
    case 'robots_disallowed':
      return { ...base, state: 'refused', reason: err.message.slice(0, 500) };
    case 'blocked_address':
      return { ...base, state: 'refused', reason: `not fetched: ${err.message}`.slice(0, 500) };
    case 'too_large':
      return { ...base, state: 'failed', reason: `the page is larger than ${pageMaxBytes} bytes once decoded (SIGNAL_DESK_PAGE_MAX_BYTES); it was not read` };
    case 'timeout':
      return { ...base, state: 'failed', reason: `no complete page within the fetch deadline (${err.message})`.slice(0, 500), retry: true };
    case 'network':
    case 'dns':
      return { ...base, state: 'failed', reason: err.message.slice(0, 500), retry: true };
    default:
      return { ...base, state: 'failed', reason: err.message.slice(0, 500) };
  }
}

function describeType(type: string): string {
  if (type === 'application/pdf') return 'a PDF';
  if (type.startsWith('video/')) return 'a video';
  if (type.startsWith('image/')) return 'an image';
  if (type.startsWith('audio/')) return 'audio';
  return 'a file';
}
