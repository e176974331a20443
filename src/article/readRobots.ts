import type { RobotsDirectives } from './types.ts';

/** Robot names whose directives bind us: everyone (`robots`), Google's (which publishers write for everyone), and ours. */
const OUR_BOTS = new Set(['robots', 'googlebot', 'signaldesk', 'signal-desk', '*']);
const VALUED = new Set(['max-snippet', 'max-image-preview', 'max-video-preview', 'unavailable_after']);
const MAX_INPUT = 4096;

export interface RobotsSource {
  /** Shown to editors: `meta robots`, `meta googlebot`, `X-Robots-Tag`. */
  where: string;
  /** The directive list as written (`noindex, max-snippet:50`). */
  value: string;
  /** The robot the whole list is for (a meta's name); undefined for a header, whose lines may name one. */
  bot?: string;
}

/**
 * Combines `<meta name="robots|googlebot">` and `X-Robots-Tag` into one set of directives; the most restrictive
 * wins (`nosnippet` over any `max-snippet`, the smallest `max-snippet`). `unavailable_after` is applied
 * (as noindex) only when `now` is given and the date has passed. Never throws.
 */
export function readRobots(sources: RobotsSource[], now?: number): RobotsDirectives {
  const out: RobotsDirectives = { nosnippet: false, noarchive: false, noindex: false, applied: [] };
  for (const source of sources) {
    if (source.bot !== undefined && !OUR_BOTS.has(source.bot.toLowerCase())) continue;
    let bot = source.bot;
    for (const raw of splitDirectives(source.value.slice(0, MAX_INPUT))) {
      let token = raw.trim();
      // `googlebot: nosnippet` in a header: the rest of the line is for that robot.
      const prefixed = /^([a-z0-9_*-]+)\s*:\s*(.*)$/i.exec(token);
      if (prefixed && !VALUED.has(prefixed[1]!.toLowerCase())) {
        bot = prefixed[1]!.toLowerCase();
        token = prefixed[2]!.trim();
      }
      if (!token || (bot !== undefined && !OUR_BOTS.has(bot))) continue;
      const where = bot && source.bot === undefined ? `${source.where} (${bot})` : source.where;
      applyDirective(out, token, where, now);
    }
  }
  return out;
}

/** Splits on commas, except inside an `unavailable_after` date (`unavailable_after: Friday, 25-Jun-2027 15:00:00 PST`). */
function splitDirectives(value: string): string[] {
  const parts = value.split(',');
  const out: string[] = [];
  for (const part of parts) {
    const prev = out[out.length - 1];
    if (prev !== undefined && /unavailable_after\s*:\s*[a-z]+$/i.test(prev.trim()) && /\d/.test(part)) out[out.length - 1] = `${prev},${part}`;
    else out.push(part);
  }
  return out;
}

function applyDirective(out: RobotsDirectives, token: string, where: string, now: number | undefined): void {
  const lower = token.toLowerCase().replace(/\s+/g, ' ');
  const note = (d: string) => out.applied.push(`${where}: ${d}`);
  if (lower === 'nosnippet') {
    out.nosnippet = true;
    note('nosnippet');
  } else if (lower === 'noarchive') {
    out.noarchive = true;
    note('noarchive');
  } else if (lower === 'noindex') {
    out.noindex = true;
    note('noindex');
  } else if (lower === 'none') {
    out.noindex = true;
    note('none (noindex, nofollow)');
  } else if (lower.startsWith('max-snippet')) {
    const n = Number(/^max-snippet\s*:\s*(-?\d+)$/.exec(lower)?.[1]);
    // -1 = no limit; beyond the safe integers (`max-snippet:99999999999999999999`) is no limit either, and not a number the draft's schema holds.
    if (!Number.isSafeInteger(n) || n < 0) return;
    out.maxSnippet = Math.min(out.maxSnippet ?? Infinity, n);
    if (n === 0) out.nosnippet = true;
    note(`max-snippet:${n}`);
  } else if (lower.startsWith('unavailable_after')) {
    const at = Date.parse(token.replace(/^unavailable_after\s*:\s*/i, ''));
    if (now !== undefined && Number.isFinite(at) && at <= now) {
      out.noindex = true;
      note(`${token.trim()} (passed)`);
    }
  }
}
