/**
 * Canonical links, as data. Two uses with different needs:
 * - `normalizeUrl`: the form used to compare identities (de-duplication, related coverage). Aggressive:
 *   tracking parameters and AMP flags removed, query sorted, fragment dropped.
 * - `cleanLink`: the form we publish. Conservative: tracking parameters removed (also from a fragment that
 *   carries parameters) and AMP caches unwrapped, otherwise the link exactly as the publisher gave it (their
 *   query order, their encoding, their fragment).
 *
 * Not reversed, by decision: AMP path forms (`/amp/`, `/amp`, `.amp.html`, `amp.example.com`). Sites
 * use them for unrelated pages too (`/amp/` is a product name, a category, a city), so stripping them would
 * merge different articles. The page's own `rel=canonical`, read by the enrich stage, settles those
 * (dedupe/recordCanonical.ts). Nor is `www.` stripped, nor a trailing slash touched: a different host or
 * path can be a different document.
 */

/** One family of query parameters that identify a campaign, a click or a share, never the document. */
export interface TrackingFamily {
  family: string;
  /** Parameter names, compared case-insensitively. */
  names: readonly string[];
  /** Name prefixes, compared case-insensitively (`utm_` covers utm_source, utm_medium, …). */
  prefixes: readonly string[];
}

/** The documented list (README, "Canonical links"). Add a family here, with a comment, never a regex elsewhere. */
export const TRACKING_PARAMS: readonly TrackingFamily[] = [
  // Google Analytics campaign tags, the most common by far (utm_source, utm_medium, utm_campaign, utm_term, utm_content, utm_id…).
  { family: 'UTM campaign tags', names: [], prefixes: ['utm_'] },
  // Click identifiers appended by ad networks and platforms when a link is followed.
  {
    family: 'ad and platform click ids',
    names: ['fbclid', 'gclid', 'gclsrc', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'ttclid', 'li_fat_id', 'rb_clickid', 'srsltid', 's_kwcid', 'ef_id', '_openstat'],
    prefixes: [],
  },
  // Google Analytics cross-domain linker.
  { family: 'Google Analytics linker', names: ['_ga', '_gl'], prefixes: [] },
  // Mailchimp newsletter campaign and member ids.
  { family: 'Mailchimp', names: ['mc_cid', 'mc_eid'], prefixes: [] },
  // Instagram and Twitter/X share markers.
  { family: 'social share markers', names: ['igshid', 'igsh', 'ref_src', 'sr_share'], prefixes: [] },
  // Marketing automation: HubSpot, Marketo, Vero, Omeda (Olytics), Drip.
  {
    family: 'marketing automation',
    names: ['_hsenc', '_hsmi', '__hstc', '__hssc', '__hsfp', 'hsctatracking', 'mkt_tok', 'vero_id', 'vero_conv', 'oly_anon_id', 'oly_enc_id', '__s'],
    prefixes: [],
  },
  // Publishers' campaign codes read by Adobe Analytics and similar: cmpid, CMP (The Guardian), cmp, s_cid, ncid (Yahoo, HuffPost), ocid (MSN), ito (internal promos).
  { family: 'publisher campaign codes', names: ['cmpid', 'cmp', 's_cid', 'ncid', 'ocid', 'ito'], prefixes: [] },
  // AT Internet / Piano Analytics (xtor, at_medium, at_campaign, at_custom…).
  { family: 'AT Internet / Piano', names: ['xtor', 'xtref'], prefixes: ['at_'] },
  // Webtrekk / Mapp campaign ids.
  { family: 'Webtrekk', names: ['wt_mc', 'wt_zmc'], prefixes: [] },
  // Comscore / BBC (ns_campaign, ns_mchannel, ns_source, ns_linkname, ns_fee).
  { family: 'Comscore', names: ['ns_campaign', 'ns_mchannel', 'ns_source', 'ns_linkname', 'ns_fee'], prefixes: [] },
  // Alibaba's position markers.
  { family: 'Alibaba spm', names: ['spm'], prefixes: [] },
  // Yahoo's consent redirect.
  { family: 'Yahoo consent', names: ['guccounter', 'guce_referrer', 'guce_referrer_sig'], prefixes: [] },
  // The AMP viewer's own parameters, left on a link copied from an AMP cache (amp_js_v, amp_gsa, amp_ct, amp_tf, usqp).
  { family: 'AMP viewer', names: ['usqp'], prefixes: ['amp_'] },
];

