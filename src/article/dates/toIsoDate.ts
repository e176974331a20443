import { parseDate } from '../../parse/parseDate.ts';
import { findTextDates } from './findTextDates.ts';

/** A date read off the page: `value` is what the field carries, `ms` orders candidates (a bare day counts as its UTC midnight). */
export interface DateValue {
  /** ISO 8601: `YYYY-MM-DDTHH:MM:SSZ` when a time is given (offsets honoured), `YYYY-MM-DD` when only the day is known. */
  value: string;
  ms: number;
  hasTime: boolean;
  /** The rule name to report when the rule is a family (`meta:article:publicationdate` from the meta-name pattern). */
  via?: string;
}

const MAX_LENGTH = 120;
const DAY_ONLY = /^(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})$/;
const ISO_TIME = /^\d{4}-\d{1,2}-\d{1,2}[T\s]+\d{1,2}:?\d{2}/i;
const CLOCK = /\d{1,2}:\d{2}/;
const EPOCH = /^\d{10}(?:\d{3})?$/;

/**
 * A structured date value (a meta content, a JSON-LD string, a `datetime` attribute) to a DateValue, or
 * undefined when it cannot be read. Never throws. Feed grammars (ISO 8601, RFC 822, "January 2, 2006 3:04 PM")
 * go through the feed coercer; other shapes ("5. März 2024", "2024年3月5日") through the text-date reader, day only.
 */
export function toIsoDate(raw: unknown): DateValue | undefined {
  if (typeof raw === 'number' && Number.isFinite(raw)) return fromEpoch(String(Math.trunc(raw)));
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (!text || text.length > MAX_LENGTH) return undefined;
  const day = DAY_ONLY.exec(text);
  if (day) return toDay(Number(day[1]), Number(day[2]), Number(day[3]));
  if (EPOCH.test(text)) return fromEpoch(text);
  // A value with a clock time is a date-time for the feed grammars; the rest is read as a day.
  if (ISO_TIME.test(text) || (CLOCK.test(text) && /(?:19|20)\d{2}/.test(text))) {
    const iso = parseDate(text);
    if (iso) return fromIso(iso);
  }
  const found = findTextDates(text)[0];
  return found ? toDay(found.year, found.month, found.day) : undefined;
}

/** A calendar day, validated (no 31 February), as a DateValue. */
export function toDay(year: number, month: number, day: number): DateValue | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1000 || year > 9999) return undefined;
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  if (d.getUTCDate() !== day || d.getUTCMonth() !== month - 1) return undefined;
  return { value: d.toISOString().slice(0, 10), ms, hasTime: false };
}

function fromIso(iso: string): DateValue | undefined {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  return { value: iso.replace(/\.000Z$/, 'Z'), ms, hasTime: true };
}

function fromEpoch(digits: string): DateValue | undefined {
  const ms = digits.length === 13 ? Number(digits) : Number(digits) * 1000;
  if (!Number.isFinite(ms)) return undefined;
  return fromIso(new Date(ms).toISOString());
}
