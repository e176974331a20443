import { readFile } from 'node:fs/promises';
import type { BlockList } from 'node:net';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { literalAddressProblem } from '../fetch/address.ts';
import { SourceSchema, SourcesFileSchema, type Source } from './sourceSchema.ts';

export interface SourcesOptions {
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
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, message: `cannot read the sources file (${(err as NodeJS.ErrnoException).code ?? err}); set SIGNAL_DESK_SOURCES to its path` }], { cause: err });
  }
  return parseSources(text, file, options);
}

/** Pure core of loadSources: YAML text in, validated sources out. */
export function parseSources(text: string, file: string, options: SourcesOptions = {}): Source[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({ file, line: e.linePos?.[0]?.line, message: `YAML syntax: ${e.message.split('\n')[0]}` })),
    );
  }
  const lineOf = (path: (string | number)[]) => lineOfPath(doc, lines, path);
  const envIssues: ConfigIssue[] = [];
  const data = interpolate(doc.toJS() ?? {}, [], (path, name) =>
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
  if (path[0] === 'schedule') return ['every', 'cron', 'tz'];
  if (path[0] === 'filters') return ['include', 'exclude'];
  return Object.keys(SourceSchema.shape);
}

/** The line of the deepest YAML node that exists along `path` (a missing field points at its parent). */
function lineOfPath(doc: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
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
