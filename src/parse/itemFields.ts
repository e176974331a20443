import { atomText } from './atomText.ts';
import { toPlainText } from './text.ts';
import { attr, childNamed, childrenNamed, text } from './xmlNodes.ts';

/**
 * Where an item's text is read from, as data (metascraper's rule packages): each field is an ordered list of
 * small readers, the first that yields wins, and its name is the field's provenance. Element names match
 * in any case (`<itunes:Summary>`, `<pubdate>`), because real feeds write them so.
 */
export interface FieldRule {
  name: string;
  read: (node: unknown) => string | null | undefined;
}

export interface FieldValue {
  value: string;
  from: string;
}

/** The first rule that yields text, with its name; undefined when none does. */
export function readField(rules: readonly FieldRule[], node: unknown): FieldValue | undefined {
  for (const rule of rules) {
    const value = rule.read(node);
    if (value) return { value, from: rule.name };
  }
  return undefined;
}

/** The plain text of the element at `path` ("media:group/media:description"), names matched in any case. */
function plainAt(path: string): FieldRule {
  const names = path.split('/');
  return { name: path, read: (node) => toPlainText(text(atPath(node, names))) };
}

/** An Atom text construct (type/mode honoured: text, html, xhtml, base64) at `path`. */
function atomAt(path: string): FieldRule {
  const names = path.split('/');
  return { name: path, read: (node) => atomText(atPath(node, names)) };
}

export function atPath(node: unknown, names: readonly string[]): unknown {
  let current = node;
  for (const name of names) {
    current = childNamed(current, name);
    if (current === undefined) return undefined;
  }
  return current;
}

/** The names of every author element of `name` under `node` (several authors are joined: "Alice, Bob"). */
function authorsAt(name: string, inner?: string): FieldRule {
  return {
    name: inner ? `${name}/${inner}` : name,
    read: (node) => joinAuthors(childrenNamed(node, name).map((a) => toPlainText(text(inner ? childNamed(a, inner) : a)))),
  };
}

export function joinAuthors(names: (string | null | undefined)[]): string | null {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const n of names) {
    if (!n || seen.has(n.toLowerCase())) continue;
    seen.add(n.toLowerCase());
    out.push(n);
  }
  return out.length ? out.join(', ') : null;
}

// RSS 2.0: <title> is the item's title; RSS 1.0 modules, Media RSS and iTunes give the same field elsewhere.
export const RSS_ITEM_TITLE: readonly FieldRule[] = [plainAt('title'), plainAt('dc:title'), plainAt('media:title'), plainAt('media:group/media:title'), plainAt('itunes:title'), atomAt('atom:title')];

// RSS 2.0 §"Elements of <item>": <description> is the item's synopsis; content:encoded is its full content,
// read only when no synopsis is given (as are the module and embedded-document places after it).
export const RSS_ITEM_SUMMARY: readonly FieldRule[] = [
  plainAt('description'),
  plainAt('dc:description'),
  plainAt('itunes:summary'),
  plainAt('itunes:subtitle'),
  plainAt('media:description'),
  plainAt('media:group/media:description'),
  atomAt('atom:summary'),
  plainAt('content:encoded'),
  plainAt('xhtml:body'),
  plainAt('body'),
  plainAt('fullitem'),
  atomAt('atom:content'),
];

export const RSS_ITEM_AUTHOR: readonly FieldRule[] = [
  authorsAt('author'),
  authorsAt('dc:creator'),
  authorsAt('dc:author'),
  authorsAt('itunes:author'),
  authorsAt('atom:author', 'atom:name'),
  authorsAt('a10:author', 'a10:name'),
];

// A channel's author, which its items without one inherit.
export const RSS_CHANNEL_AUTHOR: readonly FieldRule[] = [authorsAt('dc:creator'), authorsAt('itunes:author'), authorsAt('atom:author', 'atom:name')];

export const RSS_CHANNEL_DESCRIPTION: readonly FieldRule[] = [plainAt('description'), plainAt('dc:description'), plainAt('itunes:summary'), plainAt('itunes:subtitle'), atomAt('atom:subtitle')];

export const RSS_CHANNEL_TITLE: readonly FieldRule[] = [plainAt('title'), plainAt('dc:title'), plainAt('itunes:title'), atomAt('atom:title')];

// RFC 4287 §4.2.13: <summary> is a summary; <content> the content, read when there is no summary.
export const ATOM_ENTRY_SUMMARY: readonly FieldRule[] = [atomAt('summary'), atomAt('media:group/media:description'), plainAt('media:description'), atomAt('content'), plainAt('dc:description')];

export const ATOM_ENTRY_TITLE: readonly FieldRule[] = [atomAt('title'), plainAt('media:group/media:title'), plainAt('dc:title')];

export const ATOM_ENTRY_AUTHOR: readonly FieldRule[] = [authorsAt('author', 'name'), authorsAt('author', 'email'), authorsAt('dc:creator'), authorsAt('contributor', 'name')];

/** Category names of an RSS item or channel: <category>, dc:subject, atom:category, iTunes and Google Play categories, itunes:keywords, media:category. */
export function rssCategories(node: unknown): (string | undefined)[] {
  return [
    ...childrenNamed(node, 'category').map((c) => text(c)),
    ...childrenNamed(node, 'itunes:keywords').flatMap((k) => (text(k) ?? '').split(',')),
    ...childrenNamed(node, 'dc:subject').map((c) => text(c)),
    ...childrenNamed(node, 'atom:category').map((c) => attr(c, 'label') ?? attr(c, 'term') ?? text(c)),
    ...itunesCategories(node),
    ...['googleplay:category', 'gplay:category'].flatMap((name) => childrenNamed(node, name).map((c) => attr(c, 'text'))),
    // A media:category's text is a path in its scheme ("Arts/Movies/Titles/A"): only its label is a name.
    ...childrenNamed(node, 'media:category').map((c) => attr(c, 'label')),
  ];
}

/** <itunes:category text="…"> nests subcategories: each level is a category of its own. */
function itunesCategories(node: unknown, depth = 0): (string | undefined)[] {
  if (depth > 3) return [];
  return childrenNamed(node, 'itunes:category').flatMap((c) => [attr(c, 'text'), ...itunesCategories(c, depth + 1)]);
}

/** Category names of an Atom feed or entry: the human-readable label, else the term (RFC 4287 §4.2.2). */
export function atomCategories(node: unknown): (string | undefined)[] {
  return [...childrenNamed(node, 'category').map((c) => attr(c, 'label') ?? attr(c, 'term') ?? text(c)), ...childrenNamed(node, 'dc:subject').map((c) => text(c))];
}
