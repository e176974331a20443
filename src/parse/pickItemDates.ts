import { parseDate } from './parseDate.ts';
import { childNamed, text } from './xmlNodes.ts';

/**
 * Which element gives an item its publication and its update date, as data. Each list is tried in order and
 * the first element whose text parses as a date wins (an unreadable <pubDate> falls through to <dc:date>);
 * element names match in any case. An item with no publication date takes its update date as one (as gofeed
 * and feedparser do): an Atom 0.3 entry with only <modified>, an RSS item with only <atom:updated>.
 */
export const RSS_PUBLISHED_DATES = ['pubDate', 'dc:date', 'dcterms:issued', 'dcterms:created', 'dcterms:date', 'atom:published', 'a10:published', 'atom:issued', 'published', 'issued'] as const;
export const RSS_UPDATED_DATES = ['atom:updated', 'a10:updated', 'dcterms:modified', 'dc:modified', 'updated', 'dc:date'] as const;
export const ATOM_PUBLISHED_DATES = ['published', 'issued', 'created', 'dc:date', 'dcterms:issued', 'dcterms:created', 'pubDate'] as const;
export const ATOM_UPDATED_DATES = ['updated', 'modified', 'dcterms:modified', 'dc:date'] as const;

export interface ItemDates {
  publishedAt: string | null;
  updatedAt: string | null;
  /** The element each came from (`pubDate`, `dc:date`…, or `updated` when publication fell back to it). */
  publishedFrom: string | null;
  updatedFrom: string | null;
}

export function pickItemDates(node: unknown, published: readonly string[], updated: readonly string[]): ItemDates {
  const pub = firstDate(node, published);
  const upd = firstDate(node, updated);
  const publishedAt = pub?.date ?? upd?.date ?? null;
  return { publishedAt, updatedAt: upd?.date ?? null, publishedFrom: pub?.from ?? upd?.from ?? null, updatedFrom: upd?.from ?? null };
}

function firstDate(node: unknown, names: readonly string[]): { date: string; from: string } | undefined {
  for (const name of names) {
    const date = parseDate(text(childNamed(node, name)));
    if (date) return { date, from: name };
  }
  return undefined;
}
