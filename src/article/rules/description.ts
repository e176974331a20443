import { cleanText } from '../cleanText.ts';
import { type Rule, itemprop, jsonLdRule, ldText, metaRule } from './rule.ts';

const text = (v: unknown) => cleanText(ldText(v), 1000);

export const DESCRIPTION_RULES: readonly Rule<string>[] = [
  metaRule('og:description', text),
  metaRule('twitter:description', text),
  metaRule('description', text),
  metaRule('dc.description', text),
  metaRule('dcterms.description', text),
  jsonLdRule('description', text),
  { name: 'itemprop:description', read: (ctx) => text(itemprop(ctx, 'description')) },
];
