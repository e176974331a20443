import { readFile } from 'node:fs/promises';
import { SignalDeskError } from '../../errors.ts';
import { parseFeed } from '../../parse/parseFeed.ts';
import type { ParsedFeed } from '../../parse/types.ts';

/** One line of `signal-desk parse --json`: the parse contract operators and tests rely on. */
export interface ParseLine {
  file: string;
  ok: boolean;
  format: string | null;
  feed: ParsedFeed['feed'] | null;
  items: ParsedFeed['items'];
  /** Entries that could not be read at all (counted, never fatal). */
  skipped: number;
  /** Set when the feed was read although it is not well-formed XML (a warning, not a failure). */
  recovered: ParsedFeed['recovered'];
  error: { code: string; message: string } | null;
}

export async function parseFile(file: string, baseUrl?: string, contentLocation?: string): Promise<ParseLine> {
  try {
    const body = await readFile(file);
    const parsed = await parseFeed(body, { ...(baseUrl ? { url: baseUrl } : {}), ...(contentLocation ? { contentLocation } : {}) });
    return {
      file,
      ok: true,
      format: parsed.format,
      feed: parsed.feed,
      items: parsed.items.map((i) => ({ key: i.key, guid: i.guid, url: i.url, title: i.title, author: i.author, publishedAt: i.publishedAt, updatedAt: i.updatedAt, categories: i.categories, summary: i.summary })),
      skipped: parsed.skipped,
      recovered: parsed.recovered,
      error: null,
    };
  } catch (err) {
    const code = err instanceof SignalDeskError ? err.code : ((err as NodeJS.ErrnoException).code ?? 'error');
    return { file, ok: false, format: null, feed: null, items: [], skipped: 0, recovered: null, error: { code, message: (err as Error).message } };
  }
}

export async function parseCommand(files: string[], options: { url?: string; contentLocation?: string; json?: boolean }): Promise<number> {
  let failed = 0;
  for (const file of files) {
    const line = await parseFile(file, options.url, options.contentLocation);
    if (!line.ok) failed++;
    if (options.json) {
      process.stdout.write(`${JSON.stringify(line)}\n`);
    } else if (line.ok) {
      process.stdout.write(`${file}: ${line.format}, "${line.feed?.title ?? ''}", ${line.items.length} items\n`);
      if (line.recovered) process.stdout.write(`  warning ${line.recovered.code}: ${line.recovered.message}\n`);
      for (const i of line.items) process.stdout.write(`  ${i.publishedAt ?? '(no date)'}  ${i.title ?? '(no title)'}\n    ${i.url ?? '(no link)'}\n`);
    } else {
      process.stdout.write(`${file}: error ${line.error!.code}: ${line.error!.message}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}
