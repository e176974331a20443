import { userInfo } from 'node:os';
import type { Actor } from '../../auth/roles.ts';
import { getUser } from '../../auth/userStore.ts';
import { systemClock } from '../../clock.ts';
import type { Settings } from '../../config/settings.ts';
import { formatLevel, type DraftSignal, type DraftStatus } from '../../drafts/schema.ts';
import { describeEnrichment, describeRobots, ENRICHMENT_MARK } from '../../review/describeEnrichment.ts';
import { DeskError } from '../../errors.ts';
import { createLogger } from '../../log.ts';
import { truncate } from '../../parse/text.ts';
import { createRedis } from '../../queue/connection.ts';
import { createKeys } from '../../queue/keys.ts';
import { createDesk } from '../../review/createDesk.ts';
import type { Desk } from '../../review/desk.ts';
import { formatAge, formatTable } from '../table.ts';
import { requireRedis } from '../redis.ts';

/**
 * Who the CLI acts as. Whoever can run it holds the Redis credentials, which is operator power already;
 * `--as NAME` records a desk user (with that user's role) in the audit trail instead.
 */
async function cliActor(settings: Settings, redis: ReturnType<typeof createRedis>, as: string | undefined): Promise<Actor> {
  if (!as) return { name: `cli:${userInfo().username}`, role: 'operator' };
  const user = await getUser(redis, createKeys(settings.prefix), as);
  if (!user || user.revokedAt) throw new DeskError('not_found', `no active user "${as}" (see signal-desk users list)`);
  return { name: user.name, role: user.role };
}

async function withDesk<T>(settings: Settings, as: string | undefined, fn: (desk: Desk, actor: Actor) => Promise<T>): Promise<T> {
  await requireRedis(settings.redisUrl);
  const redis = createRedis(settings.redisUrl);
  const { desk, close } = createDesk(settings, redis, systemClock, createLogger(settings.logLevel));
  try {
    return await fn(desk, await cliActor(settings, redis, as));
  } finally {
    await close();
    await redis.quit();
  }
}

export interface ReviewListOptions {
  json?: boolean;
  limit: number;
  status?: DraftStatus;
  /** The article page's language (`en` finds `en-GB`) and section, as the desk's filters. */
  lang?: string;
  section?: string;
  as?: string;
}

export async function reviewListCommand(settings: Settings, options: ReviewListOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return withDesk(settings, options.as, async (desk, actor) => {
    const status = options.status ?? 'pending';
    const page = await desk.list(actor, { status, limit: options.limit, lang: options.lang, section: options.section });
    if (options.json) {
      out.write(`${JSON.stringify(page.drafts)}\n`);
      return 0;
    }
    const now = Date.now();
    // The page column once there is something to say (drafts older than enrichment have nothing).
    const marks = page.drafts.some((d) => pageMark(d));
    const table = page.drafts.map((d) => [d.id, d.score, d.source.id, truncate(d.headline, 72)!, ...(marks ? [pageMark(d)] : []), formatAge(d.publishedAt ?? d.discoveredAt, now), d.claim?.user ?? '']);
    out.write(`${formatTable(['id', 'score', 'source', 'headline', ...(marks ? ['page'] : []), 'age', 'claimed by'], table)}\n`);
    out.write(`\n${page.drafts.length} of ${page.counts[status]} ${status} drafts (pending ${page.counts.pending}, approved ${page.counts.approved}, rejected ${page.counts.rejected}, merged ${page.counts.merged})\n`);
    return 0;
  });
}

