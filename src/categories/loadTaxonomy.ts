import { lineOfPath, yamlIssue } from '../config/loadSources.ts';
import { readCappedText } from '../config/readCappedText.ts';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { unmixLookAlikes } from '../entities/lookAlikes.ts';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { CATEGORY_FIELDS, CategorySchema, TaxonomyFileSchema } from './schema.ts';
import type { Taxonomy, TaxonomyCategory } from './types.ts';

/** Cap on the taxonomy file, checked before reading: 10,000 categories with a dozen keywords each fit in about 2 MB. */
export const TAXONOMY_MAX_BYTES = 8 * 1024 * 1024;
const MAX_ALIAS_COUNT = 1000;
const MAX_EXPANDED_VALUES = 2_000_000;

export const EMPTY_TAXONOMY: Taxonomy = { categories: [] };

/**
 * Reads and validates the taxonomy file (SIGNAL_DESK_CATEGORIES). An absent file is an empty taxonomy (no
 * suggestions from it; the classifier still learns). Anything wrong refuses the file whole, and the error lists
 * every problem with file, line, category and field.
 */
export async function loadTaxonomy(file: string, options: { maxBytes?: number } = {}): Promise<Taxonomy> {
  const max = options.maxBytes ?? TAXONOMY_MAX_BYTES;
  let text: string;
  try {
    text = await readCappedText(file, max, (size) => tooLarge(file, size, max));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_TAXONOMY;
    throw new ConfigError([{ file, message: `cannot read the categories file (${(err as NodeJS.ErrnoException).code ?? err}); set SIGNAL_DESK_CATEGORIES to its path` }], { cause: err });
  }
  return parseTaxonomy(text, file);
}

function tooLarge(file: string, size: number, max: number): ConfigError {
  return new ConfigError([{ file, message: `the file is ${size > max + 1 ? `${size} bytes` : 'larger than the limit'}, over the ${max}-byte limit on the categories file; check SIGNAL_DESK_CATEGORIES points at the taxonomy` }]);
}

/** Pure core of loadTaxonomy: YAML text in, validated taxonomy out (or a ConfigError naming every problem). */
export function parseTaxonomy(text: string, file: string): Taxonomy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => yamlIssue(file, e)));
  }
  const lineOf = (path: (string | number)[]) => lineOfPath(doc, lines, path);
  const data = toPlainData(doc, file) ?? { categories: [] };
  const top = TaxonomyFileSchema.safeParse(data);
  if (!top.success) throw new ConfigError(top.error.issues.map((i) => toIssue(file, i, [], undefined, lineOf)));

  const issues: ConfigIssue[] = [];
  const categories: TaxonomyCategory[] = [];
  const seen = new Map<string, number>();
  top.data.categories.forEach((raw, index) => {
    const rawName = raw && typeof raw === 'object' && 'name' in raw && typeof raw.name === 'string' ? raw.name : `#${index + 1}`;
    const parsed = CategorySchema.safeParse(raw);
    if (!parsed.success) {
      for (const i of parsed.error.issues) issues.push(toIssue(file, i, ['categories', index], rawName, lineOf));
      return;
    }
    // Look-alike letters inside a Latin name ("Сhips" with a Cyrillic С) are the same name to an editor.
    const key = unmixLookAlikes(parsed.data.name).toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push({ file, line: lineOf(['categories', index, 'name']), field: `categories[${index}].name`, message: `category "${parsed.data.name}" is listed twice (first at categories[${first}]); names must be unique, ignoring case` });
      return;
    }
    seen.set(key, index);
    categories.push({ name: parsed.data.name, keywords: unique(parsed.data.keywords), entities: unique(parsed.data.entities), defaultFor: unique(parsed.data.default_for) });
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return { categories };
}

function unique(list: string[]): string[] {
  const seen = new Set<string>();
  return list.filter((v) => {
    const k = v.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function toIssue(file: string, issue: z.core.$ZodIssue, base: (string | number)[], category: string | undefined, lineOf: (p: (string | number)[]) => number | undefined): ConfigIssue {
  const rel = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  const path = [...base, ...rel];
  const field = formatPath(path) || undefined;
  const who = category ? `category "${category}": ` : '';
  if (issue.code === 'unrecognized_keys') {
    const allowed = base.length > 0 ? CATEGORY_FIELDS : ['categories'];
    return { file, line: lineOf([...path, issue.keys[0]!]), field: formatPath([...path, issue.keys[0]!]), message: `${who}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; supported fields are ${allowed.join(', ')}` };
  }
  return { file, line: lineOf(path), field, message: `${who}${issue.message}` };
}

function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The document as plain data, refusing alias bombs (YAML "billion laughs") as config errors. */
function toPlainData(doc: Document, file: string): unknown {
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof ReferenceError) throw new ConfigError([{ file, message: `YAML aliases are used too often (more than ${MAX_ALIAS_COUNT} resolutions): write the categories out instead of sharing them with *aliases` }], { cause: err });
    throw err;
  }
  let budget = MAX_EXPANDED_VALUES;
  const walk = (value: unknown): void => {
    if (--budget < 0) throw new ConfigError([{ file, message: `the file expands to more than ${MAX_EXPANDED_VALUES} values once its YAML aliases are resolved; write the categories out instead` }]);
    if (Array.isArray(value)) for (const v of value) walk(v);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v);
  };
  walk(data);
  return data;
}

