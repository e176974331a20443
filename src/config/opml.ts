import { Parser } from 'htmlparser2';
import { escapeUTF8 } from 'entities';
import { SignalDeskError } from '../errors.ts';
import { SourceSchema, type Source } from './sourceSchema.ts';

/** Our namespace for what OPML has no attribute for (schedule, filters, kind, selectors…): `sd:…` attributes. */
export const OPML_NS = 'https://signal-desk.dev/opml';

export interface OpmlEntry {
  title: string | null;
  xmlUrl: string;
  htmlUrl: string | null;
  /** Our id, when the file was exported by Signal Desk: kept so ids stay stable over a round trip. */
  id: string | null;
  category: string | null;
  tags: string[];
  weight: number | null;
  /**
   * Every other field of the source schema our export wrote (`sd:kind`, `sd:schedule`, `sd:filters`,
   * `sd:selectors`, `sd:enabled`, `sd:enrich`, `sd:tags`), as read from the file: the importer validates them
   * with the schema. Empty for other producers' files.
   */
  fields: Record<string, unknown>;
}

export interface OpmlSkip {
  title: string | null;
  reason: string;
}

/** Where an OPML file broke, in the words of `file:line:column`. */
export class OpmlError extends SignalDeskError {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super('bad_opml', `line ${line}, column ${column}: ${message}`);
    this.line = line;
    this.column = column;
  }
}

/** 1-based line and column of a character offset. */
function locate(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** The fields our export writes as JSON in `sd:` attributes, and those it writes as plain values. */
const JSON_FIELDS = ['schedule', 'filters', 'selectors', 'tags'] as const;
const BOOLEAN_FIELDS = ['enabled', 'enrich'] as const;
/** Attributes of exports before the namespace (issue 7), still read. */
const LEGACY = { id: 'signalDeskId', category: 'signalDeskCategory', weight: 'signalDeskWeight' } as const;

interface Open {
  name: string;
  at: number;
  title: string | null;
  /** An outline without a feed URL: a folder when it has outlines inside, else reported as skipped. */
  noFeed?: { reason: string; children: boolean };
  /** An outline inside <body>: its title is on the folders stack while it is open. */
  outline?: boolean;
}

/** Deeper nesting is refused (a reader's folders are a few levels; a hostile file could nest a million). */
export const OPML_MAX_DEPTH = 100;

/**
 * Subscriptions from an OPML file (OPML 2.0 §"subscription lists": outlines with xmlUrl; nesting is
 * folders, whose names become tags). Pure. A file that is not well-formed XML (truncated, a tag closed in
 * the wrong place) or whose root is not <opml> is an `OpmlError` naming the line and column; outlines
 * without a usable xmlUrl are reported, not dropped silently. Our own `sd:` attributes (any prefix bound to
 * OPML_NS) bring back every field of the source.
 */
export function parseOpml(text: string): { entries: OpmlEntry[]; skipped: OpmlSkip[] } {
  const entries: OpmlEntry[] = [];
  const skipped: OpmlSkip[] = [];
  const stack: Open[] = [];
  /** Titles of the outlines open around the current one (folders), kept as the stack moves: O(1) per element. */
  const folders: (string | null)[] = [];
  let bodyOpen = false;
  let root: string | undefined;
  let rootDone = false;
  let sawBody = false;
  let ending = false;
  let fail: OpmlError | undefined;
  /** The prefix of our attributes: "sd" unless the file binds another to OPML_NS; none when it binds sd elsewhere. */
  let ns: string | undefined = 'sd';
  const error = (message: string, offset: number) => {
    if (fail) return;
    const { line, column } = locate(text, offset);
    fail = new OpmlError(message, line, column);
  };
  const opened = (o: Open) => {
    const where = locate(text, o.at);
    return `<${o.name}> opened at line ${where.line}, column ${where.column}`;
  };
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (fail) return;
        if (rootDone) return error(`<${name}> after the end of <${root}>: only one root element is allowed`, parser.startIndex);
        if (root === undefined) {
          root = name;
          if (name !== 'opml') return error(`not an OPML file: the root element is <${name}>, not <opml>`, parser.startIndex);
          // The prefix the file binds to our namespace (ours is "sd"; another tool may pick another).
          // "sd" bound to someone else's namespace (and no prefix to ours) is that tool's attributes, not ours.
          const bound = Object.entries(attrs).find(([k, v]) => k.startsWith('xmlns:') && v === OPML_NS);
          if (bound) ns = bound[0].slice('xmlns:'.length);
          else if (attrs['xmlns:sd'] !== undefined) ns = undefined;
        }
        if (stack.length >= OPML_MAX_DEPTH) return error(`outlines nested deeper than ${OPML_MAX_DEPTH} levels`, parser.startIndex);
        const inBody = bodyOpen;
        if (name === 'body' && stack.length === 1) sawBody = bodyOpen = true;
        const title = (attrs.title ?? attrs.text)?.trim() || null;
        const parent = stack.at(-1);
        if (parent?.noFeed && name === 'outline') parent.noFeed.children = true;
        const open: Open = { name, at: parser.startIndex, title };
        stack.push(open);
        if (name !== 'outline' || !inBody) return;
        const noFeed = readOutline(attrs, title, folders.filter((t): t is string => t !== null), ns, entries, skipped);
        folders.push(title);
        open.outline = true;
        if (noFeed) open.noFeed = { reason: noFeed, children: false };
      },
      onclosetag(name, implied) {
        if (fail) return;
        const open = stack.pop();
        if (!open) return;
        if (open.outline) folders.pop();
        if (open.name === 'body' && stack.length === 1) bodyOpen = false;
        // A self-closing tag (<outline …/>) is reported as an implied close too: it ends in "/>" right here.
        const selfClosing = !ending && text.slice(parser.endIndex - 1, parser.endIndex + 1) === '/>';
        if (implied && !selfClosing) {
          // htmlparser2 closes what a close tag (or the end of the text) skipped over: in XML that is an error.
          if (ending) error(`the file ends before </${open.name}> (${opened(open)}): it looks truncated`, text.length);
          else error(`${/^<\/[^\s>]*>?/.exec(text.slice(parser.startIndex, parser.startIndex + 80))?.[0] ?? 'a close tag'} here, but ${opened(open)} is not closed`, parser.startIndex);
          return;
        }
        if (open.noFeed && !open.noFeed.children) skipped.push({ title: open.title, reason: open.noFeed.reason });
        if (stack.length === 0 && name === root) rootDone = true;
      },
      ontext(data) {
        if (fail || !rootDone || data.trim() === '') return;
        error(`text after the end of <${root}>`, parser.startIndex);
      },
    },
    { xmlMode: true, decodeEntities: true, recognizeSelfClosing: true },
  );
  parser.write(text);
  ending = true;
  parser.end();
  if (!fail && root === undefined) error('not an OPML file: no XML element in it', 0);
  if (!fail && !sawBody) error('not an OPML subscription list: <opml> has no <body>', text.length);
  if (fail) throw fail;
  return { entries, skipped };
}

