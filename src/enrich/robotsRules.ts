import type { RobotsDirectives } from '../article/types.ts';
import { HEADLINE_FROM_SUMMARY, truncate } from '../parse/text.ts';

/** The robots directives the enrichment records on a draft (schema: Enrichment.robots). */
export interface AppliedRobots {
  nosnippet: boolean;
  maxSnippet: number | null;
  noarchive: boolean;
  applied: string[];
}

/**
 * The directives the extractor read (page metas and `X-Robots-Tag`, most restrictive wins: article/readRobots.ts)
 * in the form the draft records.
 */
export function toAppliedRobots(robots: RobotsDirectives): AppliedRobots {
  return {
    nosnippet: robots.nosnippet,
    maxSnippet: robots.maxSnippet !== undefined && Number.isInteger(robots.maxSnippet) && robots.maxSnippet >= 0 ? robots.maxSnippet : null,
    noarchive: robots.noarchive,
    applied: [...new Set(robots.applied)].slice(0, 10),
  };
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

/**
 * An item without a title got the start of its summary as headline (drafts/toDraft.ts): that is a snippet too.
 * When the directives cut or drop the excerpt and the headline is still that one (no editor has changed it), it
 * becomes the start of what is left of the excerpt, else the page's own title, else "(untitled item)".
 * Undefined: the headline stays.
 */
export function headlineAfterRobots(draft: { title: string | null; headline: string; excerpt: string | null }, excerpt: string | null, pageTitle: string | null): string | undefined {
  if (draft.title !== null || draft.excerpt === null || excerpt === draft.excerpt) return undefined;
  if (draft.headline !== truncate(draft.excerpt, HEADLINE_FROM_SUMMARY)) return undefined;
  return (excerpt !== null ? truncate(excerpt, HEADLINE_FROM_SUMMARY) : null) ?? pageTitle ?? '(untitled item)';
}
