import { ParseError } from '../errors.ts';
import { decodeBody } from '../parse/decodeBody.ts';
import type { ParsedFeed } from '../parse/types.ts';
import { extractListing, type ListingSelectors } from './extractListing.ts';

/**
 * A listing page's bytes in, the same shape a feed parses to. When the item selector matches nothing the
 * page changed under us: that is `selectors_broken`, not "no new items", so the source's health says so.
 */
export function parseListing(body: Buffer | string, options: { url: string; contentType?: string | null; selectors: ListingSelectors }): ParsedFeed {
  const { text } = decodeBody(body, options.contentType);
  if (!text.trim()) throw new ParseError('empty_body', 'the response body is empty');
  const listing = extractListing(text, options.url, options.selectors);
  if (listing.matched === 0) {
    throw new ParseError('selectors_broken', `the item selector "${options.selectors.item}" matches nothing on the page: the site changed its layout; update the selectors (try them with \`signal-desk sources test ID\`)`);
  }
  if (listing.items.length === 0) {
    throw new ParseError('selectors_broken', `the item selector matches ${listing.matched} elements but the title selector "${options.selectors.title}" finds no headline or link in them`);
  }
  return { format: 'html', version: null, feed: { title: listing.title, link: options.url, description: null, language: null }, items: listing.items, skipped: listing.skipped, ttlMinutes: null, recovered: null };
}
