import { decodeHTML } from 'entities';
import { stripBidiControls } from '../parse/bidi.ts';

/** Longest text any field keeps: a 5 MB attribute costs the page its value, not the desk its memory. */
export const MAX_TEXT = 2000;

const TAG = /<[^>]{0,500}>/g;
/**
 * C0 controls but tab/LF/CR, DEL, C1 controls (U+0080–U+009F: U+009B starts a terminal escape sequence, as ESC
 * does, in `review show`), U+FFFE/U+FFFF, lone surrogates: never text an editor should see. The one list for
 * page text: the extractor's fields and the enrichment stored from them.
 */
// eslint-disable-next-line no-control-regex -- exactly the characters dropped
export const PAGE_CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text as an editor should read it: entities decoded (JSON-LD strings often carry `&amp;` or `&#039;`), tags a
 * publisher left in removed (also those that decoding revealed: `&lt;script&gt;` escaped twice), control
 * characters and bidi controls removed (as feed text is: `toPlainText`), whitespace collapsed, trimmed;
 * undefined when nothing is left or the input is not text.
 */
export function cleanText(value: unknown, max = MAX_TEXT): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string') return undefined;
  let s = value.length > max * 4 ? value.slice(0, max * 4) : value;
  if (s.includes('<')) s = s.replace(TAG, ' ');
  if (s.includes('&')) s = decodeHTML(s);
  if (s.includes('<')) s = s.replace(TAG, ' ');
  s = stripBidiControls(s.replace(PAGE_CONTROLS, '')).replace(/[\s\u00a0\u200b\ufeff]+/g, ' ').trim();
  if (s.length > max) s = s.slice(0, max).trimEnd();
  return s || undefined;
}
