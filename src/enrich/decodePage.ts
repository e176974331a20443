import { charsetFromContentType, decodeBody } from '../parse/decodeBody.ts';

/**
 * An HTML page's bytes as text: a byte order mark, then the header's charset, then `<meta charset>` or
 * `<meta http-equiv=Content-Type>` in the first 1024 bytes (the HTML prescan), then UTF-8; the label is
 * checked against the bytes as for feeds (parse/decodeBody.ts). (Written here until the extract stage's own
 * decoder lands; the two should become one.)
 */
export function decodePage(body: Buffer, contentType: string | undefined): string {
  const declared = charsetFromContentType(contentType) ?? charsetFromMeta(body);
  return decodeBody(body, declared ? `text/html; charset=${declared}` : null).text;
}

function charsetFromMeta(body: Buffer): string | undefined {
  const head = body.subarray(0, 1024).toString('latin1');
  const m = /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})/i.exec(head);
  return m?.[1];
}
