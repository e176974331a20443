import { readFile } from 'node:fs/promises';
import { appendSources, slugify, uniqueId } from '../../config/editSources.ts';
import { loadSources } from '../../config/loadSources.ts';
import { parseOpml, toOpml } from '../../config/opml.ts';
import type { Source } from '../../config/sourceSchema.ts';
import type { Settings } from '../../config/settings.ts';
import { SignalDeskError, errorMessage } from '../../errors.ts';
import { COMMON_FEED_PATHS, discoverFeedLinks } from '../../extract/discoverFeeds.ts';
import { fetchFeed } from '../../fetch/fetchFeed.ts';
import { createGuardedAgent } from '../../fetch/guardedAgent.ts';
import { literalAddressProblem } from '../../fetch/address.ts';
import { userAgent } from '../../fetch/userAgent.ts';
import { decodeBody } from '../../parse/decodeBody.ts';
import { normalizeUrl } from '../../dedupe/normalizeUrl.ts';
import { truncate } from '../../parse/text.ts';
import type { ParsedFeed } from '../../parse/types.ts';
import { fetchAndParse } from '../../../workers/fetchAndParse.ts';
import { formatTable } from '../table.ts';

export interface Candidate {
  url: string;
  via: string;
  parsed: ParsedFeed;
}

async function existingSources(file: string): Promise<Source[]> {
  try {
    return await loadSources(file);
  } catch (err) {
    if ((err as { issues?: { message: string }[] }).issues?.some((i) => i.message.startsWith('cannot read the sources file'))) return [];
    throw err;
  }
}

/**
 * Finds the feeds of a site: the URL itself when it is a feed; else the feeds its page announces
 * (<link rel="alternate">); else the usual paths (/feed, /rss.xml, /atom.xml, /index.xml…). Each candidate
 * is fetched and parsed, so only feeds that really work are offered.
 */
export async function discover(settings: Settings, url: string, log: (line: string) => void): Promise<Candidate[]> {
  const agent = createGuardedAgent({ allowPrivate: settings.allowPrivate, connectTimeoutMs: Math.min(10_000, settings.fetchTimeoutMs) });
  const request = { userAgent: userAgent(settings.contactUrl), maxBytes: settings.maxBytes, timeoutMs: settings.fetchTimeoutMs, dispatcher: agent };
  const tryFeed = async (u: string, via: string): Promise<Candidate | undefined> => {
    const r = await fetchAndParse({ ...request, url: u }, Date.now);
    if (r.parsed && r.response) return { url: r.response.movedTo ?? r.response.finalUrl, via, parsed: r.parsed };
    log(`  ${u}: ${r.outcome.code} (${r.outcome.message})`);
    return undefined;
  };
  try {
    const page = await fetchFeed({ ...request, url, accept: 'text/html, application/rss+xml, application/atom+xml, application/feed+json;q=0.9, */*;q=0.5' });
    if (page.status >= 400) throw new SignalDeskError('fetch_failed', `${url} answered HTTP ${page.status}`);
    const itself = await tryFeed(page.finalUrl, 'the URL itself');
    if (itself) return [itself];
    const found: Candidate[] = [];
    const seen = new Set<string>();
    const add = (c: Candidate | undefined) => {
      if (c && !seen.has(normalizeUrl(c.url) ?? c.url)) {
        seen.add(normalizeUrl(c.url) ?? c.url);
        found.push(c);
      }
    };
    for (const link of discoverFeedLinks(decodeBody(page.body, page.headers['content-type']).text, page.finalUrl)) add(await tryFeed(link.url, `<link rel="alternate" type="${link.type}">`));
    if (found.length > 0) return found;
    log(`${url} announces no feed; trying the usual paths`);
    for (const path of COMMON_FEED_PATHS) {
      add(await tryFeed(new URL(path, page.finalUrl).href, `common path ${path}`));
      if (found.length > 0) break;
    }
    return found;
  } catch (err) {
    if (err instanceof SignalDeskError) throw err;
    throw new SignalDeskError('fetch_failed', `cannot fetch ${url}: ${errorMessage(err)}`, { cause: err });
  } finally {
    await agent.close();
  }
}

export interface AddOptions {
  id?: string;
  name?: string;
  pick?: number;
  category?: string;
  dryRun?: boolean;
}

