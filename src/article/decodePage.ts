import { isUtf8 } from 'node:buffer';
import { decodeBody } from '../parse/decodeBody.ts';

const SNIFF_BYTES = 1024;

/**
 * An HTML page's bytes as text: a byte order mark first; then bytes that are valid UTF-8 are UTF-8 whatever
 * a label says (a page saved as UTF-8 keeps its `<meta charset="gb2312">`; pure ASCII reads the same in every
 * label that matters); then the HTTP Content-Type charset, then `<meta charset>` / `<meta http-equiv=
 * "Content-Type" content="…; charset=…">` in the first 1,024 bytes (the HTML prescan window); else
 * windows-1252, what browsers read unlabelled bytes that are not UTF-8 as (decodeBody).
 */
export function decodePage(bytes: Buffer, contentType?: string | null): { text: string; charset: string } {
  if (!hasBom(bytes) && isUtf8(bytes)) return { text: bytes.toString('utf8'), charset: 'utf-8' };
  const declared = /charset\s*=/i.test(contentType ?? '') ? contentType : metaCharset(bytes);
  return decodeBody(bytes, declared ? (declared.includes('=') ? declared : `text/html; charset=${declared}`) : null);
}

export function metaCharset(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, SNIFF_BYTES).toString('latin1');
  return /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head)?.[1];
}

function hasBom(b: Buffer): boolean {
  return (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) || (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff);
}
