import { zoneOffset } from './dateZones.ts';

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

// A zone as feeds write it: a name ("GMT", "EST", military "Z"/"A"…), a numeric offset ("+0200", "+02:00",
// "-07", "GMT+0100"), or an offset followed by a name in parentheses or not ("-0700 (PDT)", "-0700 MST"),
// where the offset wins.
const ZONE = String.raw`(?:[A-Za-z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2}|[+-]\d{1,2})(?:\s*\(?[A-Za-z]{1,5}\)?)?`;
const TIME = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?`;
// RFC 822 wants hh:mm; "1500" (no colon) is common enough in old feeds to read too.
const RFC_TIME = String.raw`(\d{1,2}):?(\d{2})(?::(\d{2})(?:[.,](\d+))?)?`;
const ISO_TIME = String.raw`(?:[T\s]+(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?`;
const ISO_ZONE = String.raw`\s*(Z|[+-]\d{2}(?::?\d{2})?|[A-Za-z]{2,5})?`;

type Reader = (m: RegExpExecArray) => number | undefined;

/**
 * The grammars, as data. The first whose *shape* matches decides: "2023-02-31" is an invalid ISO date and
 * stays null, nothing else gets a second guess at it. A shape not listed here is null (no Date.parse
 * fallback: engine-dependent, and it reads "1" or "Tuesday 7" as dates).
 */
const GRAMMARS: { name: string; pattern: RegExp; read: Reader }[] = [
  // W3C-DTF partials: YYYY and YYYY-MM, read as their first day, midnight UTC. (YYYYMM is not ISO 8601.)
  { name: 'w3cdtf-partial', pattern: /^(\d{4})(?:-(\d{2}))?$/, read: readW3cPartial },
  // ISO 8601 / W3C-DTF calendar dates, extended or basic: 2003-12-13T18:30:02.25+01:00, 2003-12-13T18:30Z,
  // 20040105T151500Z, 2003-12-13 18:30:02 +0000 (a space for the T), 2003-12-13 18:30:02 EST.
  { name: 'iso-calendar', pattern: new RegExp(String.raw`^(\d{4})(?:-(\d{2})-(\d{2})|(\d{2})(\d{2}))${ISO_TIME}${ISO_ZONE}$`), read: readIsoCalendar },
  // ISO 8601 week dates: 2004-W53-6, 2004W536, 2004-W53 (its Monday), with an optional time.
  { name: 'iso-week', pattern: new RegExp(String.raw`^(\d{4})-?W(\d{2})(?:-?([1-7]))?${ISO_TIME}${ISO_ZONE}$`, 'i'), read: readIsoWeek },
  // ISO 8601 ordinal dates: 2004-366, 2004366, with an optional time.
  { name: 'iso-ordinal', pattern: new RegExp(String.raw`^(\d{4})-?(\d{3})${ISO_TIME}${ISO_ZONE}$`), read: readIsoOrdinal },
  // 2006/01/02 and 2006/01/02 15:04:05 (year first, so not ambiguous).
  { name: 'year-slash', pattern: new RegExp(String.raw`^(\d{4})/(\d{1,2})/(\d{1,2})(?:[\sT]+${TIME})?\s*(${ZONE})?$`), read: readYearSlash },
  // RFC 822 / 2822 "Mon, 2 Jan 2006 15:04:05 -0700" and its relatives: no weekday, a wrong weekday, no
  // seconds, two-digit years, "Sept", a dot after the month, a named, military or numeric zone, "GMT+0100".
  {
    name: 'rfc822',
    pattern: new RegExp(String.raw`^(?:[A-Za-z]+\.?,?\s*)?(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+)\.?,?[\s-]+(\d{2,4}),?(?:[\sT]+${RFC_TIME}\s*(?:([AaPp][Mm])\s*)?)?\s*\(?(${ZONE})?\)?$`),
    read: readRfc822,
  },
  // "January 2, 2006 3:04 PM EST", "Jan 2 2006 15:04:05 GMT", JavaScript's "Mon Jan 02 2006 15:04:05 GMT-0700 (MST)".
  {
    name: 'month-first',
    pattern: new RegExp(String.raw`^(?:[A-Za-z]+,?\s+)?([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:,?\s+(?:at\s+)?${TIME}\s*([AaPp][Mm])?)?\s*(${ZONE})?$`),
    read: readMonthFirst,
  },
  // asctime and Unix date(1): "Mon Jan  2 15:04:05 2006", "Mon Jan 2 15:04:05 MST 2006", "Mon Jan 02 15:04:05 -0700 2006".
  { name: 'asctime', pattern: new RegExp(String.raw`^(?:[A-Za-z]+,?\s+)?([A-Za-z]+)\s+(\d{1,2})\s+${TIME}\s+(?:(${ZONE})\s+)?(\d{4})$`), read: readAsctime },
];

/**
 * A feed date to an ISO 8601 UTC string, or null when it cannot be read. Never throws: a bad date
 * leaves the item without a date, it does not drop it.
 */
export function parseDate(value: string | null | undefined): string | null {
  if (!value) return null;
  const text = value.trim().replace(/\s+/g, ' ');
  if (!text) return null;
  const grammar = GRAMMARS.find((g) => g.pattern.test(text));
  if (!grammar) return null;
  const ms = grammar.read(grammar.pattern.exec(text)!);
  if (ms === undefined || !Number.isFinite(ms)) return null;
  const year = new Date(ms).getUTCFullYear();
  // Year 1 and year 9999 are placeholders, not dates.
  if (year < 1900 || year > 2200) return null;
  return new Date(ms).toISOString();
}

function readW3cPartial(m: RegExpExecArray): number | undefined {
  const [, y, mo = '01'] = m;
  return build(Number(y), Number(mo) - 1, 1, 0, 0, 0, 0, 0);
}

function readIsoCalendar(m: RegExpExecArray): number | undefined {
  const [, y, extMonth, extDay, basicMonth, basicDay, h, mi, s, frac, zone] = m;
  return buildIso(Number(y), Number(extMonth ?? basicMonth) - 1, Number(extDay ?? basicDay), h, mi, s, frac, zone);
}

function readIsoWeek(m: RegExpExecArray): number | undefined {
  const [, y, w, d = '1', h, mi, s, frac, zone] = m;
  const year = Number(y);
  const week = Number(w);
  if (week < 1 || week > isoWeeksIn(year)) return undefined;
  // ISO week 1 holds the year's first Thursday, so it starts on the Monday on or before 4 January.
  const jan4 = new Date(Date.UTC(2000, 0, 4));
  jan4.setUTCFullYear(year, 0, 4);
  const mondayOfWeek1 = jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000;
  const day = new Date(mondayOfWeek1 + ((week - 1) * 7 + Number(d) - 1) * 86_400_000);
  return buildIso(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), h, mi, s, frac, zone);
}

function readIsoOrdinal(m: RegExpExecArray): number | undefined {
  const [, y, ord, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const n = Number(ord);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (n < 1 || n > (leap ? 366 : 365)) return undefined;
  const day = new Date(Date.UTC(2000, 0, 1));
  day.setUTCFullYear(year, 0, n);
  return buildIso(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), h, mi, s, frac, zone);
}

function readYearSlash(m: RegExpExecArray): number | undefined {
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac, zone] = m;
  return build(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), fraction(frac), zoneOffset(zone));
}

function readRfc822(m: RegExpExecArray): number | undefined {
  const [, d, monthName, y, h = '0', mi = '0', s = '0', frac, ampm, zone] = m;
  const month = monthIndex(monthName!);
  if (month === undefined) return undefined;
  return build(fullYear(y!), month, Number(d), hour12(Number(h), ampm), Number(mi), Number(s), fraction(frac), zoneOffset(zone));
}

function readMonthFirst(m: RegExpExecArray): number | undefined {
  const [, monthName, d, y, h = '0', mi = '0', s = '0', frac, ampm, zone] = m;
  const month = monthIndex(monthName!);
  if (month === undefined) return undefined;
  return build(Number(y), month, Number(d), hour12(Number(h), ampm), Number(mi), Number(s), fraction(frac), zoneOffset(zone));
}

function readAsctime(m: RegExpExecArray): number | undefined {
  const [, monthName, d, h, mi, s = '0', frac, zone, y] = m;
  const month = monthIndex(monthName!);
  if (month === undefined) return undefined;
  return build(Number(y), month, Number(d), Number(h), Number(mi), Number(s), fraction(frac), zoneOffset(zone));
}

function buildIso(y: number, mo: number, d: number, h = '0', mi = '0', s = '0', frac: string | undefined, zone: string | undefined): number | undefined {
  return build(y, mo, d, Number(h), Number(mi), Number(s), fraction(frac), zoneOffset(zone));
}

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin: number | undefined): number | undefined {
  if (offsetMin === undefined || mo < 0 || mo > 11 || d < 1 || d > 31 || mi > 59 || s > 60) return undefined;
  // 24:00 is the end of the day (ISO 8601); 24:30 is nothing.
  if (h > 24 || (h === 24 && (mi > 0 || s > 0 || ms > 0))) return undefined;
  // setUTCFullYear, because Date.UTC maps years 0–99 to 1900–1999.
  const date = new Date(Date.UTC(2000, 0, 1, 0, mi, Math.min(s, 59), ms));
  date.setUTCFullYear(y, mo, d);
  // Reject roll-overs such as 31 February.
  if (date.getUTCDate() !== d) return undefined;
  return date.getTime() + h * 3_600_000 - offsetMin * 60_000;
}

/** The number of ISO weeks in a year: 53 when it starts on a Thursday, or is a leap year starting on a Wednesday. */
function isoWeeksIn(year: number): number {
  const jan1 = new Date(Date.UTC(2000, 0, 1));
  jan1.setUTCFullYear(year, 0, 1);
  const day = jan1.getUTCDay();
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day === 4 || (leap && day === 3) ? 53 : 52;
}

function fraction(frac: string | undefined): number {
  return frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
}

function monthIndex(name: string): number | undefined {
  return MONTHS[name.slice(0, 3).toLowerCase()];
}

function fullYear(y: string): number {
  const n = Number(y);
  // RFC 2822 §4.3: two-digit years below 50 are 20xx, others 19xx; three digits add 1900.
  if (y.length === 2) return n < 50 ? 2000 + n : 1900 + n;
  if (y.length === 3) return 1900 + n;
  return n;
}

function hour12(h: number, ampm: string | undefined): number {
  if (!ampm) return h;
  const pm = ampm.toLowerCase() === 'pm';
  return (h % 12) + (pm ? 12 : 0);
}
