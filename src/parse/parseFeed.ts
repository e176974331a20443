import { assignKeys } from '../dedupe/itemKey.ts';
import { ParseError } from '../errors.ts';
import { decodeBody } from './decodeBody.ts';
import { detectFormat } from './detectFormat.ts';
import { parseJsonFeed } from './jsonFeed.ts';
import type { ParsedFeed } from './types.ts';
import { parseXmlFeed } from './xmlFeed.ts';

export interface ParseOptions {
  /** The feed's own URL: the base for relative links when the document gives no better one. */
  url?: string;
  /** The Content-Type header, for its charset parameter. */
  contentType?: string | null;
}

/**
 * Bytes (or text) of a feed in, normalised feed out. Pure: never fetches anything. Fails with a
 * ParseError (empty_body, not_a_feed, malformed_xml, malformed_json, too_deep) when the body is not a
 * readable feed; never returns an empty success for a page that is not a feed.
 */
export async function parseFeed(body: Buffer | string, options: ParseOptions = {}): Promise<ParsedFeed> {
  const { text } = decodeBody(body, options.contentType);
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
      const json = parseJsonFeed(text, options.url);
      const keyed = assignKeys(json.items);
      return { format: 'jsonfeed', version: detected.version, feed: json.feed, items: keyed.items, skipped: json.skipped + keyed.skipped, ttlMinutes: null, recovered: null };
    }
    default: {
      const xml = await parseXmlFeed(text, detected.format, detected.root, options.url);
      const keyed = assignKeys(xml.items);
      return { format: detected.format, version: detected.version, feed: xml.feed, items: keyed.items, skipped: keyed.skipped, ttlMinutes: xml.ttlMinutes, recovered: xml.recovered };
    }
  }
}
