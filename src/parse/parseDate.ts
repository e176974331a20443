const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

// RFC 822 §5.1 zones and the abbreviations real feeds use anyway. Unknown names count as UTC.
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0, bst: 60, ist: 330, cet: 60, cest: 120, met: 60, mest: 120, eet: 120,
  eest: 180, msk: 180, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480,
  pdt: -420, akst: -540, akdt: -480, hst: -600, jst: 540, kst: 540, aest: 600, aedt: 660, acst: 570,
  awst: 480, nzst: 720, nzdt: 780, sgt: 480, hkt: 480, ast: -240, adt: -180, at: -240, et: -300, ct: -360,
  mt: -420, pt: -480, idt: 180, wib: 420, brt: -180, art: -180, pht: 480, ict: 420, cat: 120, eat: 180,
  wat: 60, sast: 120, nst: -210, ndt: -150,
  ...militaryZones(),
};

/**
 * RFC 822 §5.1 military zones as written there: A (−1 h) to M (−12 h) without J, N (+1 h) to Y (+12 h), Z (UT).
 * RFC 1123 §5.2.14 notes the signs were printed reversed and advises treating them as UT; we read them as
 * RFC 822 defines them, as feedparser does.
 */
function militaryZones(): Record<string, number> {
  const zones: Record<string, number> = {};
  'abcdefghiklm'.split('').forEach((l, i) => (zones[l] = -60 * (i + 1)));
  'nopqrstuvwxy'.split('').forEach((l, i) => (zones[l] = 60 * (i + 1)));
  return zones;
}

