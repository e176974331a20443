import { z } from 'zod';
import { toHttpUrl } from '../drafts/httpUrl.ts';
import { DraftSignal, HORIZONS, LEVELS, RelatedCoverage } from '../drafts/schema.ts';
import { stripBidiControls as plain } from '../parse/bidi.ts';

/**
 * A published signal: the editorial record of the brief. It carries the source's name, the link to the
 * primary source and the source's title as headline, and nothing else of the source's text: never the
 * excerpt, never the author's words. Consumers of the stream and the feeds get exactly this.
 */
export const Signal = DraftSignal.pick({
  headline: true,
  score: true,
  summary: true,
  whyNow: true,
  whyImportant: true,
  whatChanges: true,
  winners: true,
  losers: true,
  secondOrderEffects: true,
  link: true,
  tags: true,
}).extend({
  id: z.string(),
  draftId: z.string(),
  // Required once published (a draft may still lack them).
  category: z.string(),
  horizon: z.enum(HORIZONS),
  editorialConfidence: z.enum(LEVELS),
  structuralImpact: z.enum(LEVELS),
  source: DraftSignal.shape.source.pick({ name: true, url: true }),
  related: z.array(RelatedCoverage.omit({ draftId: true })),
  sourcePublishedAt: z.string().nullable(),
  approvedAt: z.string(),
  approvedBy: z.string(),
});
export type Signal = z.infer<typeof Signal>;

export function signalId(draftId: string): string {
  return `s_${draftId.slice(2)}`;
}

/**
 * Draft → signal, field by field (an allow-list: a field added to drafts later is not published by accident).
 * Text loses any bidi control here too, whatever way it reached the draft.
 */
export function toSignal(d: DraftSignal, approvedAt: string, approvedBy: string): Signal {
  return Signal.parse({
    id: signalId(d.id),
    draftId: d.id,
    headline: plain(d.headline),
    category: d.category === null ? null : plain(d.category),
    score: d.score,
    horizon: d.horizon,
    summary: plain(d.summary),
    whyNow: plain(d.whyNow),
    whyImportant: plain(d.whyImportant),
    whatChanges: plain(d.whatChanges),
    winners: d.winners.map(plain),
    losers: d.losers.map(plain),
    secondOrderEffects: { direct: plain(d.secondOrderEffects.direct), second: plain(d.secondOrderEffects.second), third: plain(d.secondOrderEffects.third) },
    editorialConfidence: d.editorialConfidence,
    structuralImpact: d.structuralImpact,
    source: { name: plain(d.source.name), url: d.source.url },
    link: toHttpUrl(d.link) ?? null,
    tags: d.tags.map(plain),
    related: d.related.map((r) => ({ headline: plain(r.headline), sourceName: plain(r.sourceName), link: toHttpUrl(r.link) ?? null })),
    sourcePublishedAt: d.publishedAt,
    approvedAt,
    approvedBy,
  });
}

/**
 * The signal as it leaves the desk (feeds, webhook): every link checked once more with the same http(s)
 * rule, so a signal that reached the stream some other way (an old entry, a hand-written one) still never
 * publishes a `javascript:` or `data:` link. A bad link is dropped; the signal goes out without it.
 */
export function withHttpLinks(s: Signal): Signal {
  return {
    ...s,
    link: toHttpUrl(s.link) ?? null,
    source: { ...s.source, url: toHttpUrl(s.source.url) ?? '' },
    related: s.related.map((r) => ({ ...r, link: toHttpUrl(r.link) ?? null })),
  };
}
