import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseDocument, YAMLSeq } from 'yaml';
import { parseSources, type SourcesOptions } from './loadSources.ts';
import type { Source } from './sourceSchema.ts';

/** "Tom's Hardware — News" → "toms-hardware-news" (a valid source id), or undefined when nothing is left. */
export function slugify(text: string): string | undefined {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return slug || undefined;
}

/** `base`, or `base-2`, `base-3`… whichever is not taken. */
export function uniqueId(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * Appends sources to the sources file, keeping its comments and layout (yaml's Document API), after
 * validating the whole new file exactly as `run` would (given the same settings); the file is replaced atomically (write, rename),
 * so a running `run` never reads half a file. Returns the sources now in the file.
 */
export async function appendSources(file: string, entries: Record<string, unknown>[], options: SourcesOptions = {}): Promise<Source[]> {
  let text = 'sources: []\n';
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const doc = parseDocument(text);
  let list = doc.get('sources');
  if (!(list instanceof YAMLSeq)) {
    list = new YAMLSeq();
    doc.set('sources', list);
  }
  (list as YAMLSeq).flow = false;
  for (const e of entries) (list as YAMLSeq).add(doc.createNode(e));
  const next = doc.toString();
  const sources = parseSources(next, file, options);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, next);
  await rename(tmp, file);
  return sources;
}
