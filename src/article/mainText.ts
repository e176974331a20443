import * as cheerio from 'cheerio';

/**
 * The article's main text, for the copy guard only (never stored). (First cut: the body's text without
 * scripts, styles and page chrome; the Readability-style extraction replaces it.)
 */
export function extractMainText(html: string): string {
  const $ = cheerio.load(html);
  $('script, style, noscript, template, nav, header, footer, aside, form').remove();
  return $('body').text().replace(/\s+/g, ' ').trim();
}
