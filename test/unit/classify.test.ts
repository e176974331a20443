import { describe, expect, it } from 'vitest';
import { FetchError, ParseError } from '../../src/errors.ts';
import { classifyOutcome } from '../../src/fetch/classify.ts';
import { parseRetryAfter } from '../../src/fetch/retryAfter.ts';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const res = (status: number, headers: Record<string, string> = {}) => ({ status, headers });

describe('classifyOutcome', () => {
  it.each([
    ['200', res(200), 'ok', 'ok'],
    ['304', res(304), 'not_modified', 'not_modified'],
    ['429 without Retry-After waits a default minute', res(429), 'rate_limited', 'rate_limited'],
    ['503 with Retry-After is a rate limit', res(503, { 'retry-after': '120' }), 'rate_limited', 'rate_limited'],
    ['503 without Retry-After is transient', res(503), 'transient', 'server_error'],
    ['500', res(500), 'transient', 'server_error'],
    ['404', res(404), 'permanent', 'not_found'],
    ['410', res(410), 'permanent', 'gone'],
    ['401', res(401), 'permanent', 'unauthorized'],
    ['403', res(403), 'permanent', 'forbidden'],
    ['408 is worth retrying', res(408), 'transient', 'timeout'],
    ['other 4xx', res(418), 'permanent', 'client_error'],
    ['3xx without Location', res(302), 'permanent', 'bad_redirect'],
    ['timeout', new FetchError('timeout', 't'), 'transient', 'timeout'],
    ['connection refused', new FetchError('network', 'n'), 'transient', 'network'],
    ['blocked address', new FetchError('blocked_address', 'b'), 'permanent', 'blocked_address'],
    ['too large', new FetchError('too_large', 'l'), 'permanent', 'too_large'],
    ['too many redirects', new FetchError('too_many_redirects', 'r'), 'permanent', 'too_many_redirects'],
    ['not a feed', new ParseError('not_a_feed', 'x'), 'permanent', 'not_a_feed'],
    ['truncated XML may be a cut download', new ParseError('malformed_xml', 'x'), 'transient', 'malformed_xml'],
  ])('%s', (_name, input, kind, code) => {
    const o = classifyOutcome(input as never, NOW);
    expect([o.kind, o.code]).toEqual([kind, code]);
  });

  it('carries the Retry-After delay of a 429', () => {
    expect(classifyOutcome(res(429, { 'retry-after': '30' }), NOW).retryAfterMs).toBe(30_000);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['delay-seconds', '120', 120_000],
    ['HTTP-date', 'Fri, 27 Nov 2026 12:05:00 GMT', 300_000],
    ['a date in the past means now', 'Fri, 27 Nov 2026 11:00:00 GMT', 0],
    ['capped at a day', '9999999', 86_400_000],
    ['garbage', 'soon', undefined],
    ['absent', undefined, undefined],
  ])('%s', (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});
