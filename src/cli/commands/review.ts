import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Actor } from '../../auth/roles.ts';
import { getUser } from '../../auth/userStore.ts';
import { formatUtc, systemClock } from '../../clock.ts';
import type { Settings } from '../../config/settings.ts';
import { formatLevel, type DraftSignal, type DraftStatus } from '../../drafts/schema.ts';
import { describeEnrichment, describeRobots, ENRICHMENT_MARK } from '../../review/describeEnrichment.ts';
import { DeskError } from '../../errors.ts';
import { createLogger } from '../../log.ts';
import { truncate } from '../../parse/text.ts';
import { createRedis } from '../../queue/connection.ts';
import { createKeys } from '../../queue/keys.ts';
import { createDesk } from '../../review/createDesk.ts';
import type { Desk, StoryRow } from '../../review/desk.ts';
import { changedFields, missingToApprove } from '../../review/draftEdits.ts';
import { labelOf } from '../../review/fieldLabels.ts';
import { applySets, parseEditJson } from '../editArgs.ts';
import { formatAge, formatTable, terminalJson, writeText } from '../table.ts';
import { requireRedis } from '../redis.ts';
import { readCapped, readCappedText } from '../../config/readCappedText.ts';

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
  /** An entity the annotate stage found (case-insensitive, whole name). */
  entity?: string;
  /** One row per draft instead of per story (the table and --json). */
  drafts?: boolean;
  /** With --json: the story rows instead of the drafts. */
  stories?: boolean;
  as?: string;
}

export async function reviewListCommand(settings: Settings, options: ReviewListOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return withDesk(settings, options.as, async (desk, actor) => {
    const status = options.status ?? 'pending';
    const query = { status, limit: options.limit, lang: options.lang, section: options.section, entity: options.entity };
    if ((options.json && !options.stories) || options.drafts) {
      const page = await desk.list(actor, query);
      if (options.json) {
        out.write(`${terminalJson(page.drafts)}\n`);
        return 0;
      }
      writeText(out, `${formatDrafts(page.drafts.map((d) => ({ draft: d, claim: d.claim?.user ?? '' })), Date.now())}\n`);
      writeText(out, `\n${page.drafts.length} of ${page.counts[status]} ${status} drafts (pending ${page.counts.pending}, approved ${page.counts.approved}, rejected ${page.counts.rejected}, merged ${page.counts.merged})\n`);
      return 0;
    }
    const page = await desk.listStories(actor, query);
    if (options.json) {
      out.write(`${terminalJson(page.stories)}\n`);
      return 0;
    }
    writeText(out, `${formatStories(page.stories, Date.now())}\n`);
    const listed = page.stories.reduce((n, r) => n + 1 + r.others, 0);
    const several = page.stories.filter((r) => r.members.length > 1).length;
    writeText(out, `\n${listed} of ${page.counts[status]} ${status} drafts in ${page.stories.length} rows (${several} ${several === 1 ? 'story' : 'stories'} of several items; pending ${page.counts.pending}, approved ${page.counts.approved}, rejected ${page.counts.rejected}, merged ${page.counts.merged})\n`);
    return 0;
  });
}

/** The drafts table (one row per draft). */
function formatDrafts(rows: { draft: DraftSignal; claim: string }[], now: number): string {
  // The page column once there is something to say (drafts older than enrichment have nothing).
  const marks = rows.some((r) => pageMark(r.draft));
  const table = rows.map(({ draft: d, claim }) => [d.id, d.score, d.source.id, truncate(d.headline, 72)!, ...(marks ? [pageMark(d)] : []), formatAge(d.publishedAt ?? d.discoveredAt, now), claim]);
  return formatTable(['id', 'score', 'source', 'headline', ...(marks ? ['page'] : []), 'age', 'claimed by'], table);
}

/**
 * The queue as stories: the lead's row, with the story's publishers; under it, one line per other member
 * (its id, source, headline, age), so `review split ID` and `review move ID --to STORY` have what they need.
 */
