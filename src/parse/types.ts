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
}

export const SUMMARY_MAX = 500;
export const MAX_CATEGORIES = 20;
