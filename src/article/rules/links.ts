import { type PageContext, fromJsonLd } from '../pageContext.ts';
import { resolveLink, sameSite } from '../resolveLink.ts';
import type { Rule } from './rule.ts';

/**
 * A canonical candidate is kept when it is an http(s) link on the page's own site (registrable domain), or
 * any http(s) link when the page is an AMP page (whose canonical may live elsewhere). A refused one is
 * recorded in `ctx.ignored` with why, and the next rule is asked.
 */
function checkedCanonical(ctx: PageContext, raw: string | undefined, where: string): string | undefined {
  if (raw === undefined || !raw.trim()) return undefined;
  const url = resolveLink(raw, ctx.pageUrl);
  const shown = raw.trim().slice(0, 200);
  if (url === undefined) {
    ctx.ignored.push(`canonical ${shown} (${where}) is not an http(s) link`);
    return undefined;
  }
  if (!sameSite(url, ctx.pageUrl) && !isAmpPage(ctx)) {
    ctx.ignored.push(`canonical ${url} (${where}) points at another site`);
    return undefined;
  }
  return url;
}

function isAmpPage(ctx: PageContext): boolean {
  const html = ctx.$('html').first()[0];
  return html !== undefined && ('amp' in html.attribs || '⚡' in html.attribs);
}

export const CANONICAL_RULES: readonly Rule<string>[] = [
  { name: 'link:canonical', read: (ctx) => checkedCanonical(ctx, ctx.$('link[rel~="canonical" i]').first().attr('href'), 'link rel=canonical') },
  { name: 'meta:og:url', read: (ctx) => checkedCanonical(ctx, ctx.meta.get('og:url')?.[0], 'og:url') },
  { name: 'jsonld:mainEntityOfPage', read: (ctx) => checkedCanonical(ctx, fromLd(ctx, 'mainEntityOfPage'), 'JSON-LD mainEntityOfPage') },
  { name: 'jsonld:url', read: (ctx) => checkedCanonical(ctx, fromLd(ctx, 'url'), 'JSON-LD url') },
  // A page that names no canonical is its own (RFC 6596): the address it was fetched from.
  { name: 'page-url', read: (ctx) => resolveLink(ctx.pageUrl, ctx.pageUrl) },
];

export const AMP_RULES: readonly Rule<string>[] = [
  { name: 'link:amphtml', read: (ctx) => resolveLink(ctx.$('link[rel~="amphtml" i]').first().attr('href'), ctx.pageUrl) },
];

/** A JSON-LD link of the article node: a URL string, or an object's `@id` / `url` (`mainEntityOfPage: {"@id": …}`). */
export function fromLd(ctx: PageContext, key: string): string | undefined {
  const articleNodes = ctx.ranked.filter((n) => n === ctx.ranked[0] || n['@type'] === ctx.ranked[0]?.['@type']);
  return fromJsonLd(ctx, key, (v) => {
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      return typeof o.url === 'string' ? o.url : typeof o['@id'] === 'string' ? o['@id'] : undefined;
    }
    return undefined;
  }, articleNodes);
}