function formatStories(rows: StoryRow[], now: number): string {
  const marks = rows.some((r) => pageMark(r.lead));
  const table: (string | number)[][] = [];
  for (const r of rows) {
    const d = r.lead;
    const story = r.storyId && r.members.length > 1 ? `${r.storyId}: ${r.sources.length} sources (${truncate(r.sources.join(', '), 40)})` : '';
    table.push([d.id, String(d.score), d.source.id, truncate(d.headline, 72)!, story, ...(marks ? [pageMark(d)] : []), formatAge(d.publishedAt ?? d.discoveredAt, now), d.claim?.user ?? '']);
    if (!story) continue;
    for (const m of r.members) {
      if (m.draftId === d.id) continue;
      table.push([`  ${m.draftId}`, '', m.sourceId, `└ ${truncate(m.headline, 70)!}`, m.listed ? '' : 'decided', ...(marks ? [''] : []), formatAge(m.publishedAt ?? m.addedAt, now), '']);
    }
  }
  return formatTable(['id', 'score', 'source', 'headline', 'story', ...(marks ? ['page'] : []), 'age', 'claimed by'], table);
}

/** `review split ID`: the draft leaves its story for one of its own, and never rejoins it. */
export async function reviewSplitCommand(settings: Settings, id: string, options: { as?: string }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return withDesk(settings, options.as, async (desk, actor) => {
    const current = await desk.get(actor, id);
    const from = current.story?.id;
    const { draft } = await desk.split(actor, id, { version: current.version });
    writeText(out, `Split ${id} out of story ${from}: it is now alone in story ${draft.story!.id} and never rejoins ${from}.\n`);
    return 0;
  });
}

/** `review move ID --to STORY`: the draft joins that story, pinned (the pipeline never moves it again). */
export async function reviewMoveCommand(settings: Settings, id: string, options: { to: string; as?: string }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return withDesk(settings, options.as, async (desk, actor) => {
    const current = await desk.get(actor, id);
    const { story } = await desk.move(actor, id, { version: current.version, to: options.to });
    writeText(out, `Moved ${id} to story ${story.id} (${story.members.length} items), pinned there.\n`);
    return 0;
  });
}

