import RssParser from 'rss-parser';
import { ParseError } from '../errors.ts';
import { escapeXhtmlConstructs, hardenXmlReporting, unprefixAtom, type XmlRepairs } from './hardenXml.ts';
import { ATOM_PUBLISHED_DATES, ATOM_UPDATED_DATES, RSS_PUBLISHED_DATES, RSS_UPDATED_DATES, pickItemDates, type ItemDates } from './pickItemDates.ts';
import { atomText } from './atomText.ts';
import { ATOM_ENTRY_AUTHOR, ATOM_ENTRY_SUMMARY, ATOM_ENTRY_TITLE, RSS_CHANNEL_AUTHOR, RSS_CHANNEL_DESCRIPTION, RSS_CHANNEL_TITLE, RSS_ITEM_AUTHOR, RSS_ITEM_SUMMARY, RSS_ITEM_TITLE, atomCategories, readField, rssCategories } from './itemFields.ts';
import { normalizeLanguage } from './normalizeLanguage.ts';
import { toPlainText, truncate } from './text.ts';
import { readLenientXml } from './lenientXml.ts';
import { MAX_CATEGORIES, SUMMARY_MAX, type FeedFormat, type FeedMeta, type RawItem, type Recovered } from './types.ts';
import { absolutize, attr, baseOf, child, children, firstText, text, type XmlNode } from './xmlNodes.ts';

const ROOT = Symbol('root');
type Built = { items?: unknown[]; [ROOT]?: XmlNode };
type Internals = {
  buildAtomFeed(obj: XmlNode): Built;
  buildRSS2(obj: XmlNode): Built;
  buildRSS1(obj: XmlNode): Built;
  buildRSS0_9(obj: XmlNode): Built;
  parseString(xml: string): Promise<Built>;
};
const Base = RssParser as unknown as new (options: object) => Internals;

/**
 * rss-parser recognises the format and builds the tree through xml2js; everything after that is ours. Its own
 * feed and item builders are never run: some throw on odd input (an Atom date it cannot read raised RangeError
 * for the whole feed), and its HTML snippet regex (`/<(?:.|\n)*?>/`) is quadratic, so a description of 16,000
 * escaped "<!--" took 2 s and a megabyte minutes. This subclass keeps only the raw root element, from which our
 * own per-field coercers read everything.
 */
class TolerantParser extends Base {
  override buildAtomFeed(obj: XmlNode): Built {
    return rootOf(obj.feed);
  }
  override buildRSS2(obj: XmlNode): Built {
    return rootOf(obj.rss);
  }
  override buildRSS1(obj: XmlNode): Built {
    return rootOf(obj['rdf:RDF']);
  }
  override buildRSS0_9(obj: XmlNode): Built {
    return rootOf(obj.rss);
  }
}

function rootOf(root: unknown): Built {
  return { [ROOT]: (Array.isArray(root) ? root[0] : root) as XmlNode };
}

// xml2js (under rss-parser) in strict mode: truncated or mismatched XML is an error, never a partial feed.
// One parser per document: xml2js adds its callbacks with on(), so a shared instance would deliver one
// document's result or error to every earlier caller.
const newParser = () => new TolerantParser({ defaultRSS: 2, xml2js: { strict: true, async: false } });

export interface XmlFeed {
  feed: FeedMeta;
  items: RawItem[];
  ttlMinutes: number | null;
  recovered: Recovered | null;
}

export async function parseXmlFeed(xml: string, format: Exclude<FeedFormat, 'jsonfeed'>, rootName: string, feedUrl: string | undefined): Promise<XmlFeed> {
  const repairs = hardenXmlReporting(xml.trimStart());
  let safe = repairs.xml;
  if (format === 'atom') safe = escapeXhtmlConstructs(unprefixAtom(safe, rootName));
  let built: Built;
  try {
    built = await newParser().parseString(safe);
  } catch (err) {
    return recoverXmlFeed(safe, format, feedUrl, err);
  }
  const root = built[ROOT];
  if (!root || typeof root !== 'object') throw new ParseError('not_a_feed', `the <${rootName}> document has no feed content`);
  return { ...(format === 'atom' ? mapAtom(root, feedUrl) : mapRss(root, format, feedUrl)), recovered: describeRepairs(repairs) };
}

/**
 * Forbidden characters dropped (raw or as a character reference such as `&#0;`) lose content, so they are
 * reported, as `xml_repaired`. HTML entities and bare ampersands are repaired without loss (the text reads as
 * the publisher meant it) and are so common that a warning for them would be noise: not reported.
 */
function describeRepairs(repairs: XmlRepairs): XmlFeed['recovered'] {
  if (repairs.dropped === 0) return null;
  const count = repairs.dropped === 1 ? 'a character XML forbids was' : `${repairs.dropped} characters XML forbids were`;
  return { code: 'xml_repaired', message: `${count} dropped (first: ${repairs.firstDropped}); the rest of the feed was read as usual`, truncated: false };
}

