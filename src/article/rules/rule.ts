import type { Found } from '../types.ts';
import { type PageContext, fromJsonLd, fromMeta } from '../pageContext.ts';

/** One small named extractor: its name is the provenance of the value it yields. */
export interface Rule<T> {
  name: string;
  read: (ctx: PageContext) => T | undefined;
}

/** Rules as data: the first rule of the list that yields wins, and is named as the value's provenance. */
export function runRules<T>(ctx: PageContext, rules: readonly Rule<T>[]): Found<T> | undefined {
  for (const rule of rules) {
    let value: T | undefined;
    try {
      value = rule.read(ctx);
    } catch {
      value = undefined; // a coercer that throws on hostile input yields nothing; the next rule is asked
    }
    if (value !== undefined) return { value, rule: rule.name };
  }
  return undefined;
}

export const metaRule = <T>(name: string, coerce: (v: string, ctx: PageContext) => T | undefined): Rule<T> => ({
  name: `meta:${name}`,
  read: (ctx) => fromMeta(ctx, name, (v) => coerce(v, ctx)),
});

export const jsonLdRule = <T>(key: string, coerce: (v: unknown, ctx: PageContext) => T | undefined, label = key): Rule<T> => ({
  name: `jsonld:${label}`,
  read: (ctx) => fromJsonLd(ctx, key, (v) => coerce(v, ctx)),
});

/** A JSON-LD value's text: a string, the first of an array, or an object's `@value` / `name`. */
export function ldText(value: unknown): unknown {
  if (Array.isArray(value)) return value.find((v) => typeof v === 'string' || (v && typeof v === 'object'));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return o['@value'] ?? o.name;
  }
  return value;
}

/** Microdata: the `itemprop` value of the first element naming it (content, href/src, datetime, or text). */
export function itemprop(ctx: PageContext, prop: string, scope?: string): string | undefined {
  const el = ctx.$(`${scope ? `[itemtype*="${scope}"] ` : ''}[itemprop~="${prop}"]`).first();
  if (el.length === 0) return undefined;
  const node = el[0]!;
  const a: Record<string, string | undefined> = 'attribs' in node ? node.attribs : {};
  const tag = 'name' in node ? node.name : '';
  return a.content ?? a.datetime ?? (/^(a|link)$/.test(tag) ? a.href : undefined) ?? (/^(img|source)$/.test(tag) ? a.src : undefined) ?? el.text();
}
