import { CronExpressionParser } from 'cron-parser';

/** Polling more often than this is impolite to publishers and never needed for news. */
export const MIN_EVERY_MS = 60_000;
/** A source polled less often than this is a typo (`99999999d`), not a schedule: a month at most. */
export const MAX_EVERY_MS = 30 * 86_400_000;

const CRON_FORM = 'a 5-field cron expression (minute hour day-of-month month day-of-week)';
const EXAMPLE = 'e.g. "*/10 * * * *" (every 10 minutes) or "0 7 * * MON-FRI"';
/** cron-parser's shorthands that name at most one run a minute (@secondly and @minutely are left out on purpose). */
const SHORTHANDS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** Why `tz` is not an IANA time zone this Node knows, or undefined when it is one. */
export function checkTimeZone(tz: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return undefined;
  } catch {
    return `"${tz}" is not a time zone: use an IANA name such as "Europe/Paris", "America/New_York" or "UTC"`;
  }
}

/**
 * Why a cron schedule cannot be used, in our words, or undefined when it can: exactly five fields (no seconds
 * field: a poll a second is never wanted), a pattern cron-parser (the library BullMQ schedules with) accepts
 * in that time zone, and two next runs at least MIN_EVERY_MS apart. `tz` must already be a valid time zone.
 */
export function checkCron(cron: string, tz: string | undefined, now = new Date()): string | undefined {
  const text = cron.trim();
  const fields = text.split(/\s+/).filter(Boolean);
  if (text.startsWith('@')) {
    if (!SHORTHANDS.has(text.toLowerCase())) return `cron "${cron}" is not ${CRON_FORM} nor one of ${[...SHORTHANDS].join(', ')}; ${EXAMPLE}`;
  } else if (fields.length === 6) {
    return `cron "${cron}" has 6 fields: a seconds field is not allowed (polls are at least 1m apart); use ${CRON_FORM}, ${EXAMPLE}`;
  } else if (fields.length !== 5) {
    return `cron "${cron}" is not ${CRON_FORM}: it has ${fields.length} field${fields.length === 1 ? '' : 's'}; ${EXAMPLE}`;
  }
  // cron-parser reads "H" as a random value drawn anew at each computation, so the runs would jump around.
  if (!text.startsWith('@') && fields.some((f) => /(^|[^a-z])h($|[^a-z])/i.test(f))) return `cron "${cron}" uses "H" (a random value): name the minute and hour, ${EXAMPLE}`;
  let runs: number[];
  try {
    const expression = CronExpressionParser.parse(text, { currentDate: now, ...(tz ? { tz } : {}) });
    runs = [expression.next().getTime(), expression.next().getTime()];
  } catch (err) {
    return `cron "${cron}" is not ${CRON_FORM}: ${describeCronError(err)}; ${EXAMPLE}`;
  }
  // With the seconds field refused, this cannot trigger today: five fields name minutes, every time zone in use
  // has a whole-minute offset, so two distinct runs are at least 60 s apart (probed with `* * * * *`, `0,59 * * * *`,
  // `* 1-3 * * *`… across the 2026 DST changes of New York, London, Lord Howe (30 min), Kathmandu, Chatham and
  // St John's: never under 60 s). It stays as the rule itself, should cron-parser ever read a pattern finer than that.
  if (runs[1]! - runs[0]! < MIN_EVERY_MS) return `cron "${cron}" runs more often than once a minute; polls must be at least 1m apart`;
  return undefined;
}

/** cron-parser's messages ("cannot resolve alias \"ban\"") read better with what was wrong named first. */
function describeCronError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/alias/i.test(message)) return `a field holds a word that is not a month or day name (${message.replace(/^Validation error, /i, '')})`;
  if (/out of range|Constraint error/i.test(message)) return `a value is out of range (${message.replace(/^Constraint error, /i, '')})`;
  return message.replace(/^Validation error, /i, '');
}
