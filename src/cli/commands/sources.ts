import { loadSources } from '../../config/loadSources.ts';
import type { Source } from '../../config/sourceSchema.ts';
import type { Settings } from '../../config/settings.ts';
import { ConfigError, formatConfigIssue } from '../../errors.ts';
import { createGuardedAgent } from '../../fetch/guardedAgent.ts';
import { userAgent } from '../../fetch/userAgent.ts';
import { describeSkipCounts, skipReason } from '../../drafts/skipReason.ts';
import { toDraft } from '../../drafts/toDraft.ts';
import { truncate } from '../../parse/text.ts';
import { fetchAndParse } from '../../../workers/fetchAndParse.ts';
import { formatAge, formatTable } from '../table.ts';
import { requireRedis } from '../redis.ts';
import { createRedis, pingRedis } from '../../queue/connection.ts';
import { createKeys, type Keys } from '../../queue/keys.ts';
import type { RedisClient } from '../../redisClient.ts';
import { digestSources, shortHash } from '../../config/appliedSources.ts';
import { createQueues } from '../../queue/queues.ts';
import { userInfo } from 'node:os';
import type { Actor } from '../../auth/roles.ts';
import { formatUtc, systemClock } from '../../clock.ts';
import { DeskError } from '../../errors.ts';
import { runSourceAction } from '../../sources/sourceActions.ts';
import { readSourceActions, type SourceAction } from '../../sources/sourceAudit.ts';
import { readHealth } from '../../schedule/healthStore.ts';
import { describeConfigured, describeSchedule, type ScheduleView } from '../../schedule/describeSchedule.ts';
import { readSourceState } from '../../fetch/sourceState.ts';
import { fetchRobotsFile, isAllowedByRobots } from '../../fetch/robots.ts';
import { previewEnrichment, previewRows } from '../../enrich/previewEnrichment.ts';