const ISO = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T\s]+(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
// "Mon, 2 Jan 2006 15:04:05 -0700" and its relatives: no weekday, a wrong weekday, no seconds,
// two-digit years, "Sept", a dot after the month, a named or numeric zone, "GMT+0100".
const RFC822 = /^(?:[A-Za-z]+\.?,?\s*)?(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+)\.?,?[\s-]+(\d{2,4}),?(?:[\sT]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:([AaPp][Mm])\s*)?)?\s*\(?([A-Za-z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2}|[+-]\d{1,2})?\)?$/;
// "January 2, 2006 3:04 PM EST" and "Jan 2 2006 15:04:05 GMT".
const MONTH_FIRST = /^(?:[A-Za-z]+,?\s+)?([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:,?\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?\s*([A-Za-z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2})?(?:\s*\([A-Za-z ]{1,40}\))?$/;
// asctime and JavaScript's Date#toString: "Thu Jan  1 19:48:21 2004", "Thu Jan 01 2004 19:48:21 GMT+0000 (UTC)".
const ASCTIME = /^[A-Za-z]{3},?\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(?:([A-Za-z]{1,5}|[+-]\d{4})\s+)?(\d{4})$/;
// W3C-DTF partials (https://www.w3.org/TR/NOTE-datetime): a year, a year and month.
const YEAR_MONTH = /^(\d{4})(?:-(\d{2}))?$/;
// ISO 8601 week dates (2004-W53-6, 2004W536) and ordinal dates (2004-366, 2004366), with an optional time.
const ISO_WEEK = /^(\d{4})-?W(\d{2})(?:-?([1-7]))?(?:[T\s](\d{2}):?(\d{2})(?::?(\d{2}))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const ISO_ORDINAL = /^(\d{4})-?(\d{3})(?:[T\s](\d{2}):?(\d{2})(?::?(\d{2}))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
// Seconds since 1970, as some generators write a pubDate.
const EPOCH = /^\d{10}$/;

/**
 * A feed date to an ISO 8601 UTC string, or null when it cannot be read. Never throws: a bad date
 * leaves the item without a date, it does not drop it.
 */
export function parseDate(value: string | null | undefined): string | null {
  if (!value) return null;
  const text = value.trim().replace(/\s+/g, ' ');
  if (!text) return null;
  // The first grammar whose shape matches decides: "2023-02-31" is an invalid ISO date, never rolled over to
  // 3 March. A text no grammar knows is no date (no engine-dependent Date.parse guess).
  const ms = ISO.test(text) ? parseIso(text) : RFC822.test(text) ? parseRfc822(text) : MONTH_FIRST.test(text) ? parseMonthFirst(text) : parseOther(text);
  if (ms === undefined || !Number.isFinite(ms)) return null;
  const year = new Date(ms).getUTCFullYear();
  // Year 1 and year 9999 are placeholders, not dates.
  if (year < 1900 || year > 2200) return null;
  return new Date(ms).toISOString();
}

function parseIso(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m;
  const millis = Number(`0.${frac}`) * 1000;
  return build(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), millis, zoneOffset(zone));
}

function parseRfc822(text: string): number | undefined {
  const m = RFC822.exec(text);
  if (!m) return undefined;
  const [, d, monthName, y, h = '0', mi = '0', s = '0', ampm, zone] = m;
  const month = monthIndex(monthName!);
  if (month === undefined) return undefined;
  return build(fullYear(y!), month, Number(d), hour12(Number(h), ampm), Number(mi), Number(s), 0, zoneOffset(zone));
}

function parseMonthFirst(text: string): number | undefined {
  const m = MONTH_FIRST.exec(text);
  if (!m) return undefined;
  const [, monthName, d, y, h = '0', mi = '0', s = '0', ampm, zone] = m;
  const month = monthIndex(monthName!);
  if (month === undefined) return undefined;
  return build(Number(y), month, Number(d), hour12(Number(h), ampm), Number(mi), Number(s), 0, zoneOffset(zone));
}

function parseOther(text: string): number | undefined {
  let m = ASCTIME.exec(text);
  if (m) {
    const [, monthName, d, h, mi, s, zone, y] = m;
    const month = monthIndex(monthName!);
    return month === undefined ? undefined : build(Number(y), month, Number(d), Number(h), Number(mi), Number(s), 0, zoneOffset(zone));
  }
  if ((m = YEAR_MONTH.exec(text))) return build(Number(m[1]), m[2] ? Number(m[2]) - 1 : 0, 1, 0, 0, 0, 0, 0);
  if ((m = ISO_WEEK.exec(text))) {
    const [, y, w, wd = '1', h = '0', mi = '0', s = '0', zone] = m;
    const week = Number(w);
    if (week < 1 || week > isoWeeksIn(Number(y))) return undefined;
    // ISO 8601: week 1 is the week with the year's first Thursday; 4 January is always in it.
    const jan4 = Date.UTC(Number(y), 0, 4);
    const mondayOfWeek1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000;
    const day = new Date(mondayOfWeek1 + ((week - 1) * 7 + Number(wd) - 1) * 86_400_000);
    return build(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), Number(h), Number(mi), Number(s), 0, zoneOffset(zone));
  }
  if ((m = ISO_ORDINAL.exec(text))) {
    const [, y, ordinal, h = '0', mi = '0', s = '0', zone] = m;
    const n = Number(ordinal);
    const leap = new Date(Date.UTC(Number(y), 1, 29)).getUTCMonth() === 1;
    if (n < 1 || n > (leap ? 366 : 365)) return undefined;
    const day = new Date(Date.UTC(Number(y), 0, n));
    return build(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), Number(h), Number(mi), Number(s), 0, zoneOffset(zone));
  }
  if (EPOCH.test(text)) return Number(text) * 1000;
  return undefined;
}

/** 53 when the year starts on a Thursday, or is a leap year starting on a Wednesday; else 52. */
function isoWeeksIn(year: number): number {
  const jan1 = new Date(Date.UTC(year, 0, 1)).getUTCDay();
  const leap = new Date(Date.UTC(year, 1, 29)).getUTCMonth() === 1;
  return jan1 === 4 || (leap && jan1 === 3) ? 53 : 52;
}

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin: number | undefined): number | undefined {
  if (offsetMin === undefined || mo < 0 || mo > 11 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return undefined;
  // setUTCFullYear, because Date.UTC maps years 0–99 to 1900–1999.
  const date = new Date(Date.UTC(2000, 0, 1, h, mi, Math.min(s, 59), ms));
  date.setUTCFullYear(y, mo, d);
  // Reject roll-overs such as 31 February.
  if (date.getUTCDate() !== d) return undefined;
  return date.getTime() - offsetMin * 60_000;
}

function monthIndex(name: string): number | undefined {
  return MONTHS[name.slice(0, 3).toLowerCase()];
}

function fullYear(y: string): number {
  const n = Number(y);
  // RFC 2822 §4.3: two-digit years below 50 are 20xx, others 19xx.
  if (y.length === 2) return n < 50 ? 2000 + n : 1900 + n;
  if (y.length === 3) return 1900 + n;
  return n;
}

function hour12(h: number, ampm: string | undefined): number {
  if (!ampm) return h;
  const pm = ampm.toLowerCase() === 'pm';
  return (h % 12) + (pm ? 12 : 0);
}

/** Minutes east of UTC; undefined when the zone text is malformed. A missing zone means UTC. */
function zoneOffset(zone: string | undefined): number | undefined {
  if (!zone) return 0;
  const z = zone.toLowerCase();
  const numeric = /^([a-z]{0,5})([+-])(\d{1,2}):?(\d{2})?$/.exec(z);
  if (numeric) {
    const [, name, sign, hh, mm = '00'] = numeric;
    const base = name ? (ZONES[name] ?? 0) : 0;
    return base + (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm));
  }
  if (/^[a-z]+$/.test(z)) return ZONES[z] ?? 0;
  return undefined;
}
