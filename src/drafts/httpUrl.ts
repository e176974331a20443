import { z } from 'zod';

const SCHEMES = new Set(['http:', 'https:']);

/**
 * The one rule for every link Signal Desk stores or publishes: an absolute http(s) URL with a host,
 * without a user name or password, returned as the WHATWG URL parser serialises it (what a browser would follow). Anything else is
 * undefined: `javascript:`, `data:`, `file:`, `vbscript:`, relative paths, text that is not a URL. The
 * scheme is judged after the parser's own clean-up (leading spaces and control characters dropped, tabs
 * and newlines removed, case folded), so ` javascript:`, `java\tscript:` and `JAVASCRIPT:` are refused
 * as the `javascript:` a browser would see. Used at every boundary: job data, drafts, signals, feeds, webhook.
 */
export function toHttpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  // A user name or password in a published link leaks it, or disguises the host (`https://www.reuters.com@evil.example/`).
  return SCHEMES.has(url.protocol) && url.hostname !== '' && url.username === '' && url.password === '' ? url.href : undefined;
}

/** A required link: an http(s) URL, or a validation issue. */
export const HttpUrl = z.string().transform((value, ctx) => {
  const url = toHttpUrl(value);
  if (url !== undefined) return url;
  ctx.addIssue({ code: 'custom', message: 'must be an absolute http(s) URL' });
  return z.NEVER;
});

/**
 * An optional link: null when absent or not http(s). A bad link costs the item its link, never the item:
 * a feed item whose link is `javascript:…` becomes a draft without a link.
 */
export const HttpLink = z.unknown().transform((value): string | null => toHttpUrl(value) ?? null);
