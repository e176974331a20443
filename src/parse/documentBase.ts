import { absolutize } from './xmlNodes.ts';

/**
 * The base relative links in a document resolve against before any xml:base inside it: the response's
 * Content-Location (itself resolved against the feed's URL, RFC 9110 §8.7) when it names an http(s) URL,
 * else the feed's own URL (after redirects). A Content-Location that is not http(s) is ignored, never
 * trusted as a base.
 */
export function documentBase(feedUrl: string | undefined, contentLocation: string | null | undefined): string | undefined {
  const own = absolutize(feedUrl, undefined);
  return absolutize(contentLocation ?? undefined, own) ?? own;
}
