/**
 * Readers for the object tree xml2js builds (each child element is an array; attributes sit under "$",
 * text under "_" when the element also has attributes). Every reader returns undefined rather than
 * throwing, so one odd field never drops an item.
 */
export type XmlNode = Record<string, unknown>;

export function child(node: unknown, name: string): unknown {
  if (!node || typeof node !== 'object') return undefined;
  const v = (node as XmlNode)[name];
  return Array.isArray(v) ? v[0] : v;
}

export function children(node: unknown, name: string): unknown[] {
  if (!node || typeof node !== 'object') return [];
  const v = (node as XmlNode)[name];
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

/** Like child(), with the element name matched in any case when no exact match exists (<itunes:Summary>, <PubDate>). */
export function childNamed(node: unknown, name: string): unknown {
  return childrenNamed(node, name)[0];
}

export function childrenNamed(node: unknown, name: string): unknown[] {
  if (!node || typeof node !== 'object') return [];
  const exact = children(node, name);
  if (exact.length) return exact;
  const key = lowerKeys(node as XmlNode).get(name.toLowerCase());
  return key === undefined || key === name ? [] : children(node, key);
}

// Each element's child names by lower case, built once per element (most lookups miss: a feed uses few of the
// places a field may be read from).
const lowerKeyIndex = new WeakMap<XmlNode, Map<string, string>>();

function lowerKeys(node: XmlNode): Map<string, string> {
  let index = lowerKeyIndex.get(node);
  if (!index) {
    index = new Map();
    for (const key of Object.keys(node)) {
      const lower = key.toLowerCase();
      if (!index.has(lower)) index.set(lower, key);
    }
    lowerKeyIndex.set(node, index);
  }
  return index;
}

export function attr(node: unknown, name: string): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const attrs = (node as XmlNode).$ as Record<string, unknown> | undefined;
  const v = attrs?.[name];
  return typeof v === 'string' ? v : undefined;
}

/** The text of an element; for elements with children (Atom xhtml content) all their text, in tree order. */
export function text(node: unknown, depth = 0): string | undefined {
  if (typeof node === 'string') return node;
  if (node === null || node === undefined || depth > 64) return undefined;
  if (Array.isArray(node)) return text(node[0], depth + 1);
  if (typeof node !== 'object') return String(node);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(node as XmlNode)) {
    if (key === '$') continue;
    if (key === '_') parts.push(String(value));
    else for (const v of Array.isArray(value) ? value : [value]) {
      const t = text(v, depth + 1);
      if (t) parts.push(t);
    }
  }
  return parts.length ? parts.join(' ') : undefined;
}

/** The trimmed text of the first of `names` present with text, names matched in any case. */
export function firstText(node: unknown, ...names: string[]): string | undefined {
  for (const name of names) {
    const t = text(childNamed(node, name))?.trim();
    if (t) return t;
  }
  return undefined;
}

/** Resolves `href` against `base`; undefined when it is not a usable http(s) URL. */
export function absolutize(href: string | undefined, base: string | undefined): string | undefined {
  if (!href) return undefined;
  const trimmed = href.trim();
  if (!trimmed) return undefined;
  try {
    const url = base ? new URL(trimmed, base) : new URL(trimmed);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** xml:base on `node` (itself relative to `parentBase`), or the parent's base (XML Base §4.2). */
export function baseOf(node: unknown, parentBase: string | undefined): string | undefined {
  const declared = attr(node, 'xml:base');
  if (!declared) return parentBase;
  try {
    return new URL(declared, parentBase).href;
  } catch {
    return parentBase;
  }
}
