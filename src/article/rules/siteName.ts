import { cleanText } from '../cleanText.ts';
import { typesOf } from '../readJsonLd.ts';
import { type Rule, jsonLdRule, ldText, metaRule } from './rule.ts';

const text = (v: unknown) => cleanText(ldText(v), 200);

export const SITE_NAME_RULES: readonly Rule<string>[] = [
  jsonLdRule('publisher', text, 'publisher.name'),
  metaRule('og:site_name', text),
  {
    name: 'jsonld:WebSite.name',
    read: (ctx) => text(ctx.nodes.find((n) => typesOf(n).includes('WebSite') && typeof n.name === 'string')?.name),
  },
  metaRule('application-name', text),
  metaRule('apple-mobile-web-app-title', text),
  metaRule('al:ios:app_name', text),
  metaRule('twitter:app:name:iphone', text),
  metaRule('dc.publisher', text),
];
