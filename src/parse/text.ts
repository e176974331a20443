import { decodeHTML } from 'entities';
import { stripBidiControls } from './bidi.ts';
import { isXmlChar } from './hardenXml.ts';
import { stripMarkup } from './stripMarkup.ts';
import { fixWindows1252 } from './windows1252.ts';

const NUMERIC_REF = /&#(?:[xX]([0-9a-fA-F]+)|(\d+));?/g;

/**
 * Plain text from text that may hold HTML: markup removed (`stripMarkup`: scripts, styles, embedded documents and
 * comments with their content, also when never closed), entities decoded (feeds often escape twice, so markup is
 * stripped again after decoding), windows-1252 characters sent as C1 controls repaired, bidi controls removed
 * (also when sent as references), whitespace collapsed. Used for titles and summaries, which must never carry markup into the desk.
 */
export interface PlainTextOptions {
  /**
   * Text that is HTML exactly once (Atom type="html" or "xhtml"): markup is removed and references decoded
   * once, so "&lt;blink&gt;" written in it stays the text "<blink>". Without it, text revealed by decoding is
   * stripped again, since RSS feeds escape their HTML twice as often as not (scripts, styles and comments
   * revealed by decoding are dropped in both modes).
   */
  once?: boolean;
  /**
   * Text that is not HTML at all (Atom type="text", RFC 4287 §3.1.1.1): "&#39;" in it is those five
   * characters. Only code blocks are still dropped.
   */
  literal?: boolean;
}

export function toPlainText(value: string | null | undefined, options: PlainTextOptions = {}): string | null {
  if (value === null || value === undefined) return null;
  let text = value;
  if (options.literal) return finish(stripMarkup(text, { codeOnly: true }));
  text = stripMarkup(text);
  // A reference escaped twice (&amp;#0;), left as text by CDATA or beyond hardenXml's digits (&#99999999;) would
  // decode to U+FFFD or a control character here: references to characters XML 1.0 forbids are dropped first.
  if (text.includes('&')) text = decodeHTML(text.replace(NUMERIC_REF, (ref: string, hex?: string, dec?: string) => (isXmlChar(hex ? parseInt(hex, 16) : Number(dec)) ? ref : '')));
  // Decoding can reveal markup that was escaped twice ("&lt;b&gt;"): stripped once more. Text that was HTML once
  // keeps what decoding reveals as text, but code never reaches a title or summary in either mode.
  return finish(stripMarkup(text, { codeOnly: options.once === true }));
}

/**
 * The last clean-up of every text: windows-1252 characters sent as C1 controls repaired ("don\u0092t"; a reference
 * &#146; decodes to ’ already), characters XML 1.0 forbids sent raw (JSON Feed "\u0000", a lone surrogate "\ud800")
 * dropped as hardenXml does, bidi controls removed, whitespace collapsed.
 */
function finish(value: string): string | null {
  // eslint-disable-next-line no-control-regex -- exactly the characters XML 1.0 §2.2 forbids
  const text = stripBidiControls(fixWindows1252(value).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')).replace(/[\s\u00a0\u200b]+/g, ' ').trim();
  return text === '' ? null : text;
}

/** Cuts at a word boundary so that the result, with its ellipsis, is at most `max` characters. */
/** Characters of an untitled item's summary that become its draft's headline (drafts/toDraft.ts). */
export const HEADLINE_FROM_SUMMARY = 120;

export function truncate(text: string | null, max: number): string | null {
  if (text === null) return null;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