const TRACKING_NAMES = new Set(TRACKING_PARAMS.flatMap((f) => f.names.map((n) => n.toLowerCase())));
const TRACKING_PREFIXES = TRACKING_PARAMS.flatMap((f) => f.prefixes.map((p) => p.toLowerCase()));

export function isTrackingParam(name: string): boolean {
  const n = name.toLowerCase();
  return TRACKING_NAMES.has(n) || TRACKING_PREFIXES.some((p) => n.startsWith(p));
}

/** Query flags that ask for the AMP rendering of the same document: dropped for identity only (the publisher's link keeps them). */
function isAmpFlag(name: string, value: string): boolean {
  const n = name.toLowerCase();
  return n === 'amp' || (n === 'outputtype' && value.toLowerCase() === 'amp');
}

/** Google's AMP cache (`*.cdn.ampproject.org/c/s/HOST/PATH`, `/v/`, `/i/`; without `s/` the origin is http). */
const AMP_CACHE_HOST = /\.cdn\.ampproject\.org$/;
const AMP_CACHE_PATH = /^\/[cvi]\/(s\/)?([^/]+\.[^/]+)(\/.*)?$/;
/** Google's AMP viewer (`www.google.com/amp/s/HOST/PATH`, any Google country domain). */
const GOOGLE_HOST = /^(www\.)?google\.[a-z]{2,3}(\.[a-z]{2})?$/;
const GOOGLE_AMP_PATH = /^\/amp\/(s\/)?([^/]+\.[^/]+)(\/.*)?$/;

/** AMP wrappers unwrapped in one link (a cache URL of a viewer URL of…); a deeper chain is left as it is. */
const AMP_LAYERS = 3;

/**
 * The origin URL of a deterministic AMP-cache or AMP-viewer URL, or the URL itself. These forms embed the
 * origin host and path verbatim, so the rewrite is exact; the cache's query (the origin's query, plus viewer
 * parameters that TRACKING_PARAMS removes) is carried over, its fragment (viewer state) is not. A wrapper of a
 * wrapper (a link copied from Google's viewer showing a cache page) is unwrapped layer by layer, up to AMP_LAYERS.
 */
function unwrapAmpCache(url: URL): URL {
  let current = url;
  for (let layer = 0; layer < AMP_LAYERS; layer++) {
    const next = unwrapOnce(current);
    if (next === current) return current;
    current = next;
  }
  // Still a wrapper after AMP_LAYERS: no real link nests this deep; keep the link as given.
  return unwrapOnce(current) === current ? current : url;
}

function unwrapOnce(url: URL): URL {
  const host = url.hostname;
  const match = AMP_CACHE_HOST.test(host) ? AMP_CACHE_PATH.exec(url.pathname) : GOOGLE_HOST.test(host) ? GOOGLE_AMP_PATH.exec(url.pathname) : null;
  if (!match) return url;
  let origin: URL;
  try {
    origin = new URL(`${match[1] ? 'https' : 'http'}://${match[2]}${match[3] ?? '/'}${url.search}`);
  } catch {
    return url;
  }
  // The embedded host must be a real host: not credentials, not empty.
  if (origin.hostname === '' || origin.username !== '' || origin.password !== '') return url;
  return origin;
}

function parseHttp(input: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url;
}