export async function reviewShowCommand(settings: Settings, id: string, options: { json?: boolean; as?: string }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return withDesk(settings, options.as, async (desk, actor) => {
    const d = await desk.get(actor, id);
    if (options.json) {
      out.write(`${JSON.stringify(d)}\n`);
      return 0;
    }
    const rows: [string, string][] = [
      ['id', `${d.id} (version ${d.version}, ${d.status})`],
      ['headline', d.headline],
      ['source', `${d.source.name} (${d.source.id})`],
      ['link', d.link ?? ''],
      ['published', d.publishedAt ?? 'unknown'],
      ['discovered', d.discoveredAt],
      ['score', String(d.score)],
      ['category', d.category ?? ''],
      ['horizon', d.horizon ?? ''],
      ['tags', d.tags.join(', ')],
      ['excerpt', `${d.excerpt ?? ''}  [editor only]`],
      ['why now', d.whyNow],
      ["why it's important", d.whyImportant],
      ['what changes', d.whatChanges],
      ['winners', d.winners.join('; ')],
      ['losers', d.losers.join('; ')],
      ['confidence / impact', d.editorialConfidence === null && d.structuralImpact === null ? '' : `${formatLevel(d.editorialConfidence) ?? 'not set'} · ${formatLevel(d.structuralImpact) ?? 'not set'}`],
      ['claimed by', d.claim ? `${d.claim.user} until ${new Date(d.claim.expiresAt).toISOString()}` : ''],
      ['related', d.related.map((r) => `${r.sourceName}: ${r.headline}`).join('; ')],
    ];
    out.write(`${rows.filter(([, v]) => v).map(([k, v]) => `${k.padEnd(20)} ${v}`).join('\n')}\n`);
    out.write(formatEnrichment(d));
    out.write(`\nhistory:\n${[`  ${d.discoveredAt}  discovered`, ...d.history.map((h) => `  ${h.at}  ${h.actor} ${h.action}${h.fields ? ` ${h.fields.join(', ')}` : ''}${h.reason ? `: ${h.reason}` : ''}${h.into ? ` ${h.into}` : ''}`)].join('\n')}\n`);
    return 0;
  });
}

/** The list's page column: enrichment state in a word or two, and "3 sources" when others carry the article. */
function pageMark(d: DraftSignal): string {
  const state = d.enrichment ? ENRICHMENT_MARK[d.enrichment.state] : '';
  return [state, d.coverage.length ? `${d.coverage.length + 1} sources` : ''].filter(Boolean).join(', ');
}

/** `review show`: what the article page said, each field with the rule that gave it, then other sources' coverage. */
function formatEnrichment(d: DraftSignal): string {
  const e = d.enrichment;
  const lines = [`\narticle page:        ${e ? describeEnrichment(e) : 'not requested'}  [editor only]`];
  if (e) {
    const fields: [string, { value: unknown; rule: string } | null][] = [
      ['canonical', e.canonicalUrl], ['title', e.title], ['site', e.siteName], ['authors', e.authors], ['published', e.publishedAt], ['modified', e.modifiedAt],
      ['section', e.section], ['keywords', e.keywords], ['language', e.lang], ['type', e.type], ['free to read', e.isAccessibleForFree], ['words', e.wordCount], ['image', e.image], ['description', e.description],
    ];
    for (const [name, f] of fields) if (f) lines.push(`  ${name.padEnd(18)} ${Array.isArray(f.value) ? f.value.join('; ') : String(f.value)}  (${f.rule})`);
    for (const r of describeRobots(e.robots)) lines.push(`  robots             ${r}`);
  }
  if (d.coverage.length) {
    lines.push(`\ncoverage (${d.coverage.length} other source${d.coverage.length === 1 ? '' : 's'}):`);
    for (const c of d.coverage) lines.push(`  ${c.publishedAt ?? c.at}  ${c.sourceName} (${c.sourceId}): ${c.headline}${c.link ? `  ${c.link}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Approves the draft as it is now (its current version): the CLI user has just looked at it with `review show`. */
export async function reviewApproveCommand(settings: Settings, id: string, options: { as?: string }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return withDesk(settings, options.as, async (desk, actor) => {
    const current = await desk.get(actor, id);
    const { signal, streamId } = await desk.approve(actor, id, { version: current.version });
    out.write(`Approved ${id}: published as ${signal.id} (stream entry ${streamId}).\n`);
    return 0;
  });
}

export async function reviewRejectCommand(settings: Settings, id: string, options: { reason: string; as?: string }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return withDesk(settings, options.as, async (desk, actor) => {
    const current = await desk.get(actor, id);
    await desk.reject(actor, id, { version: current.version, reason: options.reason });
    out.write(`Rejected ${id}: ${options.reason}\n`);
    return 0;
  });
}
