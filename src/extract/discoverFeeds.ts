import * as cheerio from 'cheerio';

export interface FeedLink {
  url: string;
  /** The announced type: application/rss+xml, application/atom+xml, application/feed+json… */
  type: string;
  title: string | null;
}

/** Types a page may announce feeds with (<link rel="alternate" type=…>). */
const FEED_TYPES = new Set(['application/rss+xml', 'application/atom+xml', 'application/feed+json', 'application/json', 'application/rdf+xml', 'application/xml', 'text/xml']);

/** A page may announce any number of links; we try this many (a hostile page could list thousands). */
export const MAX_FEED_LINKS = 10;

/** Where sites usually keep their feed when they do not announce it. Tried in this order. */
export const COMMON_FEED_PATHS = ['/feed', '/feed/', '/rss', '/rss.xml', '/atom.xml', '/index.xml', '/feed.xml', '/feed.json', '/feeds/posts/default'];

/**
 * The feeds a page announces with <link rel="alternate" type="…"> (the RSS/Atom autodiscovery convention,
 * and JSON Feed's), resolved against <base href> or the page URL, in page order, without duplicates.
 * Pure: the page's text and URL in.
 */
export function discoverFeedLinks(html: string, pageUrl: string): FeedLink[] {
  const $ = cheerio.load(html);
  let base = pageUrl;
  const baseHref = $('base[href]').attr('href');
  if (baseHref) {
    try {
      base = new URL(baseHref, pageUrl).href;
    } catch {
      /* keep the page URL */
    }
  }
  const out: FeedLink[] = [];
  const seen = new Set<string>();
  $('link[rel][href]').each((_, el) => {
    const rel = ($(el).attr('rel') ?? '').toLowerCase().split(/\s+/);
    const type = ($(el).attr('type') ?? '').toLowerCase().split(';')[0]!.trim();
    if (!rel.includes('alternate') || !FEED_TYPES.has(type)) return;
    let url: string;
    try {
      const u = new URL($(el).attr('href')!.trim(), base);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return;
      url = u.href;
    } catch {
      return;
    }
    if (seen.has(url) || out.length >= MAX_FEED_LINKS) return;
    seen.add(url);
    out.push({ url, type, title: $(el).attr('title')?.trim() || null });
  });
  return out;
}