export async function reviewShowCommand(settings: Settings, id: string, options: { json?: boolean; as?: string }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return withDesk(settings, options.as, async (desk, actor) => {
    const d = await desk.get(actor, id);
    if (options.json) {
      out.write(`${terminalJson(d)}\n`);
      return 0;
    }
    // Source metadata: a row when there is something to say. Editorial fields: always, named as the desk's form
    // labels them (what `review edit --set` takes), "—" when empty, so an empty draft shows what is left to fill in.
    const meta: [string, string][] = [
      ['id', `${d.id} (version ${d.version}, ${d.status})`],
      ['source', `${d.source.name} (${d.source.id})`],
      ['author', d.author ?? ''],
      ['link', d.link ?? ''],
      ['published', d.publishedAt ? formatUtc(d.publishedAt) : 'unknown'],
      ['discovered', formatUtc(d.discoveredAt)],
      ['excerpt', `${d.excerpt ?? 'none'}  [editor only]`],
      ['claimed by', d.claim ? `${d.claim.user} until ${formatUtc(d.claim.expiresAt)}` : ''],
      ['related', d.related.map((r) => `${r.sourceName}: ${r.headline}`).join('; ')],
      ['story', d.story ? `${d.story.id}${d.storyRecord ? ` (${d.storyRecord.members.length} items from ${[...new Set(d.storyRecord.members.map((m) => m.sourceName))].join(', ')})` : ''}${d.story.pinned ? ', moved there by an editor' : ''}${d.story.blocked.length ? `; split out of ${d.story.blocked.join(', ')}` : ''}` : ''],
      ['suggested category', d.annotation?.suggestion ? `${d.annotation.suggestion.category} (${d.annotation.suggestion.why})` : ''],
      ['entities', (d.annotation?.entities ?? []).map((e) => `${e.name} (${e.kind})`).join(', ')],
      ['score breakdown', d.scoreBreakdown.map((c) => `${c.label} ${c.points >= 0 ? '+' : ''}${Math.round(c.points * 10) / 10}: ${c.detail}`).join('; ')],
    ];
    const editorial: [string, string][] = [
      ['headline', d.headline],
      ['score', String(d.score)],
      ['category', d.category ?? ''],
      ['horizon', d.horizon ?? ''],
      ['tags', d.tags.join(', ')],
      ['summary', d.summary],
      ['whyNow', d.whyNow],
      ['whyImportant', d.whyImportant],
      ['whatChanges', d.whatChanges],
      ['winners', d.winners.join('; ')],
      ['losers', d.losers.join('; ')],
      ['secondOrderEffects.direct', d.secondOrderEffects.direct],
      ['secondOrderEffects.second', d.secondOrderEffects.second],
      ['secondOrderEffects.third', d.secondOrderEffects.third],
      ['editorialConfidence', formatLevel(d.editorialConfidence) ?? ''],
      ['structuralImpact', formatLevel(d.structuralImpact) ?? ''],
    ];
    const line = (k: string, v: string) => `${k.padEnd(20)} ${v}`;
    writeText(out, `${meta.filter(([, v]) => v).map(([k, v]) => line(k, v)).join('\n')}\n`);
    writeText(out, `\n${editorial.map(([f, v]) => line(labelOf(f).toLowerCase(), v || '—')).join('\n')}\n`);
    writeText(out, formatEnrichment(d));
    writeText(out, `\nhistory:\n${[`  ${formatUtc(d.discoveredAt)}  discovered`, ...d.history.map((h) => `  ${formatUtc(h.at)}  ${h.actor} ${h.action}${h.fields ? ` ${h.fields.map(labelOf).join(', ')}` : ''}${h.reason ? `: ${h.reason}` : ''}${h.into ? ` ${h.into}` : ''}`)].join('\n')}\n`);
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
    for (const c of d.coverage) lines.push(`  ${formatUtc(c.publishedAt ?? c.at)}  ${c.sourceName} (${c.sourceId}): ${c.headline}${c.link ? `  ${c.link}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Approves the draft as it is now (its current version): the CLI user has just looked at it with `review show`. */
export async function reviewApproveCommand(settings: Settings, id: string, options: { as?: string }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return withDesk(settings, options.as, async (desk, actor) => {
    const current = await desk.get(actor, id);
    const { signal, streamId } = await desk.approve(actor, id, { version: current.version });
    writeText(out, `Approved ${id}: published as ${signal.id} (stream entry ${streamId}).\n`);
    return 0;
  });
}

export async function reviewRejectCommand(settings: Settings, id: string, options: { reason: string; as?: string }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return withDesk(settings, options.as, async (desk, actor) => {
    const current = await desk.get(actor, id);
    await desk.reject(actor, id, { version: current.version, reason: options.reason });
    writeText(out, `Rejected ${id}: ${options.reason}\n`);
    return 0;
  });
}

export interface ReviewEditOptions {
  /** `FIELD=VALUE`, in order (FIELD by label or name; lists take several). */
  set?: string[];
  /** A JSON file of fields, or `-` for stdin. */
  from?: string;
  /** The version read; default: the current version, read just before the edit. */
  version?: number;
  as?: string;
}

/**
 * `review edit ID --set FIELD=VALUE … | --from FILE.json|-`: the desk service's edit (the API's PATCH), with its
 * 422 and 409 answers. Without --version the edit applies to the version read just before it.
 */
export async function reviewEditCommand(settings: Settings, id: string, options: ReviewEditOptions, out: NodeJS.WritableStream = process.stdout, stdin: NodeJS.ReadableStream = process.stdin): Promise<number> {
  if (!options.from && !options.set?.length) {
    throw new DeskError('invalid_fields', 'nothing to edit: give --set FIELD=VALUE (e.g. --set "Why now=…"), or --from FILE.json (- for stdin)');
  }
  const fromFile = options.from === undefined ? {} : parseEditJson(await readEditFile(options.from, stdin), options.from === '-' ? 'stdin' : resolve(options.from));
  const { version: fileVersion, ...patch } = applySets(fromFile, options.set ?? []);
  return withDesk(settings, options.as, async (desk, actor) => {
    const current = await desk.get(actor, id);
    const version = options.version ?? fileVersion ?? current.version;
    const next = await desk.edit(actor, id, { ...patch, version });
    const fields = changedFields(current, next);
    if (next.version === current.version || fields.length === 0) {
      writeText(out, `No change to ${id}: it says that already (version ${next.version}).\n`);
    } else {
      writeText(out, `Edited ${id}: ${fields.map(labelOf).join(', ')} (now version ${next.version}).\n`);
    }
    const missing = missingToApprove(next);
    writeText(out, missing.length ? `Still needed to approve: ${missing.map(labelOf).join(', ')}.\n` : `Ready to approve: signal-desk review approve ${id}\n`);
    return 0;
  });
}

/** The most a `--from` file or stdin may hold: what the API takes in one request body (a draft's fields are a few KB). */
export const EDIT_FILE_MAX_BYTES = 256 * 1024;

async function readEditFile(from: string, stdin: NodeJS.ReadableStream): Promise<string> {
  const where = from === '-' ? 'stdin' : resolve(from);
  const tooLarge = (size: number) =>
    new DeskError('invalid_fields', `${where} holds ${size > EDIT_FILE_MAX_BYTES + 1 ? `${size} bytes` : `more than ${EDIT_FILE_MAX_BYTES} bytes`}: a --from file holds one draft's fields, at most ${EDIT_FILE_MAX_BYTES} bytes (as the API takes)`, { fields: { '(from)': 'too large' } });
  // Capped as it is read (a pipe that never ends, a wrong path to a disk image): never more than the limit in memory.
  if (from === '-') return readCapped(stdin as AsyncIterable<Uint8Array | string>, EDIT_FILE_MAX_BYTES, tooLarge);
  try {
    return await readCappedText(where, EDIT_FILE_MAX_BYTES, tooLarge);
  } catch (err) {
    if (err instanceof DeskError) throw err;
    throw new DeskError('invalid_fields', `cannot read ${where}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

/** `review claim ID [--force]`: claims (or renews) the draft for SIGNAL_DESK_CLAIM_MINUTES; --force (operators) takes a live claim. */
export async function reviewClaimCommand(settings: Settings, id: string, options: { force?: boolean; as?: string }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return withDesk(settings, options.as, async (desk, actor) => {
    const before = (await desk.get(actor, id)).claim;
    const { action, claim } = await desk.claim(actor, id, { force: options.force });
    const until = formatUtc(claim.expiresAt);
    const said: Record<string, string> = {
      claim: `Claimed ${id} until ${until}.`,
      renew: `Renewed your claim on ${id}: until ${until}.`,
      takeover: `Claimed ${id} until ${until} (the previous claim had expired).`,
      force_claim: `Took over ${id} from ${before?.user ?? 'its holder'}: yours until ${until}.`,
    };
    writeText(out, `${said[action] ?? `Claimed ${id} until ${until}.`}\n`);
    return 0;
  });
}

/** `review release ID [--force]`: gives up the claim; --force (operators) drops someone else's. */
export async function reviewReleaseCommand(settings: Settings, id: string, options: { force?: boolean; as?: string }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return withDesk(settings, options.as, async (desk, actor) => {
    const before = (await desk.get(actor, id)).claim;
    const { action } = await desk.release(actor, id, { force: options.force });
    const said: Record<string, string> = {
      release: `Released ${id}.`,
      force_release: `Released ${before?.user ?? 'its holder'}'s claim on ${id} (forced).`,
      none: `${id} was not claimed: nothing to release.`,
    };
    writeText(out, `${said[action] ?? `Released ${id}.`}\n`);
    return 0;
  });
}

/** `review merge ID --into ID`: the draft becomes related coverage of the other (pending) one. */
export async function reviewMergeCommand(settings: Settings, id: string, options: { into: string; version?: number; as?: string }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return withDesk(settings, options.as, async (desk, actor) => {
    const version = options.version ?? (await desk.get(actor, id)).version;
    const { into } = await desk.merge(actor, id, { version, into: options.into });
    writeText(out, `Merged ${id} into ${into.id}: listed there as related coverage (undo: signal-desk review reopen ${id}).\n`);
    return 0;
  });
}

/** `review reopen ID`: a rejected or merged draft goes back to the queue. */
export async function reviewReopenCommand(settings: Settings, id: string, options: { version?: number; as?: string }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return withDesk(settings, options.as, async (desk, actor) => {
    const version = options.version ?? (await desk.get(actor, id)).version;
    const next = await desk.reopen(actor, id, { version });
    writeText(out, `Reopened ${id}: pending again, back in the queue (version ${next.version}).\n`);
    return 0;
  });
}
