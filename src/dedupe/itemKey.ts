import { createHash } from 'node:crypto';
import type { FeedItem, RawItem } from '../parse/types.ts';
import { normalizeUrl } from './normalizeUrl.ts';
import type { SeenCandidate } from './seenStore.ts';

/**
 * Identity of an item within its feed. The GUID is the publisher's own identifier and survives URL
 * changes, so it wins where it is usable: not blank and not repeated within the document (some feeds
 * give every item the same guid, or the feed URL). Otherwise the normalised URL; otherwise a hash of
 * title and date (or summary), for feeds whose items have neither; otherwise a hash of every field it has
 * (`content:`: categories, dates, author…). The parser reports every item that has any field: whether it
 * can become a signal is the draft stage's decision (drafts/skipReason.ts), which counts what it skips.
 * An item with no field at all (`<item/>`, or markup with no words and nothing else) is still reported, keyed by
 * its place among the feed's empty items (`empty:<n>`): it can never become a draft, and the draft stage counts it.
 */
export function assignKeys(items: RawItem[]): { items: FeedItem[]; skipped: number } {
  const guidCounts = new Map<string, number>();
  for (const it of items) if (it.guid) guidCounts.set(it.guid, (guidCounts.get(it.guid) ?? 0) + 1);
  const out: FeedItem[] = [];
  let empty = 0;
  for (const it of items) {
    const key = itemKey(it, (guidCounts.get(it.guid ?? '') ?? 0) === 1) ?? `empty:${++empty}`;
    out.push({ key, ...it });
  }
  return { items: out, skipped: 0 };
}

export function itemKey(item: RawItem, guidUsable: boolean): string | undefined {
  if (item.guid && guidUsable) return `guid:${item.guid}`;
  const url = item.url ? normalizeUrl(item.url) : undefined;
  if (url) return `url:${url}`;
  const basis = item.title ?? item.summary;
  if (basis) return `hash:${hash22(`${basis}\n${item.publishedAt ?? ''}`)}`;
  const content = contentBasis(item);
  return content === undefined ? undefined : `content:${hash22(content)}`;
}

/** Every field of an item in a fixed order (JSON, so no two different items share it); undefined when it has none. */
function contentBasis(item: RawItem): string | undefined {
  const fields = [item.guid, item.url, item.title, item.summary, item.author, item.publishedAt, item.updatedAt];
  if (fields.every((f) => !f) && item.categories.length === 0) return undefined;
  return JSON.stringify([...fields.map((f) => f ?? null), item.categories]);
}

function hash22(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/** A short fixed-size digest used as the member stored in Redis (keeps memory per seen item small). */
export function digest(text: string, length = 16): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, length);
}

/** What the seen sets store for an item: digests of its key and of its normalised URL (when it has one). */
export function seenDigests(item: { key: string; url: string | null }): SeenCandidate {
  const url = item.url ? normalizeUrl(item.url) : undefined;
  return { itemHash: digest(item.key), urlHash: url ? digest(url) : undefined };
}
