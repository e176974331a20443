import { absolutize } from './xmlNodes.ts';

/**
 * The base relative links in a document resolve against before any xml:base inside it: the response's
 * Content-Location (itself resolved against the feed's URL, RFC 9110 §8.7) when it names an http(s) URL on the
 * feed's own origin, else the feed's own URL (after redirects). A Content-Location that is not http(s) is ignored, never
 * trusted as a base. The base carries no user name or password: credentials in a source's URL are for
 * fetching the feed, and a relative item link must not inherit (and publish) them.
 */
export function documentBase(feedUrl: string | undefined, contentLocation: string | null | undefined): string | undefined {
  const own = withoutCredentials(absolutize(feedUrl, undefined));
  const location = withoutCredentials(absolutize(contentLocation ?? undefined, own));
  // Only on the feed's own origin: servers and proxies put internal addresses there (IIS's "http://10.0.0.5/…"),
  // and a publisher who means another host says so in the document (xml:base).
  if (location === undefined || own === undefined || new URL(location).origin !== new URL(own).origin) return own;
  return location;
}

/** An absolute URL with its user name and password removed; undefined stays undefined. */
export function withoutCredentials(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return url;
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}