/** `sources add URL`: discover, show what each feed holds, write the chosen one (validated) to the sources file. */
export async function addCommand(settings: Settings, url: string, options: AddOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const file = settings.sourcesFile;
  const existing = await existingSources(file);
  const candidates = await discover(settings, url, (line) => err.write(`${line}\n`));
  if (candidates.length === 0) {
    err.write(`no feed found for ${url}: it neither is nor announces one, and none of ${COMMON_FEED_PATHS.join(', ')} is a feed.\nFor a site without a feed, add a kind: html source with CSS selectors (see README).\n`);
    return 1;
  }
  out.write(
    `${formatTable(
      ['#', 'feed', 'format', 'title', 'items', 'newest', 'found by'],
      candidates.map((c, i) => {
        const newest = [...c.parsed.items].sort((a, b) => (b.publishedAt ?? '').localeCompare(a.publishedAt ?? ''))[0];
        return [i + 1, c.url, c.parsed.format + (c.parsed.version ? ` ${c.parsed.version}` : ''), truncate(c.parsed.feed.title, 40) ?? '', c.parsed.items.length, newest ? `${newest.publishedAt?.slice(0, 10) ?? ''} ${truncate(newest.title, 40) ?? ''}`.trim() : '', c.via];
      }),
    )}\n`,
  );
  const pick = options.pick ?? 1;
  const chosen = candidates[pick - 1];
  if (!chosen) throw new SignalDeskError('bad_pick', `--pick ${pick}: there are ${candidates.length} feeds; choose 1 to ${candidates.length}`);
  const already = existing.find((s) => normalizeUrl(s.url) === normalizeUrl(chosen.url));
  if (already) {
    err.write(`${chosen.url} is already configured as "${already.id}" in ${file}; nothing written\n`);
    return 1;
  }
  const taken = new Set(existing.map((s) => s.id));
  if (options.id && taken.has(options.id)) throw new SignalDeskError('id_taken', `--id ${options.id}: that id is already used in ${file}; choose another`);
  const name = options.name ?? chosen.parsed.feed.title ?? new URL(chosen.url).hostname;
  const id = options.id ?? uniqueId(slugify(name) ?? slugify(new URL(chosen.url).hostname) ?? 'source', taken);
  const entry = { id, name, url: chosen.url, ...(options.category ? { category: options.category } : {}) };
  if (options.dryRun) {
    out.write(`\nwould add to ${file} (dry run):\n  - ${JSON.stringify(entry)}\n`);
    return 0;
  }
  await appendSources(file, [entry], settings);
  out.write(`\nadded "${id}" (${chosen.url}) to ${file}${candidates.length > 1 ? `; --pick N chooses another of the ${candidates.length}` : ''}. A running \`signal-desk run\` picks it up by itself.\n`);
  return 0;
}

/** `sources import FILE.opml`: adds each subscription not configured yet; reports what was skipped and why. */
export async function importCommand(settings: Settings, opmlFile: string, options: { dryRun?: boolean }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let text: string;
  try {
    text = await readFile(opmlFile, 'utf8');
  } catch (e) {
    throw new SignalDeskError('unreadable', `cannot read ${opmlFile}: ${errorMessage(e)}`);
  }
  let parsed: ReturnType<typeof parseOpml>;
  try {
    parsed = parseOpml(text);
  } catch (e) {
    throw new SignalDeskError('bad_opml', `${opmlFile}: ${errorMessage(e)}`);
  }
  const existing = await existingSources(settings.sourcesFile);
  const taken = new Set(existing.map((s) => s.id));
  const urls = new Map(existing.map((s) => [normalizeUrl(s.url) ?? s.url, s.id]));
  const skipped = [...parsed.skipped];
  const entries: Record<string, unknown>[] = [];
  for (const e of parsed.entries) {
    const key = normalizeUrl(e.xmlUrl) ?? e.xmlUrl;
    const dup = urls.get(key);
    const blocked = literalAddressProblem(e.xmlUrl, settings.allowPrivate);
    if (blocked) {
      skipped.push({ title: e.title, reason: blocked });
      continue;
    }
    if (dup) {
      skipped.push({ title: e.title, reason: `${e.xmlUrl} is already configured as "${dup}"` });
      continue;
    }
    const wanted = e.id ?? slugify(e.title ?? '') ?? slugify(new URL(e.xmlUrl).hostname) ?? 'source';
    const id = e.id && !taken.has(e.id) ? e.id : uniqueId(wanted, taken);
    taken.add(id);
    urls.set(key, id);
    entries.push({ id, name: e.title ?? new URL(e.xmlUrl).hostname, url: e.xmlUrl, ...(e.tags.length ? { tags: e.tags } : {}), ...(e.category ? { category: e.category } : {}), ...(e.weight !== null ? { weight: e.weight } : {}) });
  }
  if (entries.length > 0 && !options.dryRun) await appendSources(settings.sourcesFile, entries, settings);
  out.write(`${options.dryRun ? 'would import' : 'imported'} ${entries.length} source${entries.length === 1 ? '' : 's'} into ${settings.sourcesFile}${entries.length ? `: ${entries.map((e) => e.id).join(', ')}` : ''}\n`);
  if (skipped.length) out.write(`skipped ${skipped.length}:\n${skipped.map((s) => `  ${s.title ?? '(untitled)'}: ${s.reason}`).join('\n')}\n`);
  return 0;
}

/** `sources export`: OPML 2.0 on stdout. */
export async function exportCommand(settings: Settings, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  out.write(toOpml(await loadSources(settings.sourcesFile), new Date()));
  return 0;
}
