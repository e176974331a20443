import { assignKeys } from '../dedupe/itemKey.ts';
import { ParseError } from '../errors.ts';
import { decodeBody } from './decodeBody.ts';
import { detectFormat } from './detectFormat.ts';
import { documentBase, withoutCredentials } from './documentBase.ts';
import { parseJsonFeed } from './jsonFeed.ts';
import type { FeedMeta, ParsedFeed } from './types.ts';
import { parseXmlFeed } from './xmlFeed.ts';
import { absolutize } from './xmlNodes.ts';

export interface ParseOptions {
  /** The feed's own URL: the base for relative links when the document gives no better one. */
  url?: string;
  /** The Content-Type header, for its charset parameter. */
  contentType?: string | null;
  /** The Content-Location header: where relative links resolve when it names an http(s) URL (parse/documentBase.ts). */
  contentLocation?: string | null;
}

/**
 * Bytes (or text) of a feed in, normalised feed out. Pure: never fetches anything. Fails with a
 * ParseError (empty_body, not_a_feed, malformed_xml, malformed_json, too_deep) when the body is not a
 * readable feed; never returns an empty success for a page that is not a feed.
 */
export async function parseFeed(body: Buffer | string, options: ParseOptions = {}): Promise<ParsedFeed> {
  const { text } = decodeBody(body, options.contentType);
  const base = documentBase(options.url, options.contentLocation);
  const detected = detectFormat(text);
  switch (detected.format) {
    case 'empty':
      throw new ParseError('empty_body', 'the response body is empty');
    case 'html':
      throw new ParseError('not_a_feed', 'this is an HTML page, not a feed; use the feed URL it links to (<link rel="alternate">)');
    case 'unknown':
      throw new ParseError(
        'not_a_feed',
        detected.root === 'json'
          ? 'a JSON document without a JSON Feed "version" (https://jsonfeed.org/version/1.1)'
          : detected.root
            ? `the root element <${detected.root}> is not RSS, RDF or Atom`
            : 'the body is neither XML nor JSON',
      );
    case 'jsonfeed': {
      const json = parseJsonFeed(text, base);
      const keyed = assignKeys(json.items);
      return { format: 'jsonfeed', version: detected.version, feed: completeMeta(json.feed, options.url), items: keyed.items, skipped: json.skipped + keyed.skipped, ttlMinutes: null, recovered: null };
    }
    default: {
      const xml = await parseXmlFeed(text, detected.format, detected.root, base);
      const keyed = assignKeys(xml.items);
      return { format: detected.format, version: detected.version, feed: completeMeta(xml.feed, options.url), items: keyed.items, skipped: keyed.skipped, ttlMinutes: xml.ttlMinutes, recovered: xml.recovered };
    }
  }
}

/**
 * A feed without a site link is taken to live at its own URL, and a feed without a title is called by its
 * site link (as miniflux and most readers list it): both say where it is, never invent what it says.
 */
function completeMeta(feed: FeedMeta, feedUrl: string | undefined): FeedMeta {
  const link = feed.link ?? withoutCredentials(absolutize(feedUrl, undefined)) ?? null;
  return { ...feed, link, title: feed.title ?? link };
}
