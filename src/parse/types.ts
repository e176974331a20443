export type FeedFormat = 'rss' | 'atom' | 'rdf' | 'jsonfeed';

/** One entry as read from the document, before identity is assigned. Every field may be missing. */
export interface RawItem {
  guid: string | null;
  url: string | null;
  title: string | null;
  author: string | null;
  publishedAt: string | null;
  updatedAt: string | null;
  categories: string[];
  summary: string | null;
}

/** An item with its identity: `key` is what de-duplication compares (see dedupe/itemKey.ts). */
export interface FeedItem extends RawItem {
  key: string;
}

export interface FeedMeta {
  title: string | null;
  link: string | null;
  description: string | null;
  language: string | null;
}

export interface ParsedFeed {
  /** "html" for a listing page read with CSS selectors (src/extract). */
  format: FeedFormat | 'html';
  /** Format version as declared: "2.0", "0.91", "1.0", "0.3", "1.1"… */
  version: string | null;
  feed: FeedMeta;
  items: FeedItem[];
  /** Entries that could not be read at all (not an object, no identifying field): counted, never fatal. */
  skipped: number;
  /** Hints for cache control: RSS <ttl> in minutes, when present. */
  ttlMinutes: number | null;
  /** Set when the strict XML parser refused the document and a lenient re-read kept its whole items; null otherwise. */
  recovered: Recovered | null;
}

/**
 * A feed read although it is not well-formed XML: `message` is the strict parser's first error (with line and
 * column), `truncated` says the document was cut off by its end: an item or entry cut off and dropped, or the element
 * holding the items never closed (items after the cut may be missing). A warning on
 * the source's health, not a failure.
 */
export interface Recovered {
  code: 'malformed_xml' | 'xml_repaired';
  message: string;
  truncated: boolean;
}

export const SUMMARY_MAX = 500;
export const MAX_CATEGORIES = 20;
