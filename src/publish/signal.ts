import { z } from 'zod';
import { HORIZONS, LEVELS, type DraftSignal } from '../drafts/schema.ts';

/**
 * A published signal: the editorial record of the brief. It carries the source's name, the link to the
 * primary source and the source's title as headline, and nothing else of the source's text: never the
 * excerpt, never the author's words. Consumers of the stream and the feeds get exactly this.
 */
export const Signal = z.object({
  id: z.string(),
  draftId: z.string(),
  headline: z.string(),
  category: z.string(),
  score: z.number().int(),
  horizon: z.enum(HORIZONS),
  summary: z.string(),
  whyNow: z.string(),
  whyImportant: z.string(),
  whatChanges: z.string(),
  winners: z.array(z.string()),
  losers: z.array(z.string()),
  secondOrderEffects: z.object({ direct: z.string(), second: z.string(), third: z.string() }),
  editorialConfidence: z.enum(LEVELS),
  structuralImpact: z.enum(LEVELS),
  source: z.object({ name: z.string(), url: z.string() }),
  link: z.string().nullable(),
  tags: z.array(z.string()),
  related: z.array(z.object({ headline: z.string(), sourceName: z.string(), link: z.string().nullable() })),
  sourcePublishedAt: z.string().nullable(),
  approvedAt: z.string(),
  approvedBy: z.string(),
});
export type Signal = z.infer<typeof Signal>;

export function signalId(draftId: string): string {
  return `s_${draftId.slice(2)}`;
}

/** Draft → signal, field by field (an allow-list: a field added to drafts later is not published by accident). */
export function toSignal(d: DraftSignal, approvedAt: string, approvedBy: string): Signal {
  return Signal.parse({
    id: signalId(d.id),
    draftId: d.id,
    headline: d.headline,
    category: d.category,
    score: d.score,
    horizon: d.horizon,
    summary: d.summary,
    whyNow: d.whyNow,
    whyImportant: d.whyImportant,
    whatChanges: d.whatChanges,
    winners: d.winners,
    losers: d.losers,
    secondOrderEffects: d.secondOrderEffects,
    editorialConfidence: d.editorialConfidence,
    structuralImpact: d.structuralImpact,
    source: { name: d.source.name, url: d.source.url },
    link: d.link,
    tags: d.tags,
    related: d.related.map((r) => ({ headline: r.headline, sourceName: r.sourceName, link: r.link })),
    sourcePublishedAt: d.publishedAt,
    approvedAt,
    approvedBy,
  });
}
