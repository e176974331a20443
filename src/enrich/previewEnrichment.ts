import type { Agent } from 'undici';
import type { Settings } from '../config/settings.ts';
import type { Enrichment } from '../drafts/schema.ts';
import { fetchRobotsFile, type RobotsFile } from '../fetch/robots.ts';
import { classifyPage } from './classifyPage.ts';
import { fetchArticlePage } from './fetchArticlePage.ts';
import { readPage } from './readPage.ts';
import { applyRobotsToExcerpt } from './robotsRules.ts';

export interface EnrichmentPreview {
  link: string;
  state: Enrichment['state'];
  reason: string | null;
  enrichment: Enrichment | null;
  /** What the robots directives would leave of the feed's excerpt. */
  excerpt: string | null;
}

/**
 * What enrichment would add to these drafts, for `sources test`: each link's page fetched as the worker
 * would (guarded agent, robots.txt, page cap, deadline), read, and returned. Read-only: no Redis, no host
 * turns, robots.txt read afresh for each origin.
 */
export async function previewEnrichment(settings: Settings, agent: Agent, userAgent: string, items: { link: string; excerpt: string | null }[], now: () => number): Promise<EnrichmentPreview[]> {
  const robots = new Map<string, Promise<RobotsFile>>();
  const robotsFor = (u: string) => {
    const origin = new URL(u).origin;
    if (!robots.has(origin)) robots.set(origin, fetchRobotsFile(`${origin}/robots.txt`, { userAgent, timeoutMs: settings.fetchTimeoutMs, dispatcher: agent }));
    return robots.get(origin)!;
  };
  const out: EnrichmentPreview[] = [];
  for (const item of items) {
    let outcome;
    let reading;
    try {
      const response = await fetchArticlePage(item.link, { userAgent, maxBytes: settings.pageMaxBytes, timeoutMs: settings.fetchTimeoutMs, dispatcher: agent, robotsFor });
      outcome = classifyPage(response, settings.pageMaxBytes);
      if (outcome.state === 'done') reading = readPage(response, now());
    } catch (err) {
      outcome = classifyPage(err as Error, settings.pageMaxBytes);
    }
    if (!reading) {
      out.push({ link: item.link, state: outcome.state === 'done' ? 'failed' : outcome.state, reason: outcome.reason, enrichment: null, excerpt: item.excerpt });
      continue;
    }
    const robotsNow = reading.enrichment.robots ?? { nosnippet: false, maxSnippet: null, noarchive: false, applied: [] };
    const { excerpt, effects } = applyRobotsToExcerpt(item.excerpt, robotsNow);
    reading.enrichment.robots = { ...robotsNow, applied: [...robotsNow.applied, ...effects] };
    out.push({ link: item.link, state: 'done', reason: null, enrichment: reading.enrichment, excerpt });
  }
  return out;
}

const FIELDS = ['canonicalUrl', 'title', 'description', 'authors', 'publishedAt', 'modifiedAt', 'siteName', 'lang', 'image', 'section', 'keywords', 'type', 'isAccessibleForFree', 'wordCount'] as const;

/** The preview as rows of field, value, rule (the provenance), for a table. */
export function previewRows(preview: EnrichmentPreview): string[][] {
  if (!preview.enrichment) return [['state', preview.state, preview.reason ?? '']];
  const rows: string[][] = [['state', preview.state, '']];
  for (const field of FIELDS) {
    const found = preview.enrichment[field];
    if (found) rows.push([field, Array.isArray(found.value) ? found.value.join('; ') : String(found.value), found.rule]);
  }
  for (const line of preview.enrichment.robots?.applied ?? []) rows.push(['robots', line, '']);
  return rows;
}
