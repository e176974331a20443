import { normaliseLang } from '../normaliseLang.ts';
import { type Rule, jsonLdRule, ldText, metaRule } from './rule.ts';

export const LANG_RULES: readonly Rule<string>[] = [
  { name: 'html-lang', read: (ctx) => normaliseLang(ctx.$('html').first().attr('lang') ?? ctx.$('html').first().attr('xml:lang')) },
  { name: 'header:content-language', read: (ctx) => normaliseLang(ctx.headers['content-language']) },
  metaRule('http-equiv:content-language', normaliseLang),
  metaRule('og:locale', normaliseLang),
  jsonLdRule('inLanguage', (v) => normaliseLang(ldText(v))),
  metaRule('dc.language', normaliseLang),
  metaRule('language', normaliseLang),
];