export async function validateCommand(settings: Settings): Promise<number> {
  const file = settings.sourcesFile;
  try {
    const sources = await loadSources(file, settings);
    process.stdout.write(`${file}: ${sources.length} sources, ${sources.filter((s) => s.enabled).length} enabled, no problems\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const issue of err.issues) process.stderr.write(`${formatConfigIssue(issue)}\n`);
    process.stderr.write(`${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}: the file is refused until all are fixed\n`);
    return 1;
  }
}

/**
 * `sources list`: the configured sources, each with its schedule as configured, the interval in force and why
 * (read from Redis when one answers; without it the list still shows the configuration, and says so).
 */
export async function listCommand(sources: Source[], options: { json?: boolean }, settings?: Settings, out: NodeJS.WritableStream = process.stdout, now = Date.now()): Promise<number> {
  const schedules = settings ? await readSchedules(settings, sources, now) : undefined;
  if (options.json) {
    out.write(`${JSON.stringify(sources.map((s) => ({ ...s, ...(schedules ? { scheduling: schedules.get(s.id) } : {}) })))}\n`);
    return 0;
  }
  const rows = sources.map((s) => {
    const v = schedules?.get(s.id);
    return [s.id, s.name, s.kind, describeConfigured(s), v?.inForce ?? '', truncate(v?.reason.text ?? '', 72)!, v?.due ?? '', s.enabled ? 'yes' : 'no', s.weight.toFixed(2), s.url];
  });
  out.write(`${formatTable(['id', 'name', 'kind', 'schedule', 'in force', 'why', 'next', 'enabled', 'weight', 'url'], rows)}\n`);
  if (settings && !schedules) process.stderr.write(`(no Redis answers at ${settings.redisUrl}: the interval in force and why are not shown)\n`);
  return 0;
}

/** Each source's schedule as the polls left it, or undefined when no Redis answers (the list works without one). */
async function readSchedules(settings: Settings, sources: Source[], now: number): Promise<Map<string, ScheduleView> | undefined> {
  if (!settings.redisUrl.startsWith('redis+cluster://') && !(await pingRedis(settings.redisUrl))) return undefined;
  const redis = createRedis(settings.redisUrl);
  try {
    const keys = createKeys(settings.prefix);
    const states = await Promise.all(sources.map((s) => readSourceState(redis, keys, s.id)));
    return new Map(sources.map((s, i) => [s.id, describeSchedule(s, states[i]!, now)]));
  } finally {
    await redis.quit();
  }
}

/** A dry run of one source: fetch, parse, filter and show the drafts it would make. Writes nothing. */
export async function testCommand(settings: Settings, sources: Source[], id: string, options: { json?: boolean }): Promise<number> {
  const source = sources.find((s) => s.id === id);
  if (!source) {
    process.stderr.write(`no source "${id}" in ${settings.sourcesFile}; known ids: ${sources.map((s) => s.id).join(', ')}\n`);
    return 1;
  }
  const agent = createGuardedAgent({ allowPrivate: settings.allowPrivate, connectTimeoutMs: Math.min(10_000, settings.fetchTimeoutMs) });
  try {
    const started = Date.now();
    const { response: res, outcome, parsed } = await fetchAndParse(
      { url: source.url, userAgent: userAgent(settings.contactUrl), maxBytes: settings.maxBytes, timeoutMs: settings.fetchTimeoutMs, dispatcher: agent },
      Date.now,
      source.kind === 'html'
        ? { listing: source.selectors, robotsAllow: async (u) => isAllowedByRobots(await fetchRobotsFile(new URL('/robots.txt', u).href, { userAgent: userAgent(settings.contactUrl), timeoutMs: settings.fetchTimeoutMs, dispatcher: agent }), u) }
        : {},
    );
    if (res) {
      const redirects = res.redirects.map((r) => `  ${r.status} ${r.from} -> ${r.to}`).join('\n');
      process.stderr.write(`${source.id}: HTTP ${res.status} in ${Date.now() - started} ms, ${res.body.length} bytes${res.movedTo ? `; moved permanently to ${res.movedTo}` : ''}\n${redirects ? `${redirects}\n` : ''}`);
    }
    if (!parsed) {
      process.stderr.write(`${source.id}: ${outcome.kind} (${outcome.code}): ${outcome.message}\n`);
      return outcome.kind === 'permanent' || outcome.kind === 'transient' ? 1 : 0;
    }
    const now = new Date().toISOString();
    // What the pipeline would do: the draft stage's skip rules (drafts/skipReason.ts), filters among them.
    const reasons = parsed.items.map((i) => skipReason(i, source));
    const kept = parsed.items.filter((_, n) => reasons[n] === undefined);
    const skippedByReason: Record<string, number> = {};
    for (const r of reasons) if (r) skippedByReason[r] = (skippedByReason[r] ?? 0) + 1;
    const filtered = skippedByReason.filtered ?? 0;
    const { filtered: _filtered, ...otherSkips } = skippedByReason;
    const drafts = kept.map((i) => toDraft(i, source, now));
    if (options.json) {
      const enrichment = settings.enrich && source.enrich !== false ? await previewEnrichment(settings, agent, userAgent(settings.contactUrl), drafts.flatMap((d) => (d.link ? [{ link: d.link, excerpt: d.excerpt }] : [])).slice(0, PREVIEW_ITEMS), Date.now) : [];
      process.stdout.write(`${JSON.stringify({ source: source.id, format: parsed.format, feed: parsed.feed, items: parsed.items.length, filtered, skipped: parsed.skipped, skippedByReason, drafts, enrichment })}\n`);
      return 0;
    }
    process.stdout.write(`${parsed.format} ${parsed.version ?? ''} "${parsed.feed.title ?? ''}": ${parsed.items.length} items, ${filtered} filtered out, ${parsed.skipped} unreadable${Object.keys(otherSkips).length > 0 ? `, skipped: ${describeSkipCounts(otherSkips)}` : ''}\n\n`);
    process.stdout.write(`${formatTable(['score', 'age', 'headline', 'link'], drafts.map((d) => [d.score, formatAge(d.publishedAt, Date.now()), truncate(d.headline, 60)!, d.link ?? '']))}\n`);
    await printEnrichmentPreview(settings, source, agent, drafts);
    process.stdout.write('\n(dry run: nothing was written)\n');
    return 0;
  } finally {
    await agent.close();
  }
}

/** What enrichment would add to the first items: their pages fetched and read as the worker would, fields with their rules. */
const PREVIEW_ITEMS = 3;
async function printEnrichmentPreview(settings: Settings, source: Source, agent: ReturnType<typeof createGuardedAgent>, drafts: { link: string | null; excerpt: string | null }[]): Promise<void> {
  if (!settings.enrich || source.enrich === false) {
    process.stdout.write(`\nenrichment: off for this source (${settings.enrich ? 'enrich: false in the sources file' : 'SIGNAL_DESK_ENRICH=off'})\n`);
    return;
  }
  const items = drafts.flatMap((d) => (d.link ? [{ link: d.link, excerpt: d.excerpt }] : [])).slice(0, PREVIEW_ITEMS);
  if (items.length === 0) return;
  const previews = await previewEnrichment(settings, agent, userAgent(settings.contactUrl), items, Date.now);
  for (const preview of previews) {
    process.stdout.write(`\nenrichment of ${preview.link}:\n${formatTable(['field', 'value', 'rule'], previewRows(preview).map(([f, v, r]) => [f!, truncate(v!, 80)!, r!]))}\n`);
  }
}

/** `sources status`: every source's health, problems first. */
export async function statusCommand(settings: Settings, sources: Source[], options: { json?: boolean }, out: NodeJS.WritableStream = process.stdout, now = Date.now()): Promise<number> {
  await requireRedis(settings.redisUrl);
  const redis = createRedis(settings.redisUrl);
  try {
    const health = await readHealth(redis, createKeys(settings.prefix), sources, now);
    if (options.json) {
      out.write(`${JSON.stringify(health)}\n`);
      return 0;
    }
    const rows = health.map((h) => [
      h.id,
      h.state,
      h.lastAttemptAt ? formatAge(h.lastAttemptAt, now) : '',
      h.lastSuccessAt ? formatAge(h.lastSuccessAt, now) : '',
      h.consecutiveFailures || '',
      describeConfigured(sources.find((s) => s.id === h.id)!),
      h.schedule.inForce ?? '',
      truncate(h.schedule.reason.text, 72)!,
      h.schedule.due ?? '',
      `${h.newItems24h}/${h.newItems7d}`,
      h.drops7d ? `${h.drops24h}/${h.drops7d} (${h.dropsByRule.slice(0, 3).map((d) => `${d.rule} ${d.count}`).join(', ')}${h.dropsByRule.length > 3 ? ', …' : ''})` : '',
      h.skippedItems7d ? `${h.skippedItems24h}/${h.skippedItems7d} (${describeSkipCounts(h.skippedByReason)})` : '',
      h.code ?? '',
      truncate(h.redirect ? `moved to ${h.redirect.to}; ${h.summary}` : h.summary, 80)! + (h.warning ? `; warning ${h.warning.code}: ${truncate(h.warning.message, 80)!}` : ''),
    ]);
    out.write(`${formatTable(['source', 'health', 'polled', 'ok', 'fails', 'schedule', 'in force', 'why', 'next', 'new 24h/7d', 'dropped 24h/7d', 'skipped 24h/7d', 'code', 'detail'], rows)}\n`);
    const problems = health.filter((h) => ['paused', 'failing', 'selectors_broken', 'quiet'].includes(h.state)).length;
    out.write(`\n${health.length} sources, ${problems} need attention\n`);
    const applied = await describeApplied(redis, createKeys(settings.prefix), sources);
    if (applied) out.write(`${applied}\n`);
    return 0;
  } finally {
    await redis.quit();
  }
}

/** Who the CLI acts as in the audit: whoever runs it (holding Redis access is being an operator). */
export function cliActor(): Actor {
  return { name: `cli:${userInfo().username}`, role: 'operator' };
}

/**
 * `sources poll|pause|resume|disable|enable|remove ID`: one operator action through the same service as the
 * API and the Sources page (same rules, same audit). Prints what happened; exit 1 when refused.
 */
export async function actionCommand(settings: Settings, action: SourceAction, id: string, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  await requireRedis(settings.redisUrl);
  const redis = createRedis(settings.redisUrl);
  const queue = createQueues(settings, redis).poll;
  try {
    const outcome = await runSourceAction({ redis, keys: createKeys(settings.prefix), queue, settings, clock: systemClock }, cliActor(), 'cli', action, id);
    out.write(`${outcome.message}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof DeskError)) throw e;
    err.write(`${e.message}\n`);
    return 1;
  } finally {
    await queue.close();
    await redis.quit();
  }
}

