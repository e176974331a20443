import * as cheerio from 'cheerio';
import { extractDates } from './dates/extractDates.ts';
import type { ArticleMetadata, JsonLdNode, PageHeaders, RobotsDirectives } from './types.ts';

/**
 * Reads an article page's own metadata. Pure: a string and the page's URL and headers in, never a fetch.
 * (Placeholder cut of the rules: the full rule lists replace it.)
 */
export function extractArticle(html: string, pageUrl: string, headers: PageHeaders = {}): ArticleMetadata {
  const $ = cheerio.load(html);
  const meta = (sel: string) => $(sel).first().attr('content')?.trim() || undefined;
  const out: ArticleMetadata = { robots: readRobotsPlaceholder(meta('meta[name="robots"]'), headers['x-robots-tag']) };
  const og = meta('meta[property="og:title"]');
  const title = og ?? ($('title').first().text().trim() || undefined);
  if (title) out.title = { value: title, rule: og ? 'meta:og:title' : 'title-tag' };
  const canonical = $('link[rel="canonical"]').first().attr('href');
  if (canonical) {
    try {
      out.canonicalUrl = { value: new URL(canonical, pageUrl).href, rule: 'link:canonical' };
    } catch {
      // not a URL: no canonical
    }
  }
  const nodes: JsonLdNode[] = [];
  Object.assign(out, extractDates({ $, pageUrl, nodes }));
  return out;
}

function readRobotsPlaceholder(meta: string | undefined, header: string | undefined): RobotsDirectives {
  const all = `${meta ?? ''},${header ?? ''}`.toLowerCase();
  return { nosnippet: /\bnosnippet\b/.test(all), noarchive: /\bnoarchive\b/.test(all), noindex: /\bnoindex\b/.test(all), applied: [] };
}