/**
 * The strict parser refused the document: read it again leniently and keep its whole items, marked `recovered`
 * with the strict parser's first error. Runs only after a strict failure, so well-formed feeds never pay for it.
 * Without one whole item or entry the strict error stands: a page of markup soup is not a feed.
 */
function recoverXmlFeed(safe: string, format: Exclude<FeedFormat, 'jsonfeed'>, feedUrl: string | undefined, err: unknown): XmlFeed {
  const reason = describeXmlError(err);
  const malformed = new ParseError('malformed_xml', `the XML is malformed (${reason}); a truncated download or a broken feed`, { cause: err });
  const tree = readLenientXml(safe, format === 'atom' ? 'entry' : 'item');
  if (!tree.root || tree.items === 0) throw malformed;
  const mapped = format === 'atom' ? mapAtom(tree.root, feedUrl) : mapRss(tree.root, format, feedUrl);
  if (mapped.items.length === 0) throw malformed;
  // A document that ends before the element holding its items closes was cut off, maybe between two items: truncated too, so its
  // validators are not kept and the next poll fetches it whole instead of a 304 on the items before the cut.
  const cut = tree.truncated ? '; an item cut off at the end was dropped' : tree.unfinished ? '; the document ends before its items do, so items after the end may be missing' : '';
  return { ...mapped, recovered: { code: 'malformed_xml', message: `the XML is malformed (${reason}); read leniently${cut}`, truncated: tree.truncated || tree.unfinished } };
}

/** The strict parser's first error in words, with its place: "Unexpected close tag at line 3, column 12". */
export function describeXmlError(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err)).split('\n');
  const line = /^Line: (\d+)$/.exec(lines.find((l) => l.startsWith('Line: ')) ?? '')?.[1];
  const column = /^Column: (\d+)$/.exec(lines.find((l) => l.startsWith('Column: ')) ?? '')?.[1];
  // sax counts lines from 0.
  return line !== undefined && column !== undefined ? `${lines[0]} at line ${Number(line) + 1}, column ${column}` : lines[0]!;
}

function mapRss(root: XmlNode, format: 'rss' | 'rdf', feedUrl: string | undefined): Omit<XmlFeed, 'recovered'> {
  const channel = child(root, 'channel') as XmlNode | undefined;
  const docBase = baseOf(root, feedUrl);
  const channelBase = baseOf(channel, docBase);
  const link = absolutize(firstText(channel, 'link') ?? atomAlternate(channel, channelBase), channelBase);
  // Relative item links resolve against xml:base, else the channel's site link, else the feed's URL.
  const itemBase = attr(channel, 'xml:base') || attr(root, 'xml:base') ? channelBase : (link ?? channelBase);
  const rawItems = format === 'rdf' ? [...children(root, 'item'), ...children(channel, 'item')] : children(channel, 'item');
  const ttl = Number(firstText(channel, 'ttl'));
  const inherited: Inherited = { author: readField(RSS_CHANNEL_AUTHOR, channel)?.value ?? null, categories: rssCategories(channel) };
  return {
    feed: {
      title: readField(RSS_CHANNEL_TITLE, channel)?.value ?? null,
      link: link ?? null,
      description: readField(RSS_CHANNEL_DESCRIPTION, channel)?.value ?? null,
      language: normalizeLanguage(firstText(channel, 'language')) ?? normalizeLanguage(firstText(channel, 'dc:language')) ?? normalizeLanguage(attr(channel, 'xml:lang')) ?? normalizeLanguage(attr(root, 'xml:lang')),
    },
    items: rawItems.map((item) => mapRssItem(item, baseOf(item, itemBase), inherited)),
    ttlMinutes: Number.isFinite(ttl) && ttl > 0 ? ttl : null,
  };
}

/** What an item without its own author or categories takes from its channel or feed. */
interface Inherited {
  author: string | null;
  categories: (string | undefined)[];
}

function mapRssItem(item: unknown, base: string | undefined, inherited: Inherited): RawItem {
  const guidNode = child(item, 'guid');
  const guid = text(guidNode)?.trim() || attr(item, 'rdf:about')?.trim() || null;
  // RSS 2.0: a guid is a permalink unless isPermaLink="false".
  const guidLink = guid && attr(guidNode, 'isPermaLink') !== 'false' && /^https?:\/\//i.test(guid) ? guid : undefined;
  // FeedBurner's origLink is the publisher's own URL behind its redirect; an enclosure is the link of a podcast
  // episode that has no other.
  const href = firstText(item, 'feedburner:origLink') ?? firstText(item, 'link') ?? atomAlternate(item, base) ?? guidLink ?? enclosureUrl(item, base);
  const own = categories(rssCategories(item));
  return {
    guid,
    url: absolutize(href, base) ?? null,
    title: readField(RSS_ITEM_TITLE, item)?.value ?? null,
    author: cleanAuthor(readField(RSS_ITEM_AUTHOR, item)?.value ?? inherited.author ?? undefined),
    ...datesOf(pickItemDates(item, RSS_PUBLISHED_DATES, RSS_UPDATED_DATES)),
    categories: own.length ? own : categories(inherited.categories),
    summary: truncate(readField(RSS_ITEM_SUMMARY, item)?.value ?? null, SUMMARY_MAX),
  };
}

