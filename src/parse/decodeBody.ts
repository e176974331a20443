import iconv from 'iconv-lite';

/**
 * Turns feed bytes into text. Order of evidence (RFC 7303 §3, XML 1.0 Appendix F): a byte order mark,
 * then the charset parameter of Content-Type, then the XML declaration, then UTF-8. Real feeds lie about
 * their encoding in both directions, so the declared label is checked against the bytes: text that is
 * valid UTF-8 with non-ASCII in it is UTF-8 whatever the label says, and text labelled UTF-8 that is not
 * valid UTF-8 is read as windows-1252 (what browsers do for unlabelled Western text).
 */
export function decodeBody(body: Buffer | string, contentType?: string | null): { text: string; charset: string } {
  if (typeof body === 'string') return { text: stripBom(body), charset: 'utf-8' };
  const bom = sniffBom(body);
  if (bom) return { text: decode(body.subarray(bom.length), bom.charset), charset: bom.charset };
  const utf16 = sniffUtf16WithoutBom(body);
  if (utf16) return { text: stripBom(decode(body, utf16)), charset: utf16 };

  const declared = normalizeLabel(charsetFromContentType(contentType) ?? charsetFromXmlDeclaration(body));
  const validUtf8 = isValidUtf8(body);
  let charset = declared ?? 'utf-8';
  if (charset !== 'utf-8' && validUtf8 && hasNonAscii(body) && isSingleByte(charset)) charset = 'utf-8';
  else if (charset === 'utf-8' && !validUtf8) charset = 'windows-1252';
  try {
    return { text: stripBom(decode(body, charset)), charset };
  } catch {
    // An unknown label (TextDecoder throws RangeError): fall back on the bytes alone.
    const fallback = validUtf8 ? 'utf-8' : 'windows-1252';
    return { text: stripBom(decode(body, fallback)), charset: fallback };
  }
}

/**
 * UTF-8 and UTF-16 through TextDecoder; legacy charsets through iconv-lite, because Node 20's
 * TextDecoder decodes "windows-1252" as Latin-1 (0x93 becomes a C1 control instead of a curly quote).
 * Throws RangeError for a label neither knows.
 */
function decode(bytes: Uint8Array, charset: string): string {
  if (/^utf-(8|16|16le|16be)$/.test(charset)) return new TextDecoder(charset).decode(bytes);
  if (!iconv.encodingExists(charset)) throw new RangeError(`unknown charset ${charset}`);
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), charset);
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function sniffBom(b: Buffer): { charset: string; length: number } | undefined {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { charset: 'utf-8', length: 3 };
  if (b[0] === 0xff && b[1] === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (b[0] === 0xfe && b[1] === 0xff) return { charset: 'utf-16be', length: 2 };
  return undefined;
}

/** "<?" encoded as UTF-16 without a BOM (XML 1.0 Appendix F.1). */
function sniffUtf16WithoutBom(b: Buffer): string | undefined {
  if (b[0] === 0x3c && b[1] === 0x00 && b[2] === 0x3f && b[3] === 0x00) return 'utf-16le';
  if (b[0] === 0x00 && b[1] === 0x3c && b[2] === 0x00 && b[3] === 0x3f) return 'utf-16be';
  return undefined;
}

export function charsetFromContentType(contentType?: string | null): string | undefined {
  return contentType ? /charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1] : undefined;
}

function charsetFromXmlDeclaration(b: Buffer): string | undefined {
  const head = b.subarray(0, 1024).toString('latin1');
  return /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1];
}

const ALIASES: Record<string, string> = {
  utf8: 'utf-8', 'utf-8': 'utf-8', 'us-ascii': 'windows-1252', ascii: 'windows-1252',
  'iso-8859-1': 'windows-1252', latin1: 'windows-1252', 'iso_8859-1': 'windows-1252',
};

function normalizeLabel(label: string | undefined): string | undefined {
  if (!label) return undefined;
  const lower = label.trim().toLowerCase();
  // WHATWG Encoding treats ISO-8859-1 and ASCII as windows-1252, and so do real feeds.
  return ALIASES[lower] ?? lower;
}

function isSingleByte(charset: string): boolean {
  return /^(windows-12\d\d|iso-8859-\d+|koi8-[ru]|macintosh|x-mac-cyrillic|ibm866)$/.test(charset);
}

function isValidUtf8(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

function hasNonAscii(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! > 0x7f) return true;
  return false;
}
