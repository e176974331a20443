/**
 * What `extractArticle` reads off an article page. Every field carries its provenance: the name of the rule
 * that gave it (`jsonld:datePublished`, `meta:og:title`, `url-pattern`, …), the first rule of the field's
 * ordered list that yielded a value (rules as data, as metascraper's rule packages).
 */
export interface Found<T> {
  value: T;
  /** The rule that gave the value, e.g. `jsonld:headline`, `meta:og:title`, `title-tag`. */
  rule: string;
}

/** One JSON-LD object (a node of `@graph`, an array element, or a nested object), as parsed: untrusted. */
export type JsonLdNode = Record<string, unknown>;

/** Response headers of the page, lower-cased names (`content-type`, `content-language`, `x-robots-tag`, `link`). */
export type PageHeaders = Readonly<Record<string, string | undefined>>;

/** `<meta name="robots|googlebot">` and `X-Robots-Tag`, combined (the most restrictive wins). */
export interface RobotsDirectives {
  /** No snippet may be kept: the draft keeps no excerpt at all. */
  nosnippet: boolean;
  /** `max-snippet:N` (N ≥ 0; -1 = no limit is left out): the excerpt is cut to N characters. */
  maxSnippet?: number;
  /** No cached copy: the page's description is not kept. */
  noarchive: boolean;
  noindex: boolean;
  /** Where each applied directive came from, as shown to editors: `meta robots: nosnippet`, `X-Robots-Tag: max-snippet:50`. */
  applied: string[];
}

/** Publication and modification dates: ISO 8601 date-time (with offset, normalised to UTC `Z`), or `YYYY-MM-DD` when only a day is known. */
export interface ArticleDates {
  publishedAt?: Found<string>;
  modifiedAt?: Found<string>;
}

export interface ArticleMetadata extends ArticleDates {
  /** rel=canonical / og:url / JSON-LD url, resolved against the page URL; http(s) only; same site as the page unless the page is AMP. */
  canonicalUrl?: Found<string>;
  /** `<link rel="amphtml">`, when the page names its AMP variant. */
  ampUrl?: Found<string>;
  title?: Found<string>;
  description?: Found<string>;
  authors?: Found<string[]>;
  siteName?: Found<string>;
  /** BCP 47, e.g. `en`, `en-US`. */
  lang?: Found<string>;
  /** An http(s) image URL (shown to editors only, never published). */
  image?: Found<string>;
  section?: Found<string>;
  keywords?: Found<string[]>;
  /** `NewsArticle`, `BlogPosting`, `article`, `video.other`… as the page declares it. */
  type?: Found<string>;
  /** false = the page declares a paywall (JSON-LD `isAccessibleForFree: false`). */
  isAccessibleForFree?: Found<boolean>;
  wordCount?: Found<number>;
  robots: RobotsDirectives;
  /** Values the page gave that were refused, with why (`canonical https://other.example/x (link rel=canonical) points at another site`, `JSON-LD block 2 is not valid JSON`). */
  ignored?: string[];
}