/** Reads one outline into `entries` (or `skipped`); returns the reason when it has no feed URL (a folder, or a bookmark). */
function readOutline(attrs: Record<string, string>, title: string | null, folders: string[], ns: string | undefined, entries: OpmlEntry[], skipped: OpmlSkip[]): string | undefined {
  const sd = (name: string) => (ns === undefined ? undefined : attrs[`${ns}:${name}`]);
  // Our html sources (listing pages) are exported as links (type="link" url=…), with sd:kind="html".
  const xmlUrl = attrs.xmlUrl?.trim() || (sd('kind') === 'html' ? attrs.url?.trim() : undefined);
  if (!xmlUrl) return 'no xmlUrl: not a feed subscription';
  let url: URL;
  try {
    url = new URL(xmlUrl);
  } catch {
    skipped.push({ title, reason: `xmlUrl "${xmlUrl.slice(0, 200)}" is not a URL` });
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    skipped.push({ title, reason: `xmlUrl uses ${url.protocol.slice(0, -1)}; only http and https feeds can be polled` });
    return undefined;
  }
  const fields: Record<string, unknown> = {};
  for (const field of JSON_FIELDS) {
    const raw = sd(field);
    if (raw === undefined) continue;
    try {
      fields[field] = JSON.parse(raw);
    } catch {
      skipped.push({ title, reason: `${ns}:${field} is not JSON: ${raw.slice(0, 80)}` });
      return undefined;
    }
  }
  for (const field of BOOLEAN_FIELDS) {
    const raw = sd(field);
    if (raw === undefined) continue;
    if (raw !== 'true' && raw !== 'false') {
      skipped.push({ title, reason: `${ns}:${field} must be true or false, got "${raw.slice(0, 40)}"` });
      return undefined;
    }
    fields[field] = raw === 'true';
  }
  if (sd('kind') !== undefined) fields.kind = sd('kind');
  const categoryAttr = (attrs.category ?? '').split(',').map((c) => c.trim().replace(/^\//, '')).filter(Boolean);
  const weightRaw = sd('weight') ?? attrs[LEGACY.weight];
  const weight = weightRaw === undefined || weightRaw.trim() === '' ? NaN : Number(weightRaw);
  const tags = Array.isArray(fields.tags) ? (fields.tags as unknown[]) : undefined;
  delete fields.tags;
  entries.push({
    title,
    xmlUrl: url.href,
    htmlUrl: attrs.htmlUrl?.trim() || null,
    id: (sd('id') ?? attrs[LEGACY.id])?.trim() || null,
    category: (sd('category') ?? attrs[LEGACY.category])?.trim() || null,
    // Our own tags list, when exported by us (exact); else folders and the OPML category attribute.
    tags: tags ? tags.map(String) : [...new Set([...folders, ...categoryAttr])],
    weight: Number.isFinite(weight) ? weight : null,
    fields,
  });
  return undefined;
}

/** The source fields an entry brings, checked by the schema; a problem names the attribute. */
export function entryToSource(entry: OpmlEntry, id: string): { source: Record<string, unknown> } | { problem: string } {
  const candidate: Record<string, unknown> = {
    id,
    name: entry.title ?? new URL(entry.xmlUrl).hostname,
    url: entry.xmlUrl,
    ...entry.fields,
    ...(entry.tags.length ? { tags: entry.tags } : {}),
    ...(entry.category ? { category: entry.category } : {}),
    ...(entry.weight !== null ? { weight: entry.weight } : {}),
  };
  const parsed = SourceSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? issue.path.join('.') : undefined;
    return { problem: `${field ? `sd:${String(issue.path[0])} (field "${field}")` : 'its attributes'}: ${issue.message}` };
  }
  // Only what differs from the schema's defaults is written to the file, as a person would write it.
  const defaults = SourceSchema.parse({ id, name: candidate.name, url: entry.xmlUrl }) as Record<string, unknown>;
  const source: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parsed.data)) if (v !== undefined && (['id', 'name', 'url'].includes(k) || JSON.stringify(v) !== JSON.stringify(defaults[k]))) source[k] = v;
  return { source };
}

