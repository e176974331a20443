import { decodeHTMLStrict } from 'entities';
import { ParseError } from '../errors.ts';
import { DOCTYPE_PATTERN, expandInternalEntities } from './expandInternalEntities.ts';

export const MAX_DEPTH = 256;

/**
 * Makes untrusted XML safe and readable before the XML parser sees it:
 * - general entities declared in the internal DTD subset are expanded as text, within bounds
 *   (expandInternalEntities: never external ones), then the DOCTYPE goes, so nothing else declared in it can
 *   ever be expanded (billion laughs, XXE);
 * - HTML named entities (&nbsp; &eacute;…), which XML does not define but feeds use all the time, become
 *   character references; unknown ones and bare ampersands become literal text (XML 1.0 §4.6);
 * - characters XML 1.0 forbids (§2.2: C0 controls other than tab, CR, LF, U+FFFE/U+FFFF) are dropped, and so
 *   are character references to them (`&#0;`, `&#x1F;`, `&#xFFFE;`, surrogates `&#xD800;`, beyond U+10FFFF):
 *   the strict parser would refuse the whole document for one such reference, while the rest of the title
 *   and every other item are fine (dropped, not replaced by U+FFFD, exactly as the raw characters are);
 * - nesting deeper than MAX_DEPTH is refused, so a hostile document cannot exhaust the stack later.
 * CDATA sections and comments are left untouched.
 */
export function hardenXml(xml: string): string {
  return hardenXmlReporting(xml).xml;
}

/** What hardenXml changed that loses content: characters XML forbids, raw or as references, dropped. */
export interface XmlRepairs {
  xml: string;
  /** How many forbidden characters and character references were dropped. */
  dropped: number;
  /** The first one dropped, as written (`&#0;`) or as U+XXXX for a raw character. */
  firstDropped: string | null;
}

/** hardenXml, also counting what it dropped (HTML entities and bare ampersands are repaired without loss: not counted). */
export function hardenXmlReporting(xml: string): XmlRepairs {
  let dropped = 0;
  let firstDropped: string | null = null;
  const drop = (what: string) => {
    if (dropped++ === 0) firstDropped = what;
    return '';
  };
  // eslint-disable-next-line no-control-regex -- these are exactly the characters XML 1.0 §2.2 forbids
  let out = xml.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, (c) => drop(`U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`));
  out = expandInternalEntities(out);
  out = out.replace(new RegExp(DOCTYPE_PATTERN, 'i'), '');
  if (out.includes('&')) out = mapOutsideCdata(out, (text) => repairEntities(text, drop));
  checkDepth(out);
  return { xml: out, dropped, firstDropped };
}

const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

function repairEntities(text: string, drop: (what: string) => string): string {
  return text.replace(/&(#\d{1,7};|#x[0-9a-fA-F]{1,6};|([A-Za-z][A-Za-z0-9]{0,31});)?/g, (whole, ref: string | undefined, name: string | undefined) => {
    if (!ref) return '&amp;';
    if (!name) return isXmlChar(codePointOf(ref)) ? whole : drop(whole);
    if (XML_ENTITIES.has(name)) return whole;
    const decoded = decodeHTMLStrict(`&${name};`);
    if (decoded === `&${name};`) return `&amp;${name};`;
    return Array.from(decoded).map((c) => `&#${c.codePointAt(0)};`).join('');
  });
}

/** The code point a numeric character reference ("#65;", "#x41;") names. */
function codePointOf(ref: string): number {
  return ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2, -1), 16) : parseInt(ref.slice(1, -1), 10);
}

/** XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
export function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

function mapOutsideCdata(xml: string, fn: (s: string) => string): string {
  const parts = xml.split(/(<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->)/);
  for (let i = 0; i < parts.length; i += 2) parts[i] = fn(parts[i]!);
  return parts.join('');
}

function checkDepth(xml: string): void {
  const tags = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)[A-Za-z_][^>]*?(\/?)>/g;
  let depth = 0;
  for (let m = tags.exec(xml); m; m = tags.exec(xml)) {
    if (m[1] === undefined) continue;
    if (m[1] === '/') depth--;
    else if (m[2] !== '/' && ++depth > MAX_DEPTH) {
      throw new ParseError('too_deep', `elements nest more than ${MAX_DEPTH} levels deep; no feed needs that, so the document is refused`);
    }
  }
}

/**
 * Atom documents that bind the Atom namespace to a prefix (<atom:feed xmlns:atom="…">) are valid but
 * unusual; rewriting them to the default namespace lets the same code read them.
 */
export function unprefixAtom(xml: string, rootName: string): string {
  const colon = rootName.indexOf(':');
  if (colon < 0) return xml;
  const prefix = rootName.slice(0, colon);
  const ns = new RegExp(`xmlns:${prefix}\\s*=\\s*["']([^"']+)["']`).exec(xml)?.[1] ?? '';
  if (!/w3\.org\/2005\/Atom|purl\.org\/atom\/ns/.test(ns)) return xml;
  return xml.replace(new RegExp(`<(/?)${prefix}:`, 'g'), '<$1');
}

/**
 * Atom text constructs of type="xhtml" (RFC 4287 §3.1.1.3) hold markup inline. xml2js would store its text
 * and child elements apart, losing their order, so the markup is escaped into text first; atomText reads it
 * once, as it reads type="html".
 */
export function escapeXhtmlConstructs(xml: string): string {
  if (!/type\s*=\s*["']xhtml["']/.test(xml)) return xml;
  return xml.replace(/<(content|summary|title|subtitle|rights)(\s[^>]*type\s*=\s*["']xhtml["'][^>]*)>([\s\S]*?)<\/\1>/g, (_, name: string, attrs: string, inner: string) => {
    const escaped = inner.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return `<${name}${attrs}>${escaped}</${name}>`;
  });
}
