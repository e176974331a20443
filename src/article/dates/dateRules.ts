import type { Element } from 'domhandler';
import type { JsonLdNode } from '../types.ts';
import { findTextDates, type TextDate } from './findTextDates.ts';
import { textOf, type PageIndex, type Spot } from './indexPage.ts';
import type { MetaIndex } from './readMeta.ts';
import { readUrlDate } from './readUrlDate.ts';
import { toDay, toIsoDate, type DateValue } from './toIsoDate.ts';

/** What every rule reads from: built once per page. */
export interface DateContext {
  pageUrl: string;
  meta: MetaIndex;
  page: PageIndex;
  /** The page's own JSON-LD entities, best first (see pickMainEntities). */
  entities: readonly JsonLdNode[];
  /** True when the value may be the page's date (after 1995, not in the future). */
  plausible: (d: DateValue) => boolean;
}

/** One named extractor. `read` gives every plausible value it finds, best first. */
export interface DateRule {
  name: string;
  read: (ctx: DateContext) => DateValue[];
}

const JSONLD_PUBLISHED = ['datePublished', 'dateCreated', 'uploadDate'] as const;

function jsonLd(key: string, group: readonly string[]): DateRule {
  return {
    name: `jsonld:${key}`,
    read: (ctx) => {
      // Only the first own entity that carries a date of this group: a second article node is someone else's.
      const entity = ctx.entities.find((n) => group.some((k) => toIsoDate(first(n[k])) !== undefined));
      const value = entity ? toIsoDate(first(entity[key])) : undefined;
      return value && ctx.plausible(value) ? [value] : [];
    },
  };
}

function meta(key: string): DateRule {
  LISTED.add(key);
  return {
    name: `meta:${key}`,
    read: (ctx) => (ctx.meta.get(key) ?? []).map(toIsoDate).filter((d): d is DateValue => d !== undefined && ctx.plausible(d)).slice(0, 1),
  };
}

const LISTED = new Set<string>();
// Any other meta whose name says "publication date" (htmldate searches meta names the same way), never "modified".
const PUBLISHED_NAME = /(?:^|[:._-])(?:publi(?:shed|cation|sh)?|pub|issued|release|original)[:._-]?(?:date|time|datetime|at|on)?$|(?:^|[:._-])(?:date|time)[:._-]?(?:publi(?:shed|cation)?|pub|issued)$/;
const NOT_PUBLISHED = /modif|updat|expir|review|revis|valid|end|start|event|birth|death|print/;

/** `<meta name="…publicationdate">`, `<meta property="article:publication_date">`…: a family, reported by its own name. */
const metaByName: DateRule = {
  name: 'meta:*published*',
  read: (ctx) => {
    for (const [key, values] of ctx.meta) {
      if (LISTED.has(key) || !PUBLISHED_NAME.test(key) || NOT_PUBLISHED.test(key)) continue;
      const value = values.map(toIsoDate).find((d) => d !== undefined && ctx.plausible(d));
      if (value) return [{ ...value, via: `meta:${key}` }];
    }
    return [];
  },
};

/** `<meta name="parsely-page" content='{"pub_date": …}'>`, Parse.ly's older JSON form. */
const parselyPage: DateRule = {
  name: 'meta:parsely-page',
  read: (ctx) => {
    const raw = ctx.meta.get('parsely-page')?.[0];
    if (!raw || raw.length > 10_000) return [];
    try {
      const value = toIsoDate((JSON.parse(raw) as Record<string, unknown>)?.pub_date);
      return value && ctx.plausible(value) ? [value] : [];
    } catch {
      return [];
    }
  },
};

/** The spots outside foreign containers, those inside the article first, in document order. */
export function own(spots: readonly Spot[]): Element[] {
  const ok = spots.filter((s) => !s.foreign);
  return [...ok.filter((s) => s.inArticle), ...ok.filter((s) => !s.inArticle)].map((s) => s.el);
}

