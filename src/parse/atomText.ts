import { toPlainText } from './text.ts';
import { attr, text } from './xmlNodes.ts';

/**
 * The plain text of an Atom text construct (RFC 4287 §3.1, Atom 0.3 §3.1.1):
 * - type="base64" or mode="base64" (0.3): the text is base64, decoded first;
 * - type="html", mode="escaped" (0.3): the text is HTML, read once: "&lt;blink&gt;" written in that HTML
 *   is the text "<blink>", not a tag;
 * - type="xhtml" (escaped into text before parsing by escapeXhtmlConstructs): the same, once;
 * - type="text" or none: plain text as written (RFC 4287 §3.1.1.1): "&#39;" in it is text, not a reference.
 * Never throws: an unreadable base64 body is no text.
 */
export function atomText(node: unknown): string | null {
  const raw = text(node);
  if (raw === undefined) return null;
  const type = (attr(node, 'type') ?? '').toLowerCase();
  const mode = (attr(node, 'mode') ?? '').toLowerCase();
  if (mode === 'base64' || type === 'base64') return toPlainText(decodeBase64(raw));
  if (type === 'html' || type === 'xhtml' || type === 'text/html' || mode === 'escaped') return toPlainText(raw, { once: true });
  return toPlainText(raw, { literal: true });
}

function decodeBase64(value: string): string | undefined {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) return undefined;
  const decoded = Buffer.from(compact, 'base64').toString('utf8');
  return decoded.includes('\ufffd') ? undefined : decoded;
}
