import { expect } from 'vitest';
import { Enrichment, type DraftSignal } from '../../src/drafts/schema.ts';
import { ageRank, reviewRank } from '../../src/drafts/score.ts';
import { applyDraftChanges, getDraft } from '../../src/review/draftStore.ts';
import type { DeskHarness } from './desk.ts';

/** An enrichment record as the enrich stage writes it: every field with the rule that gave it. */
export function sampleEnrichment(fields: Partial<Enrichment> = {}): Enrichment {
  return Enrichment.parse({
    state: 'done',
    at: '2026-11-27T10:01:00.000Z',
    finalUrl: 'https://www.tomshardware.com/news/a1',
    contentType: 'text/html; charset=utf-8',
    canonicalUrl: { value: 'https://www.tomshardware.com/news/a1', rule: 'link:canonical' },
    title: { value: 'Arm server chip with 192 cores', rule: 'jsonld:headline' },
    authors: { value: ['Anton Shilov', 'Paul Alcorn'], rule: 'jsonld:author' },
    publishedAt: { value: '2026-11-26T12:00:00Z', rule: 'jsonld:datePublished' },
    modifiedAt: { value: '2026-11-27T08:30:00Z', rule: 'meta:article:modified_time' },
    siteName: { value: 'Tom’s Hardware', rule: 'meta:og:site_name' },
    lang: { value: 'en-GB', rule: 'html:lang' },
    image: { value: 'https://cdn.tomshardware.example/a1.jpg', rule: 'meta:og:image' },
    section: { value: 'Processors', rule: 'meta:article:section' },
    keywords: { value: ['arm', 'servers'], rule: 'meta:keywords' },
    isAccessibleForFree: { value: false, rule: 'jsonld:isAccessibleForFree' },
    ...fields,
  });
}

/**
 * Writes enrichment onto a draft the way the enrich worker does (one version up through the desk's write
 * script, audit actor "enrichment", then the `enriched` desk event), until that worker is on main.
 */
export async function enrichDraft(h: Pick<DeskHarness, 'redis' | 'keys' | 'clock'>, id: string, e: Enrichment, extra: Partial<DraftSignal> = {}): Promise<DraftSignal> {
  const d = (await getDraft(h.redis, h.keys, id))!;
  const next = { ...d, ...extra, enrichment: e, version: d.version + 1 };
  const result = await applyDraftChanges(h.redis, h.keys, 'enrichment', h.clock.now(), [
    { expectedVersion: d.version, next, scoreRank: reviewRank(next.score, next.discoveredAt), ageRank: ageRank(next.publishedAt, next.discoveredAt), audit: { at: new Date(h.clock.now()).toISOString(), actor: 'enrichment', action: 'enrich', version: next.version }, claim: 'none' },
  ]);
  expect(result.ok).toBe(true);
  await h.redis.publish(h.keys.deskEvents, JSON.stringify({ type: 'enriched', draftId: id, actor: 'enrichment' }));
  return next;
}
