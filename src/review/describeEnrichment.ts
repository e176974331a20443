import type { Enrichment } from '../drafts/schema.ts';

/** What each enrichment state means to an editor; `reason` says the rest. */
export const ENRICHMENT_LABEL: Record<Enrichment['state'], string> = {
  pending: 'pending: the article page is queued to be read',
  done: 'done',
  refused: 'refused',
  failed: 'failed',
  non_html: 'not HTML',
  disabled: 'disabled for this source',
};

/** The one-word marker of the queue list and the CLI. */
export const ENRICHMENT_MARK: Record<Enrichment['state'], string> = {
  pending: 'page pending',
  done: 'page read',
  refused: 'page refused',
  failed: 'page failed',
  non_html: 'not HTML',
  disabled: 'no page',
};

/** The state in words, with why (robots.txt, a status, a size) for a refusal or a failure. */
export function describeEnrichment(e: Enrichment): string {
  const label = e.state === 'refused' ? 'refused by the site or our rules' : ENRICHMENT_LABEL[e.state];
  if (e.state === 'non_html') return `${label}${e.contentType ? ` (${e.contentType})` : ''}: nothing to read from the page`;
  return e.reason && e.state !== 'done' ? `${label}: ${e.reason}` : label;
}

/** What robots directives changed, in words: "excerpt withheld: the page says nosnippet". */
export function describeRobots(robots: Enrichment['robots']): string[] {
  if (!robots) return [];
  const out: string[] = [];
  if (robots.nosnippet) out.push('excerpt withheld: the page says nosnippet');
  if (robots.maxSnippet !== null && !robots.nosnippet) out.push(`excerpt cut to ${robots.maxSnippet} characters: the page says max-snippet:${robots.maxSnippet}`);
  if (robots.noarchive) out.push('page description not kept: the page says noarchive');
  for (const a of robots.applied) if (!out.some((o) => o.includes(a))) out.push(`applied: ${a}`);
  return out;
}
