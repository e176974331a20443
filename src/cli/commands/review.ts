import { userInfo } from 'node:os';
import type { Actor } from '../../auth/roles.ts';
import { getUser } from '../../auth/userStore.ts';
import { systemClock } from '../../clock.ts';
import type { Settings } from '../../config/settings.ts';
import type { DraftStatus } from '../../drafts/schema.ts';
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
  as?: string;
}

export async function reviewListCommand(settings: Settings, options: ReviewListOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return withDesk(settings, options.as, async (desk, actor) => {
    const status = options.status ?? 'pending';
    const page = await desk.list(actor, { status, limit: options.limit });
    if (options.json) {
      out.write(`${JSON.stringify(page.drafts)}\n`);
      return 0;
    }
    const now = Date.now();
    out.write(`${formatTable(['id', 'score', 'source', 'headline', 'age', 'claimed by'], page.drafts.map((d) => [d.id, d.score, d.source.id, truncate(d.headline, 72)!, formatAge(d.publishedAt ?? d.discoveredAt, now), d.claim?.user ?? '']))}\n`);
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
      ['confidence / impact', `${d.editorialConfidence ?? ''} / ${d.structuralImpact ?? ''}`],
      ['claimed by', d.claim ? `${d.claim.user} until ${new Date(d.claim.expiresAt).toISOString()}` : ''],
      ['related', d.related.map((r) => `${r.sourceName}: ${r.headline}`).join('; ')],
    ];
    out.write(`${rows.filter(([, v]) => v).map(([k, v]) => `${k.padEnd(20)} ${v}`).join('\n')}\n`);
    out.write(`\nhistory:\n${[`  ${d.discoveredAt}  discovered`, ...d.history.map((h) => `  ${h.at}  ${h.actor} ${h.action}${h.fields ? ` ${h.fields.join(', ')}` : ''}${h.reason ? `: ${h.reason}` : ''}${h.into ? ` ${h.into}` : ''}`)].join('\n')}\n`);
    return 0;
  });
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
