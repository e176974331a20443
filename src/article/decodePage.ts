import { decodeBody } from '../parse/decodeBody.ts';

const SNIFF_BYTES = 1024;

/**
 * An HTML page's bytes as text: a byte order mark first, then the HTTP Content-Type charset, then
 * `<meta charset>` / `<meta http-equiv="Content-Type" content="…; charset=…">` in the first 1,024 bytes (the
 * HTML prescan window), else UTF-8. decodeBody checks the label against the bytes (valid UTF-8 wins over a
 * Latin-1 label; bytes that are not UTF-8 are read as windows-1252).
 */
export function decodePage(bytes: Buffer, contentType?: string | null): { text: string; charset: string } {
  // Bytes that are valid UTF-8 and not plain ASCII are UTF-8 whatever a multi-byte label says (a page saved
  // as UTF-8 keeps its `<meta charset="gb2312">`); decodeBody already does this for single-byte labels.
  if (!hasBom(bytes) && hasNonAscii(bytes) && isUtf8(bytes)) return decodeBody(bytes, 'text/html; charset=utf-8');
  const declared = /charset\s*=/i.test(contentType ?? '') ? contentType : metaCharset(bytes);
  return decodeBody(bytes, declared ? (declared.includes('=') ? declared : `text/html; charset=${declared}`) : null);
}

export function metaCharset(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, SNIFF_BYTES).toString('latin1');
  return /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head)?.[1];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Buffer): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function hasNonAscii(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return true;
  return false;
}

function hasBom(b: Buffer): boolean {
  return (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) || (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff);
}
