import { resolve } from 'node:path';
import { readCappedText } from '../../config/readCappedText.ts';
import { appendSources, slugify, uniqueId } from '../../config/editSources.ts';
import { loadSources } from '../../config/loadSources.ts';
import { entryToSource, OpmlError, parseOpml, toOpml } from '../../config/opml.ts';
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

/** A feed that was announced (or is the URL itself, served as a feed) but could not be read, and why. */
export interface BrokenFeed {
  url: string;
  via: string;
  code: string;
  message: string;
}

export interface Discovery {
  /** Feeds that were fetched and parsed: what `sources add` offers. */
  found: Candidate[];
  /** Feeds the page announces (or the URL itself, when it is served as a feed) that failed: shown with why; `--force` adds one anyway. */
  broken: BrokenFeed[];
  /** Usual paths tried and what they answered (shown only when nothing was found). */
  misses: BrokenFeed[];
}

async function existingSources(file: string): Promise<Source[]> {
  try {
    return await loadSources(file);
  } catch (err) {
    if ((err as { issues?: { message: string }[] }).issues?.some((i) => i.message.startsWith('cannot read the sources file'))) return [];
    throw err;
  }
}

/** A response whose type says it is a feed (so a failure to parse it is a broken feed, not "a page"). */
const FEED_CONTENT_TYPE = /^(application\/(rss|atom|rdf)\+xml|application\/(feed\+)?json|application\/xml|text\/xml)\b/i;

/**
 * Finds the feeds of a site: the URL itself when it is a feed; else the feeds its page announces
 * (<link rel="alternate">); else the usual paths (/feed, /rss.xml, /atom.xml, /index.xml…). Each candidate
 * is fetched and parsed, so only feeds that really work are offered; the others are returned with the reason.
 * Nothing is printed here: the caller says what matters once the outcome is known (no stale failure line
 * after a success).
 */
