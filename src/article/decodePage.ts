import { decodeBody } from '../parse/decodeBody.ts';

const SNIFF_BYTES = 1024;

/**
 * An HTML page's bytes as text: a byte order mark first, then the HTTP Content-Type charset, then
 * `<meta charset>` / `<meta http-equiv="Content-Type" content="…; charset=…">` in the first 1,024 bytes (the
 * HTML prescan window), else UTF-8. decodeBody checks the label against the bytes (valid UTF-8 wins over a
 * Latin-1 label; bytes that are not UTF-8 are read as windows-1252).
 */
export function decodePage(bytes: Buffer, contentType?: string | null): { text: string; charset: string } {
  const declared = /charset\s*=/i.test(contentType ?? '') ? contentType : metaCharset(bytes);
  return decodeBody(bytes, declared ? (declared.includes('=') ? declared : `text/html; charset=${declared}`) : null);
}

export function metaCharset(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, SNIFF_BYTES).toString('latin1');
  return (
    /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head)?.[1] ??
    undefined
  );
}
