import * as cheerio from 'cheerio';
import { z } from 'zod';
import { checkCron, checkTimeZone, MAX_EVERY_MS, MIN_EVERY_MS } from './cronSchedule.ts';
import { parseDuration } from './duration.ts';
import { TAG_MAX } from '../drafts/schema.ts';
import { stripBidiControls } from '../parse/bidi.ts';

export const SOURCE_KINDS = ['auto', 'rss', 'atom', 'rdf', 'jsonfeed', 'html'] as const;
export { MIN_EVERY_MS };

const slug = z
  .string({ error: 'is required: a slug such as "toms-hardware"' })
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a slug: lower-case letters, digits and hyphens (at most 63), e.g. "toms-hardware"');

const httpUrl = z.string({ error: 'is required: the http or https address of the feed' }).superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `must be an absolute http or https URL, got "${value}"` });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: `must use http or https, got "${url.protocol.slice(0, -1)}"` });
  } else if (url.username || url.password) {
    ctx.addIssue({ code: 'custom', message: 'must not carry a user name or password' });
  }
});

const schedule = z
  .object({
    every: z.string().optional(),
    cron: z.string().optional(),
    tz: z.string().optional(),
    /** Adaptive bounds (with `every`): the interval follows the feed's publishing rhythm between min and max. */
    min: z.string().optional(),
    max: z.string().optional(),
    adaptive: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    for (const field of ['min', 'max'] as const) {
      const v = s[field];
      if (v === undefined) continue;
      if (s.cron !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `applies to "every" schedules only; a cron schedule runs at the times it names` });
      const ms = parseDuration(v);
      if (ms === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `"${v}" is not a duration: use forms like 5m, 1h, 1d` });
      else if (ms < MIN_EVERY_MS) ctx.addIssue({ code: 'custom', path: [field], message: `"${v}" is too frequent: at least 1m between polls` });
      else if (ms > MAX_EVERY_MS) ctx.addIssue({ code: 'custom', path: [field], message: `"${v}" is too long: at most 30d between polls` });
    }
    const min = s.min ? parseDuration(s.min) : undefined;
    const max = s.max ? parseDuration(s.max) : undefined;
    if (min !== undefined && max !== undefined && min > max) ctx.addIssue({ code: 'custom', path: ['max'], message: `must not be shorter than min (${s.min})` });
    if ((s.every === undefined) === (s.cron === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of every (e.g. "15m") or cron (e.g. "*/10 * * * *")' });
      return;
    }
    if (s.every !== undefined) {
      const ms = parseDuration(s.every);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', path: ['every'], message: `"${s.every}" is not a duration: use forms like 90s, 15m, 1h30m, 1d` });
      } else if (ms < MIN_EVERY_MS) {
        ctx.addIssue({ code: 'custom', path: ['every'], message: `"${s.every}" is too frequent: at least 1m between polls` });
      } else if (ms > MAX_EVERY_MS) {
        ctx.addIssue({ code: 'custom', path: ['every'], message: `"${s.every}" is too long: at most 30d between polls (disable the source with enabled: false instead)` });
      }
    }
    // Everything BullMQ would refuse (or accept wrongly) when the job scheduler is set is refused here, so a
    // reload never gets as far as applying a schedule that cannot run.
    const tzProblem = s.tz === undefined ? undefined : checkTimeZone(s.tz);
    if (tzProblem) ctx.addIssue({ code: 'custom', path: ['tz'], message: tzProblem });
    else if (s.tz !== undefined && s.cron === undefined) ctx.addIssue({ code: 'custom', path: ['tz'], message: 'applies to cron schedules only; an "every" schedule counts from the last poll' });
    if (s.cron !== undefined && !tzProblem) {
      const cronProblem = checkCron(s.cron, s.tz);
      if (cronProblem) ctx.addIssue({ code: 'custom', path: ['cron'], message: cronProblem });
    }
  });

const cssSelector = z.string({ error: 'must be a CSS selector' }).min(1, 'must not be empty').refine((sel) => {
  try {
    cheerio.load('<p></p>')(sel);
    return true;
  } catch {
    return false;
  }
}, 'is not a valid CSS selector');

const selectors = z
  .object({ item: cssSelector, title: cssSelector, link: cssSelector.optional(), date: cssSelector.optional(), summary: cssSelector.optional() })
  .strict();

const keywords = z.array(z.string().min(1, 'must not be empty'), { error: 'must be a list of keywords' }).default([]);

export const SourceSchema = z
  .object({
    id: slug,
    name: z.string({ error: 'is required: the publisher name shown to editors' }).overwrite(stripBidiControls).min(1, 'must not be empty'),
    url: httpUrl,
    kind: z.enum(SOURCE_KINDS, { error: `must be one of ${SOURCE_KINDS.join(', ')}` }).default('auto'),
    schedule: schedule.default({ every: '15m' }),
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    // Every draft of the source carries its tags: one too long for a draft would fail all of them.
    tags: z.array(z.string().overwrite(stripBidiControls).min(1).max(TAG_MAX, `a tag has at most ${TAG_MAX} characters`), { error: 'must be a list of strings' }).default([]),
    category: z.string().overwrite(stripBidiControls).min(1).optional(),
    weight: z.number({ error: 'must be a number from 0 to 1' }).min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1').default(0.5),
    filters: z
      .object({ include: keywords, exclude: keywords })
      .strict()
      .default({ include: [], exclude: [] }),
    /** For kind: html, the CSS selectors that read items off the listing page. */
    selectors: selectors.optional(),
    /** false: the items' article pages are not fetched for their metadata (drafts say enrichment is disabled). */
    enrich: z.boolean({ error: 'must be true or false' }).default(true),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.kind === 'html' && !s.selectors) ctx.addIssue({ code: 'custom', path: ['selectors'], message: 'is required for kind html: CSS selectors for item and title (and optionally link, date, summary)' });
    if (s.kind !== 'html' && s.selectors) ctx.addIssue({ code: 'custom', path: ['selectors'], message: 'applies to kind html only (a listing page read with CSS selectors)' });
  });

export const SourcesFileSchema = z
  .object({
    sources: z.array(z.unknown(), { error: 'must be a list of sources' }),
  })
  .strict();

export type Source = z.infer<typeof SourceSchema>;
export type Schedule = Source['schedule'];

export interface ScheduleBounds {
  baseMs: number;
  minMs: number;
  maxMs: number;
  adaptive: boolean;
}

/**
 * The interval rules of an "every" source: it starts at `every`, and (unless adaptive is false) follows the
 * feed's rhythm between min (default 5m, or `every` when shorter) and max (default 24h, or `every` when longer).
 */
export function scheduleBounds(source: Source): ScheduleBounds {
  const baseMs = parseDuration(source.schedule.every ?? '15m')!;
  const minMs = source.schedule.min ? parseDuration(source.schedule.min)! : Math.min(5 * 60_000, baseMs);
  const maxMs = source.schedule.max ? parseDuration(source.schedule.max)! : Math.max(24 * 3_600_000, baseMs);
  return { baseMs: Math.min(Math.max(baseMs, minMs), maxMs), minMs, maxMs, adaptive: source.schedule.adaptive !== false };
}