export async function discover(settings: Settings, url: string): Promise<Discovery> {
  const agent = createGuardedAgent({ allowPrivate: settings.allowPrivate, connectTimeoutMs: Math.min(10_000, settings.fetchTimeoutMs) });
  const request = { userAgent: userAgent(settings.contactUrl), maxBytes: settings.maxBytes, timeoutMs: settings.fetchTimeoutMs, dispatcher: agent };
  const result: Discovery = { found: [], broken: [], misses: [] };
  const tryFeed = async (u: string, via: string): Promise<{ ok: Candidate } | { failed: BrokenFeed; feedType: boolean }> => {
    const r = await fetchAndParse({ ...request, url: u }, Date.now);
    if (r.parsed && r.response) return { ok: { url: r.response.movedTo ?? r.response.finalUrl, via, parsed: r.parsed } };
    return { failed: { url: r.response?.finalUrl ?? u, via, code: r.outcome.code, message: r.outcome.message }, feedType: FEED_CONTENT_TYPE.test(r.response?.headers['content-type'] ?? '') };
  };
  const seen = new Set<string>();
  const add = (c: Candidate) => {
    const key = normalizeUrl(c.url) ?? c.url;
    if (seen.has(key)) return;
    seen.add(key);
    result.found.push(c);
  };
  try {
    const page = await fetchFeed({ ...request, url, accept: 'text/html, application/rss+xml, application/atom+xml, application/feed+json;q=0.9, */*;q=0.5' });
    if (page.status >= 400) throw new SignalDeskError('fetch_failed', `${url} answered HTTP ${page.status}`);
    const itself = await tryFeed(page.finalUrl, 'the URL itself');
    if ('ok' in itself) {
      result.found.push(itself.ok);
      return result;
    }
    // The URL is a page (the usual case: say nothing about it), or a feed that does not parse (say why).
    if (itself.feedType) result.broken.push(itself.failed);
    for (const link of discoverFeedLinks(decodeBody(page.body, page.headers['content-type']).text, page.finalUrl)) {
      const r = await tryFeed(link.url, `<link rel="alternate" type="${link.type}">`);
      if ('ok' in r) add(r.ok);
      else result.broken.push(r.failed);
    }
    if (result.found.length > 0 || result.broken.length > 0) return result;
    for (const path of COMMON_FEED_PATHS) {
      const r = await tryFeed(new URL(path, page.finalUrl).href, `common path ${path}`);
      if ('ok' in r) {
        add(r.ok);
        break;
      }
      result.misses.push(r.failed);
    }
    return result;
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
  /** Add a feed that was announced but failed to fetch or parse (listed after the working ones). */
  force?: boolean;
}

/** The newest item by its date (published, else updated), for the "newest" column. */
export function newestItem(parsed: ParsedFeed): { date: string | null; title: string | null } | undefined {
  const dated = parsed.items.map((i) => ({ date: i.publishedAt ?? i.updatedAt ?? null, title: i.title }));
  return dated.sort((a, b) => (b.date ?? '').localeCompare(a.date ?? ''))[0];
}

type Offer = { url: string; via: string; parsed: ParsedFeed | null; broken?: BrokenFeed };

/** `sources add URL`: discover, show what each feed holds, write the chosen one (validated) to the sources file. */
export async function addCommand(settings: Settings, url: string, options: AddOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const file = settings.sourcesFile;
  const existing = await existingSources(file);
  const { found, broken, misses } = await discover(settings, url);
  const offers: Offer[] = [...found, ...(options.force ? broken.map((b) => ({ url: b.url, via: b.via, parsed: null, broken: b })) : [])];
  if (broken.length > 0 && !options.force) {
    err.write(`${broken.length === 1 ? 'a feed' : `${broken.length} feeds`} announced by ${url} could not be read:\n${broken.map((b) => `  ${b.url} (${b.via}): ${b.code}: ${b.message}`).join('\n')}\n${found.length === 0 ? 'fix the feed, or add it anyway with --force (its polls will fail until the site fixes it)' : '--force lists them too, to add one anyway'}\n`);
  }
  if (offers.length === 0) {
    if (broken.length > 0) return 1;
    err.write(`${url} announces no feed, so the usual paths were tried:\n${misses.map((m) => `  ${m.url}: ${m.code}`).join('\n')}\n`);
    err.write(`no feed found for ${url}: it neither is nor announces one, and none of ${COMMON_FEED_PATHS.join(', ')} is a feed.\nFor a site without a feed, add a kind: html source with CSS selectors (see README).\n`);
    return 1;
  }
  if (found.length > 0 && found[0]!.via.startsWith('common path')) err.write(`${url} announces no feed; trying the usual paths: ${found[0]!.via.slice('common path '.length)} is one\n`);
  out.write(
    `${formatTable(
      ['#', 'feed', 'format', 'title', 'items', 'newest', 'found by'],
      offers.map((c, i) => {
        if (!c.parsed) return [i + 1, c.url, 'broken', truncate(`${c.broken!.code}: ${c.broken!.message}`, 40)!, '', '', c.via];
        const newest = newestItem(c.parsed);
        return [i + 1, c.url, c.parsed.format + (c.parsed.version ? ` ${c.parsed.version}` : ''), truncate(c.parsed.feed.title, 40) ?? '', c.parsed.items.length, newest ? `${newest.date?.slice(0, 10) ?? ''} ${truncate(newest.title, 40) ?? ''}`.trim() : '', c.via];
      }),
    )}\n`,
  );
  const pick = options.pick ?? 1;
  const chosen = offers[pick - 1];
  if (!chosen) throw new SignalDeskError('bad_pick', `--pick ${pick}: there are ${offers.length} feeds; choose 1 to ${offers.length}`);
  const already = existing.find((s) => normalizeUrl(s.url) === normalizeUrl(chosen.url));
  if (already) {
    err.write(`${chosen.url} is already configured as "${already.id}" in ${file}; nothing written\n`);
    return 1;
  }
  const taken = new Set(existing.map((s) => s.id));
  if (options.id && taken.has(options.id)) throw new SignalDeskError('id_taken', `--id ${options.id}: that id is already used in ${file}; choose another`);
  // An untitled feed's title is its site link (parse/parseFeed.ts): its host names it better.
  const title = chosen.parsed?.feed.title;
  const name = options.name ?? (title && title !== chosen.parsed?.feed.link ? title : undefined) ?? new URL(chosen.url).hostname;
  const id = options.id ?? uniqueId(slugify(name) ?? slugify(new URL(chosen.url).hostname) ?? 'source', taken);
  const entry = { id, name, url: chosen.url, ...(options.category ? { category: options.category } : {}) };
  if (options.dryRun) {
    out.write(`\nwould add to ${file} (dry run):\n  - ${JSON.stringify(entry)}\n`);
    return 0;
  }
  await appendSources(file, [entry], settings);
  const forced = chosen.broken ? ` although it does not read now (${chosen.broken.code}: --force); \`signal-desk sources status\` shows its polls` : '';
  out.write(`\nadded "${id}" (${chosen.url}) to ${file}${forced}${offers.length > 1 ? `; --pick N chooses another of the ${offers.length}` : ''}. A running \`signal-desk run\` picks it up by itself.\n`);
  return 0;
}

/** An OPML file is refused past this size (a subscription list of 10,000 feeds is about 2 MB). */
export const OPML_MAX_BYTES = 10 * 1024 * 1024;

/** `sources import FILE.opml`: adds each subscription not configured yet; reports what was skipped and why. */
export async function importCommand(settings: Settings, opmlFile: string, options: { dryRun?: boolean }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const where = resolve(opmlFile);
  let text: string;
  try {
    text = await readCappedText(opmlFile, OPML_MAX_BYTES, (size) => new SignalDeskError('too_large', `${where}: ${size} bytes; an OPML file may have at most ${OPML_MAX_BYTES} bytes`));
  } catch (e) {
    if (e instanceof SignalDeskError) throw e;
    throw new SignalDeskError('unreadable', `cannot read ${where}: ${errorMessage(e)}`);
  }
  let parsed: ReturnType<typeof parseOpml>;
  try {
    parsed = parseOpml(text);
  } catch (e) {
    if (e instanceof OpmlError) throw new SignalDeskError('bad_opml', `${where}:${e.line}:${e.column}: ${e.message.replace(/^line \d+, column \d+: /, '')}; nothing imported`);
    throw e;
  }
  const existing = await existingSources(settings.sourcesFile);
  const taken = new Set(existing.map((s) => s.id));
  const urls = new Map(existing.map((s) => [normalizeUrl(s.url) ?? s.url, s.id]));
  const skipped = [...parsed.skipped];
  const entries: Record<string, unknown>[] = [];
  const nextSuffix = new Map<string, number>();
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
    const wanted = (e.id && slugify(e.id) === e.id ? e.id : undefined) ?? slugify(e.title ?? '') ?? slugify(new URL(e.xmlUrl).hostname) ?? 'source';
    const id = uniqueId(wanted, taken, nextSuffix);
    const checked = entryToSource(e, id);
    if ('problem' in checked) {
      skipped.push({ title: e.title, reason: checked.problem });
      continue;
    }
    taken.add(id);
    urls.set(key, id);
    entries.push(checked.source);
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
