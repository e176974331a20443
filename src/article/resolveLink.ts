import { getDomain } from 'tldts';
import { toHttpUrl } from '../drafts/httpUrl.ts';

/** A link as the page wrote it, resolved against the page URL; undefined unless it is http(s). */
export function resolveLink(value: unknown, pageUrl: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (!trimmed || trimmed.length > 4096) return undefined;
  try {
    return toHttpUrl(new URL(trimmed, pageUrl).href);
  } catch {
    return undefined;
  }
}

/** The registrable domain (`bbc.co.uk` for `www.bbc.co.uk`), or the host itself for IPs and single labels. */
export function siteOf(url: string): string | undefined {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return getDomain(host, { allowPrivateDomains: true }) ?? host;
  } catch {
    return undefined;
  }
}

export function sameSite(a: string, b: string): boolean {
  const sa = siteOf(a);
  return sa !== undefined && sa === siteOf(b);
}
