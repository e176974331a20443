import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/parse/decodeBody.ts';
import { detectFormat } from '../../src/parse/detectFormat.ts';

const xml = (enc: string, title: string) => `<?xml version="1.0" encoding="${enc}"?><rss version="2.0"><channel><title>${title}</title></channel></rss>`;

describe('decodeBody', () => {
  it.each([
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml('utf-8', 'Café'))]), undefined, 'Café', 'utf-8'],
    ['UTF-16LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml('utf-16', 'Ünïcødé'), 'utf16le')]), undefined, 'Ünïcødé', 'utf-16le'],
    ['UTF-16BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(xml('utf-16', 'Ünïcødé'), 'utf16le').swap16()]), undefined, 'Ünïcødé', 'utf-16be'],
    ['windows-1252 from the XML declaration', iconv.encode(xml('windows-1252', '“quoted” – dash'), 'windows-1252'), undefined, '“quoted” – dash', 'windows-1252'],
    ['ISO-8859-1 read as windows-1252 (WHATWG)', iconv.encode(xml('ISO-8859-1', 'Zürich'), 'latin1'), undefined, 'Zürich', 'windows-1252'],
    ['ISO-8859-2 from the declaration', iconv.encode(xml('iso-8859-2', 'Łódź'), 'iso-8859-2'), undefined, 'Łódź', 'iso-8859-2'],
    ['charset from Content-Type beats the declaration', iconv.encode(xml('utf-8', 'Größe'), 'windows-1252'), 'text/xml; charset=windows-1252', 'Größe', 'windows-1252'],
    ['declared Latin-1 but bytes are UTF-8', Buffer.from(xml('iso-8859-1', 'Café ☕')), undefined, 'Café ☕', 'utf-8'],
    ['declared UTF-8 but bytes are windows-1252', iconv.encode(xml('utf-8', 'naïve'), 'windows-1252'), undefined, 'naïve', 'windows-1252'],
    ['ISO-8859-1 byte 0x92 is the windows-1252 quote (WHATWG)', Buffer.concat([Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>don', 'latin1'), Buffer.from([0x92]), Buffer.from('t</title></channel></rss>')]), undefined, 'don’t', 'windows-1252'],
    ['ISO-8859-1 from Content-Type, byte 0x80 is the euro sign', Buffer.concat([Buffer.from(xml('iso-8859-1', '5 ').replace('</title></channel></rss>', ''), 'latin1'), Buffer.from([0x80]), Buffer.from('</title></channel></rss>')]), 'text/xml; charset=iso-8859-1', '5 €', 'windows-1252'],
    ['unknown label falls back on the bytes', Buffer.from(xml('x-klingon', 'plain')), undefined, 'plain', 'utf-8'],
  ])('%s', (_name, body, contentType, title, charset) => {
    const out = decodeBody(body, contentType);
    expect(out.text).toContain(`<title>${title}</title>`);
    expect(out.charset).toBe(charset);
  });
});

describe('detectFormat', () => {
  it.each([
    ['RSS 2.0', '<?xml version="1.0"?><rss version="2.0"><channel/></rss>', 'rss'],
    ['RSS after a comment and a doctype', '<!-- hi --><!DOCTYPE rss [<!ENTITY x "y">]>\n<rss version="0.91"></rss>', 'rss'],
    ['RDF', '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>', 'rdf'],
    ['Atom 1.0', '  \n<feed xmlns="http://www.w3.org/2005/Atom"></feed>', 'atom'],
    ['prefixed Atom', '<atom:feed xmlns:atom="http://www.w3.org/2005/Atom"></atom:feed>', 'atom'],
    ['JSON Feed', '{"version": "https://jsonfeed.org/version/1.1", "items": []}', 'jsonfeed'],
    ['HTML page', '<!DOCTYPE html><html><head></head></html>', 'html'],
    ['other XML', '<?xml version="1.0"?><svg></svg>', 'unknown'],
    ['other JSON', '{"hello": 1}', 'unknown'],
    ['empty', '   \n ', 'empty'],
    ['plain text', 'hello', 'unknown'],
  ])('%s', (_name, text, format) => {
    expect(detectFormat(text).format).toBe(format);
  });

  it('knows Atom 0.3 from its version attribute', () => {
    expect(detectFormat('<feed version="0.3" xmlns="http://purl.org/atom/ns#"></feed>')).toMatchObject({ format: 'atom', version: '0.3' });
  });
});