function element(name: string, pick: (page: PageIndex) => readonly Spot[], attrs: readonly string[], text: boolean): DateRule {
  return {
    name,
    read: (ctx) => {
      for (const el of own(pick(ctx.page)).filter((e) => e.name !== 'meta')) {
        const values = attrs.map((a) => el.attribs[a]);
        if (text) values.push(textOf(el, 100));
        for (const v of values) {
          const d = toIsoDate(v);
          if (d && ctx.plausible(d)) return [d];
        }
      }
      return [];
    },
  };
}

/**
 * The structured pass for the publication date, in priority order. All of them are read; when they disagree
 * the earliest day wins (the original publication, as htmldate's `original_date`), ties to the first here.
 */
export const PUBLISHED_RULES: readonly DateRule[] = [
  ...JSONLD_PUBLISHED.map((k) => jsonLd(k, JSONLD_PUBLISHED)),
  ...[
    'article:published_time', 'og:published_time', 'og:article:published_time', 'article:published', 'parsely-pub-date',
    'sailthru.date', 'dc.date.issued', 'dcterms.issued', 'dc.date', 'dcterms.date', 'dcterms.created', 'dc.date.created',
    'citation_publication_date', 'citation_date', 'citation_online_date', 'prism.publicationdate', 'rnews:datepublished',
    'pubdate', 'publishdate', 'publish-date', 'publish_date', 'publication_date', 'article.published', 'article_date_original',
    'original-publish-date', 'originalpublicationdate', 'datepublished', 'date', 'dc.created', 'cxenseparse:recs:publishtime', 'sailthru.date',
  ].map(meta),
  parselyPage,
  metaByName,
  element('itemprop:datePublished', (p) => p.itemprops.get('datePublished') ?? [], ['datetime', 'content'], true),
  element('time[pubdate]', (p) => p.times.filter((s) => s.el.attribs.pubdate !== undefined), ['datetime'], true),
  element('abbr.published', (p) => p.abbrs.filter((s) => hasClass(s.el, 'published')), ['title'], true),
];

/** The structured pass for the last modification; the latest plausible value wins. */
export const MODIFIED_RULES: readonly DateRule[] = [
  jsonLd('dateModified', ['dateModified']),
  ...[
    'article:modified_time', 'og:updated_time', 'og:modified_time', 'article:modified', 'dcterms.modified', 'dc.date.modified',
    'last-modified', 'lastmod', 'datemodified', 'parsely-updated-date', 'sailthru.lastmodified',
  ].map(meta),
  element('itemprop:dateModified', (p) => p.itemprops.get('dateModified') ?? [], ['datetime', 'content'], true),
  element('abbr.updated', (p) => p.abbrs.filter((s) => hasClass(s.el, 'updated')), ['title'], true),
];

const UPDATED_HINT = /updat|modif|edited|revis|aktualisiert|actualiz|atualiz|aggiorn|mis-a-jour|maj\b/i;
const BYLINE_MAX = 200;

/** `<time datetime>` in the article's own parts, labelled by its class, itemprop or the words before it. */
function timeElements(ctx: DateContext): Array<{ value: DateValue; modified: boolean }> {
  const out: Array<{ value: DateValue; modified: boolean }> = [];
  for (const el of own(ctx.page.times).filter((e) => e.attribs.datetime).slice(0, 50)) {
    const value = toIsoDate(el.attribs.datetime);
    if (!value || !ctx.plausible(value)) continue;
    out.push({ value, modified: hintsModified(ctx, el) });
  }
  return out;
}

function hintsModified(ctx: DateContext, el: Element): boolean {
  const a = el.attribs;
  if (UPDATED_HINT.test(`${a.class ?? ''} ${a.itemprop ?? ''} ${a.id ?? ''}`)) return true;
  const parent = el.parent as Element | null;
  if (parent?.attribs && UPDATED_HINT.test(`${parent.attribs.class ?? ''} ${parent.attribs.id ?? ''}`)) return true;
  // "Updated <time …>": the label is the text just before the element.
  const before = textOf(parent ?? el, 300);
  const mine = textOf(el, 100);
  const at = mine ? before.indexOf(mine) : -1;
  const lead = (at > 0 ? before.slice(Math.max(0, at - 30), at) : '').toLowerCase();
  return /(?:updated|modified|aktualisiert|mis à jour|actualizado|atualizado|aggiornato|bijgewerkt|更新)[^\p{L}]*(?:on|at|am|le|el|em|il|op)?\s*$/iu.test(lead);
}

