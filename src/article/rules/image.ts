import { resolveLink } from '../resolveLink.ts';
import type { PageContext } from '../pageContext.ts';
import { type Rule, itemprop, jsonLdRule, metaRule } from './rule.ts';

const link = (v: unknown, ctx: PageContext) => resolveLink(v, ctx.pageUrl);

/** JSON-LD image: a URL, an ImageObject (`url` / `contentUrl`), or a list of either. */
const ldImage = (v: unknown, ctx: PageContext): string | undefined => {
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first === 'string') return link(first, ctx);
  if (first && typeof first === 'object') {
    const o = first as Record<string, unknown>;
    return link(o.url, ctx) ?? link(o.contentUrl, ctx);
  }
  return undefined;
};

export const IMAGE_RULES: readonly Rule<string>[] = [
  metaRule('og:image', link),
  metaRule('og:image:url', link),
  metaRule('og:image:secure_url', link),
  metaRule('twitter:image', link),
  metaRule('twitter:image:src', link),
  jsonLdRule('image', ldImage),
  jsonLdRule('thumbnailUrl', ldImage),
  { name: 'itemprop:image', read: (ctx) => link(itemprop(ctx, 'image'), ctx) },
  { name: 'link:image_src', read: (ctx) => link(ctx.$('link[rel~="image_src"]').first().attr('href'), ctx) },
];
