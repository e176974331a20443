import { getDomain } from 'tldts';

/**
 * The registrable domain (`bbc.co.uk` for `www.bbc.co.uk`; `alice.github.io` for a user's GitHub Pages, from
 * the public-suffix list's private part), or the host itself for an IP address or a single label; undefined
 * for anything that is not a URL.
 */
export function siteOf(url: string): string | undefined {
  try {
    const host = new URL(url).hostname.toLowerCase().replace(/\.+$/, '');
    return getDomain(host, { allowPrivateDomains: true }) ?? host;
  } catch {
    return undefined;
  }
}

/**
 * Whether a page may speak for another link's identity (canonical, og:url, a fold of two drafts, the link a
 * signal publishes): both on one registrable domain, so `amp.`, `www.`, `m.` or `edition.` of a site are one
 * site, and two sites under `co.uk` or `github.io` are not.
 */
export function sameSite(a: string, b: string): boolean {
  const sa = siteOf(a);
  return sa !== undefined && sa === siteOf(b);
}
