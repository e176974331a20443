/**
 * Time zone names feeds write, in minutes east of UTC. RFC 822 §5.1 names them (UT, GMT, EST…); the rest
 * are abbreviations real feeds use anyway. Where an abbreviation is ambiguous the reading here is the one
 * feeds mean most often: IST is India (not Israel or Ireland), CST is US Central (not China), BST is British
 * Summer Time, AST is Atlantic. ET/CT/MT/PT are read at standard time, as feedparser does.
 */
export const NAMED_ZONES: Readonly<Record<string, number>> = {
  // UTC and Europe
  ut: 0, utc: 0, gmt: 0, wet: 0, west: 60, bst: 60, cet: 60, cest: 120, met: 60, mest: 120, mez: 60, mesz: 120,
  eet: 120, eest: 180, msk: 180, trt: 180,
  // North America
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  et: -300, ct: -360, mt: -420, pt: -480, akst: -540, akdt: -480, hst: -600, hdt: -540,
  ast: -240, adt: -180, at: -240, nst: -210, ndt: -150,
  // South America
  brt: -180, brst: -120, art: -180, clt: -240, clst: -180, cot: -300, pet: -300, vet: -240, uyt: -180,
  // Africa and the Middle East
  wat: 60, cat: 120, sast: 120, eat: 180, idt: 180, gst: 240, irst: 210,
  // Asia and the Pacific
  ist: 330, pkt: 300, npt: 345, ict: 420, wib: 420, wita: 480, wit: 540, sgt: 480, hkt: 480, pht: 480, myt: 480,
  awst: 480, jst: 540, kst: 540, acst: 570, acdt: 630, aest: 600, aedt: 660, nzst: 720, nzdt: 780,
};

/**
 * RFC 822 §5.1 military zones, read as RFC 822 writes them: A = -1 h … I = -9 h, K = -10 h … M = -12 h,
 * N = +1 h … Y = +12 h, Z = UTC; J is not a zone. RFC 1123 §5.2.14 says RFC 822 got the signs backwards
 * and advises reading them as UTC; we follow feedparser (a = -1, n = +1, m = -12, y = +12), the one feed
 * parser that reads them at all (gofeed and rss-parser do not).
 */
export const MILITARY_ZONES: Readonly<Record<string, number>> = Object.fromEntries([
  ...[...'abcdefghi'].map((c, i) => [c, -60 * (i + 1)] as const),
  ...[...'klm'].map((c, i) => [c, -60 * (i + 10)] as const),
  ...[...'nopqrstuvwxy'].map((c, i) => [c, 60 * (i + 1)] as const),
  ['z', 0] as const,
]);

/**
 * Minutes east of UTC for a zone as written ("GMT", "Z", "N", "+0200", "+02:00", "-07", "GMT+0100",
 * "-0700 (PDT)", "-0700 MST"); a missing zone means UTC, and so does a name we do not know (the date is
 * kept, at worst some hours off). Undefined when the offset is impossible (beyond ±14:00, minutes over 59).
 */
export function zoneOffset(zone: string | undefined): number | undefined {
  if (!zone) return 0;
  const z = zone.toLowerCase().replace(/[()]/g, ' ').replace(/\s+/g, ' ').trim();
  if (!z) return 0;
  // An offset, maybe after a name ("GMT+0100") and before one ("-0700 (PDT)"): the offset is the zone.
  const numeric = /^([a-z]{0,5})([+-])(\d{1,2})(?::?(\d{2}))?(?: [a-z]{1,5})?$/.exec(z);
  if (numeric) {
    const [, name, sign, hh, mm = '00'] = numeric;
    if (Number(hh) > 14 || Number(mm) > 59) return undefined;
    const base = name ? (NAMED_ZONES[name] ?? 0) : 0;
    return base + (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm));
  }
  if (/^[a-z]+$/.test(z)) return NAMED_ZONES[z] ?? MILITARY_ZONES[z] ?? 0;
  return undefined;
}
