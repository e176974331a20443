import { escapeUTF8 } from 'entities';
import { withHttpLinks, type Signal } from './signal.ts';

export interface FeedMeta {
  title: string;
  /** Public base URL of the desk (no trailing slash). */
  baseUrl: string;
}

/** The editorial text of a signal as plain text, in the brief's order. Editorial fields only. */
export function signalText(s: Signal): string {
  const effects = [s.secondOrderEffects.direct, s.secondOrderEffects.second, s.secondOrderEffects.third].filter(Boolean);
  const lines = [
    `${s.category} · score ${s.score} · ${s.horizon}`,
    s.summary,
    s.whyNow && `Why now: ${s.whyNow}`,
    s.whyImportant && `Why it's important: ${s.whyImportant}`,
    s.whatChanges && `What changes: ${s.whatChanges}`,
    s.winners.length ? `Winners: ${s.winners.join('; ')}` : '',
    s.losers.length ? `Losers: ${s.losers.join('; ')}` : '',
    effects.length ? `Second-order effects: ${effects.join(' → ')}` : '',
    `Editorial confidence: ${s.editorialConfidence} / 100 · Structural impact: ${s.structuralImpact} / 100`,
    s.link ? `Read at ${s.source.name}: ${s.link}` : `Source: ${s.source.name}`,
  ];
  return lines.filter(Boolean).join('\n\n');
}

/** JSON Feed 1.1 (https://jsonfeed.org/version/1.1). `url` is the signal on our desk; `external_url` the primary source. */
export function toJsonFeed(signals: Signal[], meta: FeedMeta): object {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: meta.title,
    home_page_url: `${meta.baseUrl}/signals`,
    feed_url: `${meta.baseUrl}/signals.json`,
    items: signals.map(withHttpLinks).map((s) => ({
      id: s.id,
      url: `${meta.baseUrl}/signals#${s.id}`,
      ...(s.link ? { external_url: s.link } : {}),
      title: s.headline,
      content_text: signalText(s),
      summary: s.whyImportant,
      date_published: s.approvedAt,
      tags: [s.category, ...s.tags],
      // JSON Feed extensions start with an underscore (spec: "Extensions").
      _signal_desk: {
        category: s.category,
        score: s.score,
        horizon: s.horizon,
        why_now: s.whyNow,
        why_important: s.whyImportant,
        what_changes: s.whatChanges,
        winners: s.winners,
        losers: s.losers,
        second_order_effects: s.secondOrderEffects,
        editorial_confidence: s.editorialConfidence,
        structural_impact: s.structuralImpact,
        source: s.source,
        source_published_at: s.sourcePublishedAt,
        related: s.related,
      },
    })),
  };
}

/** XML 1.0 forbids most control characters even as references; hostile titles may carry them. */
function xml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return escapeUTF8(text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, ''));
}

/** Atom (RFC 4287): one entry per signal; rel="alternate" is the primary source, rel="related" our desk page. */
export function toAtomFeed(signals: Signal[], meta: FeedMeta, now: Date): string {
  const updated = signals[0]?.approvedAt ?? now.toISOString();
  const entries = signals.map(withHttpLinks).map((s) => {
    const links = [
      s.link ? `<link rel="alternate" type="text/html" href="${xml(s.link)}"/>` : '',
      `<link rel="related" type="text/html" href="${xml(`${meta.baseUrl}/signals#${s.id}`)}"/>`,
    ].join('');
    const categories = [s.category, ...s.tags].map((t) => `<category term="${xml(t)}"/>`).join('');
    return `<entry><id>urn:signal-desk:${xml(s.id)}</id><title type="text">${xml(s.headline)}</title>${links}<published>${s.approvedAt}</published><updated>${s.approvedAt}</updated><author><name>${xml(s.approvedBy)}</name></author>${categories}<summary type="text">${xml(s.whyImportant)}</summary><content type="text">${xml(signalText(s))}</content></entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><id>${xml(`${meta.baseUrl}/signals`)}</id><title>${xml(meta.title)}</title><updated>${updated}</updated><link rel="self" type="application/atom+xml" href="${xml(`${meta.baseUrl}/signals.atom`)}"/><link rel="alternate" type="text/html" href="${xml(`${meta.baseUrl}/signals`)}"/><generator>Signal Desk</generator>${entries.join('')}</feed>\n`;
}