/** A query parameter's name as a server reads it (`+` is a space, percent-escapes decoded); the raw text when it does not decode. */
function paramName(part: string): string {
  const raw = part.split('=', 1)[0]!.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** What a feed that escaped its links twice leaves of `&amp;`: `?id=7&amp;utm_source=rss` reads as a parameter `amp;utm_source`. */
const ESCAPED_SEPARATOR = /^(amp;)+/i;

/**
 * Query (or fragment) text less its tracking parameters, as raw text (the rest untouched). Separators as
 * servers and feeds write them: `&`, the `;` of older servers (`?id=7;utm_source=rss`), and `&amp;` left by a
 * feed that escaped its links twice. A piece without `=` after a removed one is part of its value (`utm_content=a;b`).
 */
function withoutTracking(text: string): { text: string; removed: boolean } {
  let removed = false;
  const kept = text.split('&').flatMap((part) => {
    if (part === '') return [];
    const prefix = ESCAPED_SEPARATOR.exec(part)?.[0] ?? '';
    let dropping = false;
    const pieces = part.slice(prefix.length).split(';').filter((piece) => {
      dropping = isTrackingParam(paramName(piece)) || (dropping && !piece.includes('='));
      return !dropping;
    });
    if (pieces.length === part.slice(prefix.length).split(';').length) return [part];
    removed = true;
    return pieces.length ? [prefix + pieces.join(';')] : [];
  });
  return { text: kept.join('&'), removed };
}

/** A fragment that carries parameters (`#utm_source=rss&…`, `#/route?utm_campaign=x`) less the tracking ones; any other fragment as it is. */
function fragmentWithoutTracking(hash: string): string {
  const fragment = hash.slice(1);
  const q = fragment.indexOf('?');
  if (q < 0 && !fragment.includes('=')) return hash;
  const head = q < 0 ? '' : fragment.slice(0, q);
  const { text, removed } = withoutTracking(q < 0 ? fragment : fragment.slice(q + 1));
  if (!removed) return hash;
  const rest = text ? `${q < 0 ? '' : '?'}${text}` : '';
  return head + rest ? `#${head}${rest}` : '';
}

/**
 * The link to publish: tracking parameters removed (query, and a fragment carrying parameters) and an AMP
 * cache unwrapped to the origin, and otherwise exactly what the publisher gave (query order and encoding
 * untouched, any other fragment kept). Undefined for
 * anything that is not an absolute http(s) URL.
 */
export function cleanLink(input: string): string | undefined {
  const parsed = parseHttp(input);
  if (!parsed) return undefined;
  const url = unwrapAmpCache(parsed);
  if (url !== parsed) url.hash = '';
  if (url.search) {
    const { text, removed } = withoutTracking(url.search.slice(1));
    if (removed || text === '') url.search = text ? `?${text}` : '';
  }
  if (url.hash) url.hash = fragmentWithoutTracking(url.hash);
  if (url.hostname.endsWith('.')) url.hostname = url.hostname.replace(/\.+$/, '');
  return url.href;
}

/**
 * The form of a URL used to compare identities: scheme and host lower-cased and the default port dropped
 * (WHATWG URL does both), the path's percent-escapes normalised (RFC 3986 §6.2.2), a trailing dot of the host,
 * the fragment and credentials removed, an AMP cache or
 * viewer URL unwrapped to its origin, tracking parameters and AMP flags removed and the rest sorted.
 * Returns undefined for anything that is not an absolute http(s) URL.
 */
export function normalizeUrl(input: string): string | undefined {
  const parsed = parseHttp(input);
  if (!parsed) return undefined;
  const url = unwrapAmpCache(parsed);
  url.hash = '';
  url.username = '';
  url.password = '';
  if (url.hostname.endsWith('.')) url.hostname = url.hostname.replace(/\.+$/, '');
  // RFC 3986 §6.2.2: percent-escapes of unreserved characters decoded (`%7E` is `~`), the others in upper case.
  url.pathname = url.pathname.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${hex.toUpperCase()}`;
  });
  url.search = withoutTracking(url.search.slice(1)).text;
  const kept = [...url.searchParams].map(([k, v]): [string, string] => [k.replace(ESCAPED_SEPARATOR, ''), v]).filter(([k, v]) => !isTrackingParam(k) && !isAmpFlag(k, v));
  kept.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  url.search = new URLSearchParams(kept).toString();
  return url.href;
}

