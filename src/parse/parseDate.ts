const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

// RFC 822 §5.1 zones, military "Z", and the abbreviations real feeds use anyway. Unknown names count as UTC.
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0, bst: 60, ist: 330, cet: 60, cest: 120, met: 60, mest: 120, eet: 120,
  eest: 180, msk: 180, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480,
  pdt: -420, akst: -540, akdt: -480, hst: -600, jst: 540, kst: 540, aest: 600, aedt: 660, acst: 570,
  awst: 480, nzst: 720, nzdt: 780, sgt: 480, hkt: 480,
};

const ISO = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T\s]+(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
// "Mon, 2 Jan 2006 15:04:05 -0700" and its relatives: no weekday, a wrong weekday, no seconds,
// two-digit years, "Sept", a dot after the month, a named or numeric zone, "GMT+0100".
const RFC822 = /^(?:[A-Za-z]+\.?,?\s*)?(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+)\.?,?[\s-]+(\d{2,4}),?(?:[\sT]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:([AaPp][Mm])\s*)?)?\s*\(?([A-Za-z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2}|[+-]\d{1,2})?\)?$/;
// "January 2, 2006 3:04 PM EST" and "Jan 2 2006 15:04:05 GMT".
const MONTH_FIRST = /^(?:[A-Za-z]+,?\s+)?([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:,?\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?\s*([A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?$/;

/**
 * A feed date to an ISO 8601 UTC string, or null when it cannot be read. Never throws: a bad date
 * leaves the item without a date, it does not drop it.
 */
export function parseDate(value: string | null | undefined): string | null {
  if (!value) return null;
  const text = value.trim().replace(/\s+/g, ' ');
  if (!text) return null;
  // The first grammar whose shape matches decides: "2023-02-31" is an invalid ISO date, not a job for
  // Date.parse (which would roll it over to 3 March).
  const ms = ISO.test(text) ? parseIso(text) : RFC822.test(text) ? parseRfc822(text) : MONTH_FIRST.test(text) ? parseMonthFirst(text) : parseFallback(text);
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

function parseFallback(text: string): number | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
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
