import * as cheerio from 'cheerio';
import { assignKeys } from '../dedupe/itemKey.ts';
import { parseDate } from '../parse/parseDate.ts';
import { truncate } from '../parse/text.ts';
import { SUMMARY_MAX, type FeedItem, type RawItem } from '../parse/types.ts';

export interface ListingSelectors {
  /** Each match is one item (an article card, a list entry). */
  item: string;
  /** Inside the item: the headline. */
  title: string;
  /** Inside the item: the element whose href is the article (defaults to the title element or its closest link). */
  link?: string;
  /** Inside the item: the date, from `datetime`, `content` or the text. */
  date?: string;
  /** Inside the item: a short summary. */
  summary?: string;
}

export interface Listing {
  title: string | null;
  items: FeedItem[];
  /** How many elements the item selector matched (0 means the selectors no longer fit the page). */
  matched: number;
  skipped: number;
}

const MAX_ITEMS = 200;

/**
 * Items from a news site's HTML listing page, for sites without a feed. Pure: the page's text and its URL
 * (the base for relative links, after redirects) in, the same items a feed yields out. A field that cannot
 * be read is null; an item with neither a headline nor a link is skipped.
 */
export function extractListing(html: string, baseUrl: string, selectors: ListingSelectors): Listing {
  const $ = cheerio.load(html);
  const base = resolveBase($('base[href]').attr('href'), baseUrl);
  const found = $(selectors.item);
  const raw: RawItem[] = [];
  found.slice(0, MAX_ITEMS).each((_, el) => {
    const item = $(el);
    const titleEl = item.find(selectors.title).first();
    const title = clean(titleEl.text());
    const linkEl = selectors.link ? item.find(selectors.link).first() : titleEl.is('a[href]') ? titleEl : titleEl.find('a[href]').first().length ? titleEl.find('a[href]').first() : titleEl.closest('a[href]');
    const url = absolute(linkEl.attr('href'), base);
    const dateEl = selectors.date ? item.find(selectors.date).first() : undefined;
    const date = dateEl?.length ? parseDate(dateEl.attr('datetime') ?? dateEl.attr('content') ?? clean(dateEl.text())) : null;
    const summary = selectors.summary ? truncate(clean(item.find(selectors.summary).first().text()), SUMMARY_MAX) : null;
    if (!title && !url) return;
    raw.push({ guid: null, url, title, author: null, publishedAt: date, updatedAt: null, categories: [], summary });
  });
  const keyed = assignKeys(raw);
  return { title: clean($('title').first().text()), items: keyed.items, matched: found.length, skipped: found.length - raw.length + keyed.skipped };
}

function clean(text: string | undefined): string | null {
  const t = text?.replace(/\s+/g, ' ').trim();
  return t ? t : null;
}

function resolveBase(href: string | undefined, pageUrl: string): string {
  return absolute(href, pageUrl) ?? pageUrl;
}

/** An http(s) URL resolved against the base, or null (javascript:, mailto:, fragments only…). */
function absolute(href: string | undefined, base: string): string | null {
  if (!href) return null;
  try {
    const u = new URL(href.trim(), base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}
