import { readCappedText } from './readCappedText.ts';
import type { BlockList } from 'node:net';
import { LineCounter, parseDocument, isNode, visit, type Document, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { literalAddressProblem } from '../fetch/address.ts';
import { SourceSchema, SourcesFileSchema, type Source } from './sourceSchema.ts';

/** Default cap on the sources file (SIGNAL_DESK_SOURCES_MAX_BYTES): about 40,000 sources, validated in about 13 s. */
export const SOURCES_MAX_BYTES = 5 * 1024 * 1024;
/** yaml's guard against alias bombs: uses of an anchor × the aliases inside it. Shared filters for 1,000 sources fit. */
export const MAX_ALIAS_COUNT = 1000;
/** Values (maps, lists, scalars) the file may expand to once aliases are resolved, whatever its size on disk. */
export const MAX_EXPANDED_VALUES = 2_000_000;

export interface SourcesOptions {
  /** Cap on the file's size, checked before it is read (default SOURCES_MAX_BYTES). */
  sourcesMaxBytes?: number;
  /**
   * The operator's SIGNAL_DESK_ALLOW_PRIVATE. When given, a URL whose host is a non-public IP literal not in
   * it is refused; `sources validate`, `run` and the live reload always give it. Readers that never fetch
   * (the desk's health pages) may leave it out: every fetch is checked again before it connects.
   */
  allowPrivate?: BlockList;
}

/**
 * Reads and validates a sources file. The file is refused whole when anything is wrong, and the
 * error lists every problem with its file, line, source id and field, so one run of
 * `signal-desk sources validate` shows all there is to fix.
 */
export async function loadSources(file: string, options: SourcesOptions = {}): Promise<Source[]> {
  const max = options.sourcesMaxBytes ?? SOURCES_MAX_BYTES;
  let text: string;
  try {
    text = await readCappedText(file, max, (size) => tooLarge(file, size, max));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError([{ file, message: `cannot read the sources file (${(err as NodeJS.ErrnoException).code ?? err}); set SIGNAL_DESK_SOURCES to its path` }], { cause: err });
  }
  return parseSources(text, file, options);
}

function tooLarge(file: string, size: number, max: number): ConfigError {
  return new ConfigError([{
    file,
    message: `the file is ${size > max + 1 ? `${size} bytes` : 'larger than the limit'}, over the ${max}-byte limit on the sources file (SIGNAL_DESK_SOURCES_MAX_BYTES); a sources file that large is most likely not one: check the path, or raise the limit`,
  }]);
}

/** Pure core of loadSources: YAML text in, validated sources out. */
export function parseSources(text: string, file: string, options: SourcesOptions = {}): Source[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => yamlIssue(file, e)));
  }
  const lineOf = (path: (string | number)[]) => lineOfPath(doc, lines, path);
  const envIssues: ConfigIssue[] = [];
  const data = interpolate(resolveAliases(doc, lines, file), [], (path, name) =>
    envIssues.push({ file, line: lineOf(path), field: path.slice(2).join('.') || undefined, message: `uses \${${name}}, but that environment variable is not set (give a default with \${${name}:-value})` }),
  );
  if (envIssues.length > 0) throw new ConfigError(envIssues);
  const top = SourcesFileSchema.safeParse(data);
  if (!top.success) {
    throw new ConfigError(top.error.issues.map((i) => toIssue(file, i, [], undefined, lineOf)));
  }

  const issues: ConfigIssue[] = [];
  const sources: Source[] = [];
  const seen = new Map<string, number>();
  top.data.sources.forEach((raw, index) => {
    const rawId = typeof raw === 'object' && raw && 'id' in raw && typeof raw.id === 'string' ? raw.id : `#${index + 1}`;
    const parsed = SourceSchema.safeParse(raw);
    if (!parsed.success) {
      for (const i of parsed.error.issues) issues.push(toIssue(file, i, ['sources', index], rawId, lineOf));
      return;
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined) {
      issues.push({
        file,
        line: lineOf(['sources', index, 'id']),
        sourceId: parsed.data.id,
        field: 'id',
        message: `is used twice (first at sources[${first}]); ids must be unique because schedules and de-duplication are keyed by them`,
      });
      return;
    }
    seen.set(parsed.data.id, index);
    const blocked = options.allowPrivate ? literalAddressProblem(parsed.data.url, options.allowPrivate) : undefined;
    if (blocked) {
      issues.push({ file, line: lineOf(['sources', index, 'url']), sourceId: parsed.data.id, field: 'url', message: blocked });
      return;
    }
    sources.push(parsed.data);
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return sources;
}

/**
 * A YAML syntax error as a located issue: the line goes in the issue (file:line), the column at the end of the message,
 * and the yaml library's " at line 4, column 1:" tail and its code excerpt are dropped (they left the message
 * ending in a dangling colon). Shared by the sources, rules and categories loaders.
 */
export function yamlIssue(file: string, error: Pick<YAMLError, 'message' | 'linePos'>): ConfigIssue {
  const pos = error.linePos?.[0];
  const text = error.message.split('\n')[0]!.replace(/\s+at line \d+, column \d+:?\s*$/, '').replace(/[\s:]+$/, '');
  return { file, line: pos?.line, message: `YAML syntax: ${text}${pos ? ` (column ${pos.col})` : ''}` };
}

function toIssue(
  file: string,
  issue: z.core.$ZodIssue,
  base: (string | number)[],
  sourceId: string | undefined,
  lineOf: (p: (string | number)[]) => number | undefined,
): ConfigIssue {
  const path = [...base, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  const field = issue.path.map(String).join('.') || undefined;
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const allowed = base.length > 0 ? allowedKeys(issue.path.map(String)) : ['sources'];
    message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; supported fields are ${allowed.join(', ')}`;
    return { file, line: lineOf([...path, issue.keys[0]!]), sourceId, field: field ?? issue.keys[0], message };
  }
  return { file, line: lineOf(path), sourceId, field, message };
}

function allowedKeys(path: string[]): string[] {
  if (path[0] === 'schedule') return ['every', 'cron', 'tz', 'min', 'max', 'adaptive'];
  if (path[0] === 'filters') return ['include', 'exclude'];
  return Object.keys(SourceSchema.shape);
}

/**
 * The document as plain data, refusing alias bombs ("billion laughs" in YAML) as config errors: yaml's own
 * maxAliasCount check, then a count of the values the aliases expand to (shared objects are walked once per
 * use, as everything after this point would).
 */
function resolveAliases(doc: Document, lines: LineCounter, file: string): unknown {
  const bomb = (message: string, cause?: unknown) => {
    let line: number | undefined;
    visit(doc, { Alias: (_key, node) => ((line = node.range ? lines.linePos(node.range[0]).line : undefined), visit.BREAK) });
    return new ConfigError([{ file, line, message: `${message}; a sources file needs few aliases (*name): write the entries out, or share smaller pieces` }], { cause });
  };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (err) {
    if (err instanceof ReferenceError) throw bomb(`YAML aliases are used too often (more than ${MAX_ALIAS_COUNT} resolutions, counting aliases inside aliases): this is how an "alias bomb" exhausts memory`, err);
    throw err;
  }
  let budget = MAX_EXPANDED_VALUES;
  const walk = (value: unknown): void => {
    if (--budget < 0) throw bomb(`the file expands to more than ${MAX_EXPANDED_VALUES} values once its YAML aliases are resolved`);
    if (Array.isArray(value)) for (const v of value) walk(v);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v);
  };
  walk(data);
  return data;
}

/** The line of the deepest YAML node that exists along `path` (a missing field points at its parent). */
export function lineOfPath(doc: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    if (n > 0) {
      // A key whose value is null still has a key node on the parent map.
      const parent = doc.getIn(path.slice(0, n - 1), true) as { items?: { key: { value?: unknown; range?: [number, number, number] } }[] } | undefined;
      const pair = parent?.items?.find((p) => p.key?.value === path[n - 1]);
      if (pair?.key.range) return lines.linePos(pair.key.range[0]).line;
    }
  }
  return undefined;
}

/** Replaces ${VAR} and ${VAR:-default} in string values with environment variables. */
function interpolate(value: unknown, path: (string | number)[], missing: (path: (string | number)[], name: string) => void): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
      const v = process.env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      missing(path, name);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, [...path, i], missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, [...path, k], missing)]));
  }
  return value;
}
