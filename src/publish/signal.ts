import { z } from 'zod';
import { toHttpUrl } from '../drafts/httpUrl.ts';
import { cleanLink } from '../dedupe/normalizeUrl.ts';
import { sameSite } from '../dedupe/sameSite.ts';
import { DraftSignal, HORIZONS, Level, RelatedCoverage } from '../drafts/schema.ts';
import { stripBidiControls as plain } from '../parse/bidi.ts';

/**
 * A published signal: the editorial record of the brief. It carries the source's name, the link to the
 * primary source (its canonical URL, without tracking parameters) and the source's title as headline, and nothing else of the source's text: never the
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
  // 0–100; a signal published before issue 10 says Low/Medium/High and reads as 30/60/90 (the stream is append-only).
  editorialConfidence: Level,
  structuralImpact: Level,
  source: DraftSignal.shape.source.pick({ name: true, url: true }),
  related: z.array(RelatedCoverage.omit({ draftId: true })),
  sourcePublishedAt: z.string().nullable(),
  approvedAt: z.string(),
  approvedBy: z.string(),
});
export type Signal = z.infer<typeof Signal>;

/** Entries in a signal's `related`: editor merges first, then pipeline coverage. */
const RELATED_MAX = 100;

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
    link: publishedLink(d),
    tags: d.tags.map(plain),
    related: relatedOf(d),
    sourcePublishedAt: d.publishedAt,
    approvedAt,
    approvedBy,
  });
}

/**
 * The article's canonical URL when enrichment found one on the link's own site, else the feed's link; either way
 * without tracking parameters. A canonical on another site is never published: any page can declare one, and the
 * signal would send readers where the source never linked.
 */
function publishedLink(d: DraftSignal): string | null {
  const canonical = clean(d.enrichment?.canonicalUrl?.value);
  const own = clean(d.link);
  return (canonical && own && sameSite(own, canonical) ? canonical : own) ?? null;
}

function clean(link: string | null | undefined): string | undefined {
  return link ? toHttpUrl(cleanLink(link)) : undefined;
}

/**
 * Other coverage of the story: the drafts an editor merged in, then the other sources' items the pipeline
 * recorded for the same article, less the sources an editor merge already lists (a draft folded in by the
 * pipeline and merged again by an editor is listed once). One entry per source.
 */
function relatedOf(d: DraftSignal): Signal['related'] {
  const out: Signal['related'] = d.related.map((r) => ({ headline: plain(r.headline), sourceName: plain(r.sourceName), link: clean(r.link) ?? null }));
  const sources = new Set(out.map((r) => r.sourceName.toLowerCase()));
  for (const c of d.coverage) {
    const name = plain(c.sourceName);
    if (sources.has(name.toLowerCase())) continue;
    sources.add(name.toLowerCase());
    out.push({ headline: plain(c.headline), sourceName: name, link: clean(c.link) ?? null });
  }
  return out.slice(0, RELATED_MAX);
}

/**
 * The signal as it leaves the desk (feeds, webhook): every link checked once more with the same http(s)
 * rule, so a signal that reached the stream some other way (an old entry, a hand-written one) still never
 * publishes a `javascript:` or `data:` link, nor a tracking parameter (an entry published before links were
 * cleaned). A bad link is dropped; the signal goes out without it.
 */
export function withHttpLinks(s: Signal): Signal {
  return {
    ...s,
    link: clean(s.link) ?? null,
    source: { ...s.source, url: toHttpUrl(s.source.url) ?? '' },
    related: s.related.map((r) => ({ ...r, link: clean(r.link) ?? null })),
  };
}
