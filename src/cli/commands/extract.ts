import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { decodePage } from '../../article/decodePage.ts';
import { extractArticle } from '../../article/extractArticle.ts';
import type { ArticleMetadata } from '../../article/types.ts';
import { SignalDeskError } from '../../errors.ts';

/** The page URL used when none is given: relative links then resolve against a placeholder, never the real web. */
export const DEFAULT_PAGE_URL = 'https://page.invalid/';
const MAX_PAGE_BYTES = 50 * 1024 * 1024;

/** One line of `signal-desk extract --jsonl`: the measurement contract of ../shared/tools/metadata_check.py. */
export interface ExtractLine {
  file: string | null;
  url: string | null;
  title: string | null;
  description: string | null;
  author: string | null;
  publishedAt: string | null;
  siteName: string | null;
  lang: string | null;
  canonicalUrl: string | null;
  image: string | null;
  error?: string;
  _ms?: number;
}

/**
 * The page's bytes. The file is opened without blocking and judged before it is read: a FIFO, a socket or a
 * device (which could block the manifest forever or never end) and a directory are refused, and so is a file
 * over the cap, by its size, before a byte of it is in memory (a 1.5 GB file was read whole, then refused).
 */
async function readPageFile(file: string): Promise<Buffer> {
  const unreadable = (err: unknown) =>
    new SignalDeskError('extract_unreadable', `${file}: cannot read the page (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path`, { cause: err });
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw unreadable(err);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw unreadable(Object.assign(new Error('a directory'), { code: 'EISDIR' }));
    if (!info.isFile()) throw new SignalDeskError('extract_not_a_file', `${file}: not a regular file (a FIFO, socket or device is not read); give a saved page`);
    if (info.size > MAX_PAGE_BYTES) throw new SignalDeskError('extract_too_large', `${file}: ${info.size} bytes is over the ${MAX_PAGE_BYTES}-byte page cap`);
    // Read at most one byte past the cap: a file that grew since stat is still refused, never read on.
    const buf = Buffer.alloc(Math.min(info.size, MAX_PAGE_BYTES) + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got === buf.length) break;
    }
    if (got > MAX_PAGE_BYTES) throw new SignalDeskError('extract_too_large', `${file}: over the ${MAX_PAGE_BYTES}-byte page cap`);
    return buf.subarray(0, got);
  } catch (err) {
    throw err instanceof SignalDeskError ? err : unreadable(err);
  } finally {
    await handle.close();
  }
}

export async function extractFile(file: string, url?: string | null): Promise<ArticleMetadata> {
  const bytes = await readPageFile(file);
  const m = extractArticle(decodePage(bytes).text, url ?? DEFAULT_PAGE_URL);
  // Without --url the page's own address is unknown: the placeholder is not its canonical.
  if (!url && m.canonicalUrl?.rule === 'page-url') delete m.canonicalUrl;
  return m;
}

export function toLine(file: string | null, url: string | null, m: ArticleMetadata): ExtractLine {
  return {
    file,
    url,
    title: m.title?.value ?? null,
    description: m.description?.value ?? null,
    author: m.authors?.value.join('; ') || null,
    publishedAt: m.publishedAt?.value ?? null,
    siteName: m.siteName?.value ?? null,
    lang: m.lang?.value ?? null,
    canonicalUrl: m.canonicalUrl?.value ?? null,
    image: m.image?.value ?? null,
  };
}

const emptyLine = (file: string | null, url: string | null, error: string): ExtractLine => ({
  file, url, title: null, description: null, author: null, publishedAt: null, siteName: null, lang: null, canonicalUrl: null, image: null, error,
});

/** `extract --jsonl`: one manifest line `{"file", "url"}` in, one result line out, in order; a bad line gets an `error`, never a missing line. */
export async function extractJsonl(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<number> {
  let failed = 0;
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
    if (!raw.trim()) continue;
    let file: string | null = null;
    let url: string | null = null;
    let line: ExtractLine;
    try {
      const req = JSON.parse(raw) as { file?: unknown; url?: unknown };
      file = typeof req?.file === 'string' ? req.file : null;
      url = typeof req?.url === 'string' ? req.url : null;
      if (file === null) throw new SignalDeskError('extract_bad_manifest', 'manifest line has no "file" string');
      const started = performance.now();
      const m = await extractFile(file, url);
      line = { ...toLine(file, url, m), _ms: Math.round((performance.now() - started) * 100) / 100 };
    } catch (err) {
      failed++;
      const message = err instanceof SyntaxError ? `manifest line is not JSON: ${err.message}` : (err as Error).message;
      line = emptyLine(file, url, message);
    }
    if (!output.write(`${JSON.stringify(line)}\n`)) await new Promise((r) => output.once('drain', r));
  }
  return failed > 0 ? 1 : 0;
}

const FIELDS: Array<[keyof ArticleMetadata, string]> = [
  ['title', 'title'], ['description', 'description'], ['authors', 'authors'], ['publishedAt', 'published'], ['modifiedAt', 'modified'],
  ['siteName', 'site'], ['lang', 'language'], ['canonicalUrl', 'canonical'], ['ampUrl', 'AMP'], ['image', 'image'], ['section', 'section'],
  ['keywords', 'keywords'], ['type', 'type'], ['isAccessibleForFree', 'free to read'], ['wordCount', 'words'],
];

export async function extractCommand(file: string | undefined, opts: { url?: string; json?: boolean; jsonl?: boolean }): Promise<number> {
  if (opts.jsonl) return extractJsonl(process.stdin, process.stdout);
  if (!file) throw new SignalDeskError('extract_no_file', 'extract: give a page file (signal-desk extract page.html --url https://…), or --jsonl to read a manifest on stdin');
  const m = await extractFile(file, opts.url);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ file, url: opts.url ?? null, ...m })}\n`);
    return 0;
  }
  const lines = [`${file}${opts.url ? ` (${opts.url})` : ''}`];
  for (const [key, label] of FIELDS) {
    const f = m[key] as { value: unknown; rule: string } | undefined;
    const value = f === undefined ? '—' : Array.isArray(f.value) ? f.value.join('; ') : String(f.value);
    lines.push(`  ${label.padEnd(13)} ${value}${f ? `   [${f.rule}]` : ''}`);
  }
  const r = m.robots;
  lines.push(`  ${'robots'.padEnd(13)} ${r.applied.length ? r.applied.join('; ') : 'no directives'}`);
  for (const i of m.ignored ?? []) lines.push(`  ignored       ${i}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
