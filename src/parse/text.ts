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
export function toPlainText(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  let text = value;
  text = stripMarkup(text);
  // A reference escaped twice (&amp;#0;), left as text by CDATA or beyond hardenXml's digits (&#99999999;) would
  // decode to U+FFFD or a control character here: references to characters XML 1.0 forbids are dropped first.
  if (text.includes('&')) text = decodeHTML(text.replace(NUMERIC_REF, (ref: string, hex?: string, dec?: string) => (isXmlChar(hex ? parseInt(hex, 16) : Number(dec)) ? ref : '')));
  // "don\u0092t": windows-1252 pasted into a UTF-8 or Latin-1 document (a reference &#146; decodes to ’ already).
  text = fixWindows1252(text);
  // The same characters sent raw (JSON Feed "\u0000", a lone surrogate "\ud800"): dropped as hardenXml does.
  // eslint-disable-next-line no-control-regex -- exactly the characters XML 1.0 §2.2 forbids
  text = text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
  // Decoding can reveal markup that was escaped twice ("&lt;b&gt;"): strip once more.
  text = stripMarkup(text);
  text = stripBidiControls(text).replace(/[\s\u00a0\u200b]+/g, ' ').trim();
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