/**
 * OPML 2.0 of the sources. Readers see titles, feed URLs and tags (the category attribute); everything
 * else of the source travels in `sd:` attributes (namespace OPML_NS), so an import restores it exactly.
 */
export function toOpml(sources: Source[], now: Date, title = 'Signal Desk sources'): string {
  const attr = (name: string, value: string | number | boolean | null | undefined) => (value === null || value === undefined || value === '' ? '' : ` ${name}="${escapeUTF8(String(value))}"`);
  const json = (name: string, value: unknown) => attr(name, JSON.stringify(value));
  const outlines = sources.map(
    (s) =>
      `    <outline type="${s.kind === 'html' ? 'link' : 'rss'}"${attr('text', s.name)}${attr('title', s.name)}${attr(s.kind === 'html' ? 'url' : 'xmlUrl', s.url)}${attr('category', s.tags.join(','))}` +
      `${attr('sd:id', s.id)}${attr('sd:kind', s.kind)}${attr('sd:enabled', s.enabled)}${attr('sd:weight', s.weight)}${attr('sd:category', s.category)}${attr('sd:enrich', s.enrich)}` +
      `${json('sd:tags', s.tags)}${json('sd:schedule', s.schedule)}${json('sd:filters', s.filters)}${s.selectors ? json('sd:selectors', s.selectors) : ''}/>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0" xmlns:sd="${OPML_NS}">\n  <head>\n    <title>${escapeUTF8(title)}</title>\n    <dateCreated>${now.toUTCString()}</dateCreated>\n  </head>\n  <body>\n${outlines.join('\n')}\n  </body>\n</opml>\n`;
}
