import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { loadSources } from '../../config/loadSources.ts';
import type { Settings } from '../../config/settings.ts';
import { toDraft, type DraftSource } from '../../drafts/toDraft.ts';
import type { DraftSignal } from '../../drafts/schema.ts';
import { ConfigError, formatConfigIssue, SignalDeskError } from '../../errors.ts';
import { parseFeed } from '../../parse/parseFeed.ts';
import { truncate } from '../../parse/text.ts';
import { createRedis } from '../../queue/connection.ts';
import { createKeys } from '../../queue/keys.ts';
import { getDraft, getDrafts } from '../../review/draftStore.ts';
import { loadRules } from '../../rules/loadRules.ts';
import { matchRules } from '../../rules/matchRules.ts';
import { toRuleInput } from '../../rules/ruleInput.ts';
import type { RuleInput, RuleOutcome, RuleSet } from '../../rules/types.ts';
import { requireRedis } from '../redis.ts';
import { formatTable } from '../table.ts';

type Out = NodeJS.WritableStream;

/** `rules validate [FILE]`: every problem with file, line, rule and field; exit 1 if any. */
export async function rulesValidateCommand(file: string, out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  try {
    const set = await loadRules(file);
    const count = (what: (r: RuleSet['rules'][number]) => boolean) => set.rules.filter(what).length;
    out.write(`${file}: ${set.rules.length} rule${set.rules.length === 1 ? '' : 's'} in force (${count((r) => r.boost !== 0)} boost, ${count((r) => r.tags.length > 0)} tag, ${count((r) => r.route !== null)} route, ${count((r) => r.drop)} drop), no problems\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const issue of e.issues) err.write(`${formatConfigIssue(issue)}\n`);
    err.write(`${e.issues.length} problem${e.issues.length === 1 ? '' : 's'}: the file is refused until all are fixed (the workers keep the rules they had)\n`);
    return 1;
  }
}

export interface RulesTestOptions {
  json?: boolean;
  /** For a feed file: the source id its items are taken as (its Category and tags from the sources file). */
  source?: string;
  limit: number;
}

interface Tested {
  id: string;
  headline: string;
  source: string;
  outcome: RuleOutcome;
}

/**
 * `rules test [ID|FILE]`: which rules hit which items, and what they would do; writes nothing. A draft id
 * (d_…) reads that draft; a file is a feed (RSS, Atom, RDF, JSON Feed) or items as JSON lines
 * ({"id","title","summary","source","category","lang"}); nothing tests the drafts waiting in the queue.
 */
export async function rulesTestCommand(settings: Settings, target: string | undefined, options: RulesTestOptions, out: Out = process.stdout): Promise<number> {
  const rules = await loadRules(settings.rulesFile);
  const items = target === undefined || /^d_[A-Za-z0-9_-]{16}$/.test(target) ? (await readDrafts(settings, target, options.limit)).map((d) => asItem(d, null)) : await readItems(settings, target, options);
  const tested: Tested[] = items.map((i) => ({ id: i.id, headline: i.input.headline, source: i.input.sourceId, outcome: matchRules(i.input, rules) }));
  if (options.json) {
    for (const t of tested) out.write(`${JSON.stringify({ id: t.id, headline: t.headline, source: t.source, ...t.outcome })}\n`);
    return 0;
  }
  const hitCount = new Map<string, number>(rules.rules.map((r) => [r.name, 0]));
  for (const t of tested) for (const name of new Set(t.outcome.hits.map((h) => h.rule))) hitCount.set(name, (hitCount.get(name) ?? 0) + 1);
  const rows = tested.map((t) => [t.id, t.source, truncate(t.headline, 50)!, [...new Set(t.outcome.hits.map((h) => h.rule))].join(', '), describeOutcome(t.outcome)]);
  out.write(`${formatTable(['item', 'source', 'headline', 'rules hit', 'outcome'], rows)}\n\n`);
  for (const t of tested) for (const h of t.outcome.hits) out.write(`${t.id}: ${h.rule} (${h.action}): ${h.detail}\n`);
  out.write(`\n${formatTable(['rule', 'items hit'], [...hitCount].map(([rule, n]) => [rule, n]))}\n`);
  const hit = tested.filter((t) => t.outcome.hits.length > 0).length;
  const dropped = tested.filter((t) => t.outcome.drop).length;
  out.write(`\n${hit} of ${tested.length} item${tested.length === 1 ? '' : 's'} hit a rule, ${dropped} would be dropped (${rules.rules.length} rules from ${settings.rulesFile}; dry run: nothing was written)\n`);
  return 0;
}

function describeOutcome(o: RuleOutcome): string {
  if (o.drop) return `dropped by ${o.drop}`;
  return [o.boost ? `${o.boost > 0 ? '+' : ''}${o.boost} points` : '', o.tags.length ? `tags ${o.tags.join(', ')}` : '', o.view ? `view ${o.view}` : ''].filter(Boolean).join('; ');
}

async function readDrafts(settings: Settings, id: string | undefined, limit: number): Promise<DraftSignal[]> {
  await requireRedis(settings.redisUrl);
  const redis = createRedis(settings.redisUrl);
  const keys = createKeys(settings.prefix);
  try {
    if (id) {
      const draft = await getDraft(redis, keys, id);
      if (!draft) throw new SignalDeskError('not_found', `no draft ${id} (see signal-desk review list)`);
      return [draft];
    }
    return await getDrafts(redis, keys, await redis.zrange(keys.review, 0, limit - 1, 'REV'));
  } finally {
    await redis.quit();
  }
}

const MAX_ITEM_BYTES = 20 * 1024 * 1024;

interface Item {
  id: string;
  input: RuleInput;
}

/** A draft as the rules see it; a file's language (feed or line) stands for the page's, which a file lacks. */
function asItem(draft: DraftSignal, lang: string | null): Item {
  const input = toRuleInput(draft);
  return { id: draft.id, input: lang ? { ...input, lang } : input };
}

async function readItems(settings: Settings, file: string, options: RulesTestOptions): Promise<Item[]> {
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch (err) {
    throw new SignalDeskError('not_found', `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? err}); give a draft id (d_…), a feed file or a JSON-lines items file`, { cause: err });
  }
  if (body.length > MAX_ITEM_BYTES) throw new SignalDeskError('too_large', `${file} is over ${MAX_ITEM_BYTES} bytes; test a smaller sample`);
  const sources = await loadSources(settings.sourcesFile, settings).catch(() => []);
  const sourceFor = (id: string): DraftSource => {
    const s = sources.find((x) => x.id === id);
    return s ? { id: s.id, name: s.name, url: s.url, weight: s.weight, category: s.category, tags: s.tags } : { id, name: id, url: 'https://file.invalid/', weight: 0.5, tags: [] };
  };
  const now = new Date().toISOString();
  if (/\.jsonl?$/i.test(file)) {
    return body
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim())
      .slice(0, options.limit)
      .map((line, n) => toItemDraft(parseLine(line, file, n + 1), sourceFor, options, now, n));
  }
  const feed = await parseFeed(body, {});
  const source = sourceFor(options.source ?? basename(file).replace(/\.[^.]*$/, ''));
  return feed.items.slice(0, options.limit).map((item) => asItem(toDraft(item, source, now), feed.feed.language));
}

interface ItemLine {
  id?: unknown;
  title?: unknown;
  headline?: unknown;
  summary?: unknown;
  excerpt?: unknown;
  source?: unknown;
  category?: unknown;
  lang?: unknown;
}

function parseLine(line: string, file: string, n: number): ItemLine {
  try {
    const v = JSON.parse(line) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as ItemLine;
  } catch {
    // reported below
  }
  throw new SignalDeskError('bad_input', `${file}:${n}: not a JSON object; each line is {"id","title","summary","source","category","lang"}`);
}

function toItemDraft(line: ItemLine, sourceFor: (id: string) => DraftSource, options: RulesTestOptions, now: string, n: number): Item {
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
  const source = sourceFor(str(line.source) ?? options.source ?? 'file');
  const title = str(line.title) ?? str(line.headline);
  const key = str(line.id) ?? `line-${n + 1}`;
  const draft = toDraft({ key, guid: key, url: null, title, author: null, publishedAt: null, updatedAt: null, categories: [], summary: str(line.summary) ?? str(line.excerpt) }, source, now);
  return asItem({ ...draft, id: key, category: str(line.category) ?? draft.category }, str(line.lang));
}
