import { decodeHTML } from 'entities';

/** Longest text any field keeps: a 5 MB attribute costs the page its value, not the desk its memory. */
export const MAX_TEXT = 2000;

/**
 * Text as an editor should read it: entities decoded (JSON-LD strings often carry `&amp;` or `&#039;`), tags a
 * publisher left in removed, whitespace collapsed, trimmed; undefined when nothing is left or the input is not text.
 */
export function cleanText(value: unknown, max = MAX_TEXT): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string') return undefined;
  let s = value.length > max * 4 ? value.slice(0, max * 4) : value;
  if (s.includes('<')) s = s.replace(/<[^>]{0,500}>/g, ' ');
  if (s.includes('&')) s = decodeHTML(s);
  s = s.replace(/[\s\u00a0\u200b\ufeff]+/g, ' ').trim();
  if (s.length > max) s = s.slice(0, max).trimEnd();
  return s || undefined;
}
