import * as cheerio from 'cheerio';
import { escapeUTF8 } from 'entities';
import type { Source } from './sourceSchema.ts';

export interface OpmlEntry {
  title: string | null;
  xmlUrl: string;
  htmlUrl: string | null;
  /** Our id, when the file was exported by Signal Desk: kept so ids stay stable over a round trip. */
  id: string | null;
  category: string | null;
  tags: string[];
  weight: number | null;
}

export interface OpmlSkip {
  title: string | null;
  reason: string;
}

/**
 * Subscriptions from an OPML file (OPML 2.0 §"subscription lists": outlines with xmlUrl; nesting is
 * folders, whose names become tags). Pure. Outlines without a usable xmlUrl are reported, not dropped
 * silently.
 */
export function parseOpml(text: string): { entries: OpmlEntry[]; skipped: OpmlSkip[] } {
  const $ = cheerio.load(text, { xml: true });
  if ($('opml').length === 0) throw new Error('not an OPML file: no <opml> root element');
  const entries: OpmlEntry[] = [];
  const skipped: OpmlSkip[] = [];
  $('body outline').each((_, el) => {
    const o = $(el);
    const title = (o.attr('title') ?? o.attr('text'))?.trim() || null;
    const xmlUrl = o.attr('xmlUrl')?.trim();
    if (!xmlUrl) {
      if (o.children('outline').length === 0) skipped.push({ title, reason: 'no xmlUrl: not a feed subscription' });
      return; // a folder
    }
    let url: URL;
    try {
      url = new URL(xmlUrl);
    } catch {
      skipped.push({ title, reason: `xmlUrl "${xmlUrl}" is not a URL` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      skipped.push({ title, reason: `xmlUrl uses ${url.protocol.slice(0, -1)}; only http and https feeds can be polled` });
      return;
    }
    const folders = o.parents('outline').map((_, p) => ($(p).attr('title') ?? $(p).attr('text'))?.trim()).get().filter(Boolean).reverse();
    const categoryAttr = (o.attr('category') ?? '').split(',').map((c) => c.trim().replace(/^\//, '')).filter(Boolean);
    const weight = Number(o.attr('signalDeskWeight'));
    entries.push({
      title,
      xmlUrl: url.href,
      htmlUrl: o.attr('htmlUrl')?.trim() || null,
      id: o.attr('signalDeskId')?.trim() || null,
      category: o.attr('signalDeskCategory')?.trim() || null,
      tags: [...new Set([...folders, ...categoryAttr])],
      weight: Number.isFinite(weight) && o.attr('signalDeskWeight') !== undefined ? weight : null,
    });
  });
  return { entries, skipped };
}

/** OPML 2.0 of the sources, with our id, category and weight as extra attributes so an import restores them. */
export function toOpml(sources: Source[], now: Date, title = 'Signal Desk sources'): string {
  const attr = (name: string, value: string | number | null | undefined) => (value === null || value === undefined || value === '' ? '' : ` ${name}="${escapeUTF8(String(value))}"`);
  const outlines = sources.map(
    (s) =>
      `    <outline type="${s.kind === 'html' ? 'link' : 'rss'}"${attr('text', s.name)}${attr('title', s.name)}${attr(s.kind === 'html' ? 'url' : 'xmlUrl', s.url)}${attr('category', s.tags.join(','))}${attr('signalDeskId', s.id)}${attr('signalDeskCategory', s.category)}${attr('signalDeskWeight', s.weight)}/>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0">\n  <head>\n    <title>${escapeUTF8(title)}</title>\n    <dateCreated>${now.toUTCString()}</dateCreated>\n  </head>\n  <body>\n${outlines.join('\n')}\n  </body>\n</opml>\n`;
}
