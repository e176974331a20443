import { constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { access, chmod, chown, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { dirname, resolve } from 'node:path';
import { isMap, parseDocument, YAMLSeq, type Document } from 'yaml';
import { SignalDeskError } from '../errors.ts';
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

/**
 * `base`, or `base-2`, `base-3`… whichever is not taken. `next` remembers where each base's search stopped,
 * so naming thousands of sources of one title (an OPML import) stays linear instead of quadratic.
 */
export function uniqueId(base: string, taken: Set<string>, next?: Map<string, number>): string {
  if (!taken.has(base)) return base;
  for (let n = next?.get(base) ?? 2; ; n++) {
    if (taken.has(`${base}-${n}`)) continue;
    next?.set(base, n + 1);
    return `${base}-${n}`;
  }
}

/**
 * Appends sources to the sources file, keeping its comments and layout (yaml's Document API), after
 * validating the whole new file exactly as `run` would (given the same settings); the file is replaced atomically (write, rename),
 * so a running `run` never reads half a file. Returns the sources now in the file.
 */
export async function appendSources(file: string, entries: Record<string, unknown>[], options: SourcesOptions = {}): Promise<Source[]> {
  return withSourcesLock(file, () => appendLocked(file, entries, options));
}

async function appendLocked(file: string, entries: Record<string, unknown>[], options: SourcesOptions): Promise<Source[]> {
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
  return writeValidated(file, doc.toString(), options);
}

/**
 * The file an edit replaces: the target of a symlinked sources file (a deployment's `config/sources.yaml ->
 * /etc/signal-desk/sources.yaml`), so the rename lands on it and the link stays a link; the path itself when
 * there is no file yet.
 */
async function editTarget(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return resolve(file);
    throw err;
  }
}

/**
 * Validates the new text exactly as `run` would, then replaces the file atomically (write, rename): beside
 * the real file (through a symlink), with the file's own permissions (a 0640 file does not become 0644) and owner.
 */
async function writeValidated(file: string, next: string, options: SourcesOptions): Promise<Source[]> {
  const sources = parseSources(next, file, options);
  const target = await editTarget(file);
  const before = await stat(target).catch(() => undefined);
  const mode = before ? before.mode & 0o7777 : undefined;
  const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, next, mode === undefined ? {} : { mode });
  if (mode !== undefined) await chmod(tmp, mode);
  // Run as root (the compose image), the replacement would be root's: the operator's own file, in a checkout
  // mounted into the container, would no longer be theirs to edit. It keeps its owner.
  if (before && process.getuid?.() === 0 && (before.uid !== 0 || before.gid !== 0)) await chown(tmp, before.uid, before.gid);
  await rename(tmp, target);
  return sources;
}

/** A lock whose holder stopped refreshing it this long ago is taken over (its holder died while editing). */
const LOCK_STALE_MS = 30_000;

/**
 * Runs `fn` holding the sources file's lock (proper-lockfile: `<file>.lock`, refreshed while held, taken over
 * when stale): edits of the sources file, from this process or another (`sources add` in a shell while an
 * operator disables a source on the desk), read and write one at a time, so none is lost. Waits about 10 s
 * for another edit.
 */
export async function withSourcesLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  // The real file's lock: two paths to one file (a symlink and its target) are one edit at a time.
  const path = await editTarget(file);
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(path, { realpath: false, stale: LOCK_STALE_MS, retries: { retries: 100, minTimeout: 20, maxTimeout: 100, randomize: true } });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    throw new SignalDeskError('sources_locked', `another edit of ${path} holds its lock (${path}.lock); try again in a moment (a lock its holder stopped refreshing ${LOCK_STALE_MS / 1000} s ago is taken over)`, { cause: err });
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

/**
 * Why this process cannot edit the sources file, in words for the operator; undefined when it can. The
 * desk may run where the file is absent or mounted read-only (another machine, a container): then the
 * edit is made where `run` reads it.
 */
export async function sourcesFileProblem(file: string): Promise<string | undefined> {
  const path = await editTarget(file);
  try {
    await access(path, constants.R_OK | constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `there is no sources file at ${path} in this process (SIGNAL_DESK_SOURCES)`;
    return `${path} is read-only for this process (${code})`;
  }
  try {
    // The edit is written beside the file and renamed over it: the directory must be writable too.
    await access(dirname(path), constants.W_OK);
  } catch (err) {
    return `${dirname(path)} is read-only for this process (${(err as NodeJS.ErrnoException).code}), so ${path} cannot be replaced`;
  }
  return undefined;
}

/** The sources list of a parsed file and the index of source `id` in it (-1 when absent). */
function findSource(doc: Document, id: string): { list: YAMLSeq | undefined; index: number } {
  const list = doc.get('sources');
  if (!(list instanceof YAMLSeq)) return { list: undefined, index: -1 };
  const index = list.items.findIndex((item) => isMap(item) && item.get('id') === id);
  return { list, index };
}

async function editSource(file: string, id: string, options: SourcesOptions, edit: (doc: Document, list: YAMLSeq, index: number) => boolean): Promise<{ changed: boolean; sources: Source[] }> {
  const problem = await sourcesFileProblem(file);
  if (problem) throw new SignalDeskError('sources_read_only', `${problem}: edit it where \`signal-desk run\` reads it (e.g. \`signal-desk sources disable ID\` there)`);
  return withSourcesLock(file, () => editLocked(file, id, options, edit));
}

async function editLocked(file: string, id: string, options: SourcesOptions, edit: (doc: Document, list: YAMLSeq, index: number) => boolean): Promise<{ changed: boolean; sources: Source[] }> {
  const text = await readFile(file, 'utf8');
  const doc = parseDocument(text);
  const { list, index } = findSource(doc, id);
  if (!list || index === -1) throw new SignalDeskError('unknown_source', `no source "${id}" in ${resolve(file)}`);
  if (!edit(doc, list, index)) return { changed: false, sources: parseSources(text, file, options) };
  return { changed: true, sources: await writeValidated(file, doc.toString(), options) };
}

/**
 * Sets a source's `enabled` in the sources file, comments and layout kept, validated like `appendSources`:
 * `enabled: false` written on disable; the line removed on enable (true is the default). Returns whether
 * the file changed.
 */
export async function setSourceEnabled(file: string, id: string, enabled: boolean, options: SourcesOptions = {}): Promise<{ changed: boolean; sources: Source[] }> {
  return editSource(file, id, options, (_doc, list, index) => {
    const item = list.items[index] as import('yaml').YAMLMap;
    const now = item.get('enabled');
    if ((now !== false) === enabled) return false;
    if (enabled) item.delete('enabled');
    else item.set('enabled', false);
    return true;
  });
}

/** Removes a source from the sources file (its own comment lines go with it), the rest kept as it was. */
export async function removeSource(file: string, id: string, options: SourcesOptions = {}): Promise<{ changed: boolean; sources: Source[] }> {
  return editSource(file, id, options, (_doc, list, index) => {
    const [removed] = list.items.splice(index, 1);
    // A comment above the first source may be the list's own header: keep it on the next item.
    const before = (removed as { commentBefore?: string | null }).commentBefore;
    const next = list.items[index] as { commentBefore?: string | null } | undefined;
    if (index === 0 && before && next && !next.commentBefore) next.commentBefore = before;
    return true;
  });
}
