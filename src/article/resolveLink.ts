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

export { sameSite, siteOf } from '../dedupe/sameSite.ts';
