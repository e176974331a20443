import { DOCTYPE_PATTERN } from './expandInternalEntities.ts';
import type { FeedFormat } from './types.ts';

export type Detected =
  | { format: FeedFormat; version: string | null; root: string }
  | { format: 'empty' }
  | { format: 'html' }
  | { format: 'unknown'; root: string | null };

/**
 * Decides the format from the document itself (never from the URL or Content-Type, which are often
 * wrong): the first non-whitespace character, then the root element after the prolog.
 */
export function detectFormat(text: string): Detected {
  const start = text.search(/\S/);
  if (start < 0) return { format: 'empty' };
  const first = text[start];
  if (first === '{') {
    const version = /"version"\s*:\s*"https?:\/\/jsonfeed\.org\/version\/([\d.]+)"/.exec(text.slice(start, start + 65536))?.[1];
    return version ? { format: 'jsonfeed', version, root: '{' } : { format: 'unknown', root: 'json' };
  }
  if (first !== '<') return { format: 'unknown', root: null };
  const root = rootElement(text, start);
  if (!root) return { format: 'unknown', root: null };
  const local = root.name.includes(':') ? root.name.slice(root.name.indexOf(':') + 1) : root.name;
  switch (local.toLowerCase()) {
    case 'rss':
      return { format: 'rss', version: attr(root.attrs, 'version') ?? null, root: root.name };
    case 'rdf':
      return { format: 'rdf', version: '1.0', root: root.name };
    case 'feed':
      // Atom 0.3 declares version="0.3" and the purl.org namespace; Atom 1.0 (RFC 4287) has neither.
      return { format: 'atom', version: attr(root.attrs, 'version') === '0.3' || root.attrs.includes('purl.org/atom/ns') ? '0.3' : '1.0', root: root.name };
    case 'html':
      return { format: 'html' };
    default:
      return { format: 'unknown', root: root.name };
  }
}

/** Skips the XML declaration, processing instructions, comments and the DOCTYPE (with its internal subset). */
function rootElement(text: string, from: number): { name: string; attrs: string } | undefined {
  const re = new RegExp(String.raw`<\?[\s\S]*?\?>|<!--[\s\S]*?-->|${DOCTYPE_PATTERN}|<([A-Za-z_][\w.:-]*)([^>]*)>|\S`, 'gi');
  re.lastIndex = from;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1]) return { name: m[1], attrs: m[2] ?? '' };
    if (m[0].length === 1 && !/\s/.test(m[0])) return undefined;
  }
  return undefined;
}

function attr(attrs: string, name: string): string | undefined {
  return new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`).exec(attrs)?.[1];
}
