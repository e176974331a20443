import { z } from 'zod';
import { ParseError } from '../errors.ts';
import { normalizeLanguage } from './normalizeLanguage.ts';
import { parseDate } from './parseDate.ts';
import { toPlainText, truncate } from './text.ts';
import { SUMMARY_MAX, type FeedMeta, type RawItem } from './types.ts';
import { absolutize } from './xmlNodes.ts';
import { joinAuthors } from './itemFields.ts';
import { categories, cleanAuthor } from './xmlFeed.ts';

// Every field falls back to undefined on a wrong type (feedsmith's coercer style): a bad field never
// drops its item, and a bad item never drops the feed. https://www.jsonfeed.org/version/1.1/
const str = z.string().optional().catch(undefined);
const id = z.union([z.string(), z.number().transform(String)]).optional().catch(undefined);
const Author = z.object({ name: str, url: str }).catch({ name: undefined, url: undefined });
// `authors` must be an array, but feeds send one author object there too.
const Authors = z.preprocess((v) => (v && typeof v === 'object' && !Array.isArray(v) ? [v] : v), z.array(Author)).optional().catch(undefined);

const JsonFeedItem = z.object({
  id,
  url: str,
  external_url: str,
  title: str,
  content_html: str,
  content_text: str,
  summary: str,
  date_published: str,
  date_modified: str,
  author: Author.optional().catch(undefined),
  authors: Authors,
  tags: z.array(z.unknown()).optional().catch(undefined),
});

const JsonFeedDocument = z.object({
  version: z.string().regex(/jsonfeed\.org\/version\//, 'not a JSON Feed version URL'),
  title: str,
  home_page_url: str,
  feed_url: str,
  description: str,
  language: str,
  author: Author.optional().catch(undefined),
  authors: Authors,
  items: z.array(z.unknown()).catch([]),
});

export function parseJsonFeed(json: string, feedUrl: string | undefined): { feed: FeedMeta; items: RawItem[]; skipped: number } {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new ParseError('malformed_json', `the JSON is malformed (${(err as Error).message})`, { cause: err });
  }
  const doc = JsonFeedDocument.safeParse(data);
  if (!doc.success) throw new ParseError('not_a_feed', 'a JSON document without a JSON Feed "version" (https://jsonfeed.org/version/1.1)');
  const d = doc.data;
  const base = absolutize(d.feed_url, feedUrl) ?? feedUrl;
  const feedAuthor = joinAuthors([...(d.authors ?? []).map((a) => a.name), d.author?.name]);
  let skipped = 0;
  const items: RawItem[] = [];
  for (const raw of d.items) {
    const parsed = JsonFeedItem.safeParse(raw);
    if (!parsed.success) {
      skipped++;
      continue;
    }
    const it = parsed.data;
    items.push({
      guid: it.id?.trim() || null,
      url: absolutize(it.url ?? it.external_url, base) ?? null,
      title: toPlainText(it.title),
      // JSON Feed 1.1 `authors` (1.0's `author` beside it, as some feeds keep both): every name, once each.
      author: cleanAuthor(joinAuthors([...(it.authors ?? []).map((a) => a.name), it.author?.name]) ?? feedAuthor ?? undefined),
      // As in XML feeds: an item with only a modification date is published then.
      publishedAt: parseDate(it.date_published) ?? parseDate(it.date_modified),
      updatedAt: parseDate(it.date_modified),
      categories: categories(it.tags?.map((t) => (typeof t === 'string' ? t : undefined)) ?? []),
      // A blank summary falls through to the content, as an absent one does.
      summary: truncate(toPlainText(it.summary) ?? toPlainText(it.content_text) ?? toPlainText(it.content_html), SUMMARY_MAX),
    });
  }
  return {
    feed: {
      title: toPlainText(d.title),
      link: absolutize(d.home_page_url, base) ?? null,
      description: toPlainText(d.description),
      language: normalizeLanguage(d.language),
    },
    items,
    skipped,
  };
}