function datesOf(d: ItemDates): Pick<RawItem, 'publishedAt' | 'updatedAt'> {
  return { publishedAt: d.publishedAt, updatedAt: d.updatedAt };
}

/** The first enclosure with an http(s) URL (RSS <enclosure url>, Media RSS <media:content url>). */
function enclosureUrl(item: unknown, base: string | undefined): string | undefined {
  for (const e of [...children(item, 'enclosure'), ...children(item, 'media:content')]) {
    const url = absolutize(attr(e, 'url'), base);
    if (url) return url;
  }
  return undefined;
}

function mapAtom(feed: XmlNode, feedUrl: string | undefined): Omit<XmlFeed, 'recovered'> {
  const base = baseOf(feed, feedUrl);
  const link = alternateLink(feed, base);
  // Relative entry links resolve against xml:base, else the feed's site link, else the feed's URL: the rule
  // RSS items follow, and what publishers who write relative links mean by them.
  const entryBase = attr(feed, 'xml:base') ? base : (link ?? base);
  const inherited: Inherited = { author: readField(ATOM_ENTRY_AUTHOR, feed)?.value ?? null, categories: atomCategories(feed) };
  return {
    feed: {
      title: atomText(child(feed, 'title')),
      link: link ?? null,
      description: atomText(child(feed, 'subtitle')) ?? atomText(child(feed, 'tagline')),
      language: normalizeLanguage(attr(feed, 'xml:lang')),
    },
    items: children(feed, 'entry').map((entry) => mapAtomEntry(entry, baseOf(entry, entryBase), inherited)),
    ttlMinutes: null,
  };
}

function mapAtomEntry(entry: unknown, base: string | undefined, inherited: Inherited): RawItem {
  const id = firstText(entry, 'id');
  const own = categories(atomCategories(entry));
  return {
    guid: id ?? null,
    // An entry without an alternate link whose id is an http(s) URL is at that URL (RFC 4287 §4.2.6 allows it).
    url: alternateLink(entry, base) ?? absolutize(firstText(entry, 'feedburner:origLink'), base) ?? absolutize(id && /^https?:\/\//i.test(id) ? id : undefined, undefined) ?? null,
    title: readField(ATOM_ENTRY_TITLE, entry)?.value ?? null,
    author: cleanAuthor(readField(ATOM_ENTRY_AUTHOR, entry)?.value ?? inherited.author ?? undefined),
    ...datesOf(pickItemDates(entry, ATOM_PUBLISHED_DATES, ATOM_UPDATED_DATES)),
    categories: own.length ? own : categories(inherited.categories),
    summary: truncate(readField(ATOM_ENTRY_SUMMARY, entry)?.value ?? null, SUMMARY_MAX),
  };
}

/** RFC 4287 §4.2.7.2: a link without rel is "alternate"; prefer an HTML one when there are several. */
function alternateLink(node: unknown, base: string | undefined): string | undefined {
  const links = children(node, 'link').filter((l) => typeof l === 'object' || typeof l === 'string');
  const alternates = links.filter((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate');
  const pick = alternates.find((l) => /html/.test(attr(l, 'type') ?? 'text/html')) ?? alternates[0];
  if (pick === undefined) return undefined;
  const href = attr(pick, 'href') ?? text(pick);
  return absolutize(href, baseOf(pick, base));
}

function atomAlternate(node: unknown, base: string | undefined): string | undefined {
  const link = children(node, 'atom:link').find((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate');
  return absolutize(attr(link, 'href'), base);
}

/** "jane@example.com (Jane Doe)", "Jane Doe (jane@example.com)" and "Jane Doe <jane@example.com>" are all Jane Doe. */
export function cleanAuthor(value: string | undefined): string | null {
  const plain = toPlainText(value);
  if (!plain) return null;
  const paren = /^\S+@\S+\s*\(([^)]+)\)$/.exec(plain);
  if (paren) return paren[1]!.trim();
  // "Jane Doe (jane@example.com)", "Jane Doe (mailto:jane@example.com)": an address is never kept as a name.
  const trailing = /^(.+?)\s*\((?:mailto:)?[^()\s]+@[^()\s]+\)$/.exec(plain);
  if (trailing) return trailing[1]!.trim();
  const angle = /^(.+?)\s*<[^>]+@[^>]+>$/.exec(plain);
  if (angle) return angle[1]!.replace(/^"|"$/g, '').trim();
  return plain;
}

export function categories(values: (string | undefined)[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const v of values) {
    const t = toPlainText(v);
    if (!t || t.length > 100 || seen.has(t.toLowerCase())) continue;
    seen.add(t.toLowerCase());
    out.push(t);
    if (out.length >= MAX_CATEGORIES) break;
  }
  return out;
}
