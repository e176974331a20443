import type { RobotsDirectives } from '../article/types.ts';

/** The robots directives the enrichment records on a draft (schema: Enrichment.robots). */
export interface AppliedRobots {
  nosnippet: boolean;
  maxSnippet: number | null;
  noarchive: boolean;
  applied: string[];
}

/**
 * `X-Robots-Tag` read here too (its directives for every agent, or for ours or googlebot), merged with what
 * the extractor read from the page (the most restrictive wins), so a header-only directive is never missed.
 */
export function mergeRobots(fromPage: RobotsDirectives, header: string | undefined): AppliedRobots {
  const fromHeader = readRobotsHeader(header ?? '');
  const limits = [fromPage.maxSnippet, fromHeader.maxSnippet].filter((n): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0);
  const applied = [...fromPage.applied];
  if (fromHeader.nosnippet && !fromPage.nosnippet) applied.push('X-Robots-Tag: nosnippet');
  if (fromHeader.noarchive && !fromPage.noarchive) applied.push('X-Robots-Tag: noarchive');
  if (fromHeader.maxSnippet !== undefined && fromHeader.maxSnippet !== fromPage.maxSnippet) applied.push(`X-Robots-Tag: max-snippet:${fromHeader.maxSnippet}`);
  return {
    nosnippet: fromPage.nosnippet || fromHeader.nosnippet,
    maxSnippet: limits.length > 0 ? Math.min(...limits) : null,
    noarchive: fromPage.noarchive || fromHeader.noarchive,
    applied: dedupe(applied).slice(0, 10),
  };
}

function readRobotsHeader(header: string): { nosnippet: boolean; noarchive: boolean; maxSnippet?: number } {
  const out: { nosnippet: boolean; noarchive: boolean; maxSnippet?: number } = { nosnippet: false, noarchive: false };
  // "googlebot: nosnippet, otherbot: noarchive" scopes directives to an agent; unscoped ones apply to all.
  let scope: string | undefined;
  for (const raw of header.slice(0, 4000).toLowerCase().split(',')) {
    let part = raw.trim();
    const scoped = /^([a-z0-9_-]+)\s*:\s*(.*)$/.exec(part);
    if (scoped && !['max-snippet', 'max-image-preview', 'max-video-preview', 'unavailable_after'].includes(scoped[1]!)) {
      scope = scoped[1];
      part = scoped[2]!;
    }
    if (scope !== undefined && scope !== 'signaldesk' && scope !== 'googlebot') continue;
    // `none` is noindex + nofollow (as the extractor reads it), not nosnippet: recording it as `X-Robots-Tag: nosnippet` named a directive the page never sent.
    if (part === 'nosnippet') out.nosnippet = true;
    if (part === 'noarchive') out.noarchive = true;
    const max = /^max-snippet\s*:\s*(-?\d{1,9})$/.exec(part);
    if (max && Number(max[1]) >= 0) out.maxSnippet = Math.min(out.maxSnippet ?? Infinity, Number(max[1]));
  }
  return out;
}

/** What the directives leave of the draft's excerpt, and the lines that say why (shown to editors). */
export function applyRobotsToExcerpt(excerpt: string | null, robots: AppliedRobots): { excerpt: string | null; effects: string[] } {
  const effects: string[] = [];
  if (robots.nosnippet) {
    if (excerpt !== null) effects.push('nosnippet: the excerpt was dropped');
    return { excerpt: null, effects };
  }
  if (robots.maxSnippet !== null && excerpt !== null) {
    const chars = Array.from(excerpt);
    if (chars.length > robots.maxSnippet) {
      effects.push(`max-snippet:${robots.maxSnippet}: the excerpt was cut to ${robots.maxSnippet} characters`);
      const cut = chars.slice(0, robots.maxSnippet).join('').trim();
      return { excerpt: cut === '' ? null : cut, effects };
    }
  }
  return { excerpt, effects };
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}