/** Short byline-sized texts ("Published March 5, 2024 · Updated …") outside comments, footers and related lists. */
function bylineDates(ctx: DateContext): TextDate[] {
  const out: TextDate[] = [];
  const seen = new Set<string>();
  for (const el of own(ctx.page.bylines)) {
    const text = textOf(el, BYLINE_MAX);
    if (!text || text.length > BYLINE_MAX || seen.has(text)) continue;
    seen.add(text);
    out.push(...findTextDates(text));
    if (out.some((d) => d.label !== 'modified')) break;
  }
  return out;
}

const AFTER_TITLE = 300;

/** Dates written just after the article's title: "by Ada Jones on June 29, 2017", the dateline under the h1. */
function nearTitleDates(ctx: DateContext): TextDate[] {
  const h1 = own(ctx.page.headings)[0];
  if (!h1) return [];
  const title = textOf(h1, 300);
  let box: Element = h1;
  for (let level = 0; level < 3 && box.parent?.type === 'tag' && (box.parent as Element).name !== 'body'; level++) {
    box = box.parent as Element;
    const text = textOf(box, 2000, true);
    const at = title ? text.indexOf(title) : -1;
    if (at < 0) continue;
    const after = text.slice(at + title.length, at + title.length + AFTER_TITLE);
    const found = findTextDates(after);
    if (found.length > 0) return found;
  }
  return [];
}

function textDay(ctx: DateContext, d: TextDate | undefined): DateValue[] {
  const value = d ? ((d.dateTime ? toIsoDate(d.dateTime) : undefined) ?? toDay(d.year, d.month, d.day)) : undefined;
  return value && ctx.plausible(value) ? [value] : [];
}

/** The extensive fallback, in order, when the structured pass finds no publication date: the first that yields wins. */
export const FALLBACK_PUBLISHED_RULES: readonly DateRule[] = [
  { name: 'time[datetime]', read: (ctx) => timeElements(ctx).filter((t) => !t.modified).map((t) => t.value).slice(0, 1) },
  { name: 'url-pattern', read: (ctx) => { const d = readUrlDate(ctx.pageUrl); return d && ctx.plausible(d) ? [d] : []; } },
  { name: 'byline-text', read: (ctx) => textDay(ctx, bylineDates(ctx).filter((d) => d.label !== 'modified').find((d) => textDay(ctx, d).length > 0)) },
  { name: 'title-text', read: (ctx) => textDay(ctx, nearTitleDates(ctx).filter((d) => d.label !== 'modified').find((d) => textDay(ctx, d).length > 0)) },
];

/** The fallback for the modification date, when no structured rule gave one. */
export const FALLBACK_MODIFIED_RULES: readonly DateRule[] = [
  { name: 'time[datetime]', read: (ctx) => timeElements(ctx).filter((t) => t.modified).map((t) => t.value).slice(0, 1) },
  { name: 'byline-text', read: (ctx) => textDay(ctx, bylineDates(ctx).filter((d) => d.label === 'modified').find((d) => textDay(ctx, d).length > 0)) },
];

function hasClass(el: Element, name: string): boolean {
  return (el.attribs.class ?? '').split(/\s+/).includes(name);
}

/** The first of an array, and a JSON-LD value object's `@value` (`{"@value": "2024-03-05", "@type": "Date"}`). */
function first(v: unknown): unknown {
  const one: unknown = Array.isArray(v) ? v[0] : v;
  return one && typeof one === 'object' && '@value' in one ? (one as { '@value': unknown })['@value'] : one;
}
