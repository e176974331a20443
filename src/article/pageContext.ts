import type { CheerioAPI } from 'cheerio';
import { readJsonLd, typesOf } from './readJsonLd.ts';
import type { JsonLdNode, PageHeaders } from './types.ts';

/** JSON-LD types that are the article itself, preferred over the page, the site and everything else. */
export const ARTICLE_TYPES = new Set([
  'Article', 'NewsArticle', 'BlogPosting', 'ReportageNewsArticle', 'LiveBlogPosting', 'AnalysisNewsArticle', 'OpinionNewsArticle',
  'ReviewNewsArticle', 'BackgroundNewsArticle', 'AskPublicNewsArticle', 'SatiricalArticle', 'TechArticle', 'ScholarlyArticle',
  'Report', 'SocialMediaPosting', 'DiscussionForumPosting', 'Review', 'Recipe', 'VideoObject', 'Blog',
]);
const PAGE_TYPES = new Set(['WebPage', 'ItemPage', 'AboutPage', 'ProfilePage', 'QAPage', 'FAQPage', 'MediaGallery', 'ImageGallery', 'VideoGallery']);

/** What every rule reads: the parsed page, its meta tags by name, its JSON-LD nodes ranked. */
export interface PageContext {
  $: CheerioAPI;
  pageUrl: string;
  headers: PageHeaders;
  /** Every JSON-LD object, flattened, in document order (what the dates pass reads). */
  nodes: JsonLdNode[];
  /** Article nodes first, then web pages; what `jsonld:*` rules read, in that order. */
  ranked: JsonLdNode[];
  byId: Map<string, JsonLdNode>;
  /** `<meta>` content by lower-cased name / property (each of a space-separated list), in document order. */
  meta: Map<string, string[]>;
  /** Values refused, with the reason (shown by the enrich stage). */
  ignored: string[];
  /** JSON-LD blocks not read, with why. */
  skipped: string[];
}

export function buildContext($: CheerioAPI, pageUrl: string, headers: PageHeaders): PageContext {
  const ld = readJsonLd($);
  const rank = (n: JsonLdNode) => {
    const types = typesOf(n);
    if (types.some((t) => ARTICLE_TYPES.has(t))) return 0;
    if (types.some((t) => PAGE_TYPES.has(t))) return 1;
    return 2;
  };
  const ranked = ld.nodes.filter((n) => rank(n) < 2).sort((a, b) => rank(a) - rank(b));
  return { $, pageUrl, headers, nodes: ld.nodes, ranked, byId: ld.byId, meta: readMeta($), ignored: [], skipped: ld.skipped };
}

function readMeta($: CheerioAPI): Map<string, string[]> {
  const meta = new Map<string, string[]>();
  for (const el of $('meta').toArray()) {
    const attrs = el.attribs;
    const content = attrs.content ?? attrs.value;
    if (content === undefined) continue;
    const keys = `${attrs.name ?? ''} ${attrs.property ?? ''}`.toLowerCase().split(/\s+/);
    if (attrs['http-equiv']) keys.push(`http-equiv:${attrs['http-equiv'].toLowerCase().trim()}`);
    if (attrs.itemprop && !attrs.name && !attrs.property) keys.push(...attrs.itemprop.toLowerCase().split(/\s+/).map((k) => `itemprop:${k}`));
    for (const raw of keys) {
      if (!raw) continue;
      // Dublin Core is written DC.title, dc:title, dcterms.title, DCTERMS:title: one key, `dc.title`.
      const key = raw.replace(/^(dcterms?|dc)[.:]/, 'dc.');
      const list = meta.get(key);
      if (list) {
        if (list.length < 20) list.push(content);
      } else meta.set(key, [content]);
    }
  }
  return meta;
}

/** Follows a JSON-LD `{"@id": …}` reference to the node of the page that it names. */
export function deref(ctx: PageContext, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as JsonLdNode;
    const id = obj['@id'];
    if (typeof id === 'string' && Object.keys(obj).length <= 2) return ctx.byId.get(id) ?? value;
  }
  return value;
}

/** The first ranked JSON-LD node's value for `key` that `read` accepts. */
export function fromJsonLd<T>(ctx: PageContext, key: string, read: (v: unknown) => T | undefined, nodes = ctx.ranked): T | undefined {
  for (const node of nodes) {
    const v = node[key];
    if (v === undefined || v === null) continue;
    const got = read(deref(ctx, v));
    if (got !== undefined) return got;
  }
  return undefined;
}

/** The first `<meta>` of one of the names whose content `read` accepts. */
export function fromMeta<T>(ctx: PageContext, name: string, read: (v: string) => T | undefined): T | undefined {
  for (const v of ctx.meta.get(name) ?? []) {
    const got = read(v);
    if (got !== undefined) return got;
  }
  return undefined;
}