/** `sources audit [ID]`: operators' source actions, newest first (who, what, when, the result). */
export async function auditCommand(settings: Settings, id: string | undefined, options: { json?: boolean; limit?: number }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  await requireRedis(settings.redisUrl);
  const redis = createRedis(settings.redisUrl);
  try {
    const entries = await readSourceActions(redis, createKeys(settings.prefix), options.limit ?? 50, id);
    if (options.json) {
      out.write(`${JSON.stringify(entries)}\n`);
      return 0;
    }
    if (entries.length === 0) {
      out.write(`no source actions recorded${id ? ` for ${id}` : ''}\n`);
      return 0;
    }
    out.write(`${formatTable(['when', 'who', 'via', 'action', 'source', 'result', 'message'], entries.map((e) => [formatUtc(e.at), e.actor, e.via, e.action, e.sourceId, e.result, truncate(e.message, 100)!]))}\n`);
    return 0;
  } finally {
    await redis.quit();
  }
}

/** The configuration the scheduling `run` applied in Redis, and whether this file is it (one HMGET); undefined when none. */
async function describeApplied(redis: RedisClient, keys: Keys, sources: Source[]): Promise<string | undefined> {
  const [version, hash, appliedAt, appliedBy] = await redis.hmget(keys.configSources, 'version', 'hash', 'appliedAt', 'appliedBy');
  if (!version || !hash) return undefined;
  const mine = digestSources(sources).hash;
  const at = formatUtc(Number(appliedAt)) || '?';
  return `applied configuration: version ${version} (${shortHash(hash)}), by ${appliedBy ?? '?'} at ${at}; ${mine === hash ? 'this file is the one applied' : `this file (${shortHash(mine)}) differs: the workers poll from the applied one`}`;
}
