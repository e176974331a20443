import { html, safeHref, type SafeHtml } from '../html.ts';
import { formatLevel } from '../../drafts/schema.ts';
import { when } from './format.ts';

/** The fields a card shows: a published signal, or a draft previewed as it would be published. */
export interface CardFields {
  id?: string;
  category: string | null;
  score: number;
  horizon: string | null;
  headline: string;
  source: { name: string };
  link: string | null;
  summary: string;
  whyNow: string;
  whyImportant: string;
  whatChanges: string;
  winners: string[];
  losers: string[];
  secondOrderEffects: { direct: string; second: string; third: string };
  /** 0–100. */
  editorialConfidence: number | null;
  structuralImpact: number | null;
  related?: { headline: string; sourceName: string; link: string | null }[];
  approvedAt?: string;
}

const missing = html`<span class="muted">not set</span>`;

/** A signal laid out like the brief: category, score, horizon, headline, source, why it matters, winners and losers, effects. */
export function signalCard(s: CardFields): SafeHtml {
  const href = safeHref(s.link);
  const effects = [s.secondOrderEffects.direct, s.secondOrderEffects.second, s.secondOrderEffects.third];
  return html`<article class="signal"${s.id ? html` id="${s.id}"` : ''}>
  <header class="signal-head">
    <span class="category">${s.category ?? missing}</span>
    <span class="badge score-${s.score >= 70 ? 'high' : s.score >= 40 ? 'mid' : 'low'}" title="Signal score">${s.score}</span>
    <span class="horizon">${s.horizon ?? missing}</span>
  </header>
  <h3 class="signal-title">${s.headline}</h3>
  <p class="signal-source">${s.source.name}${s.approvedAt ? html` · published ${when(s.approvedAt)}` : ''}</p>
  ${s.summary ? html`<p>${s.summary}</p>` : ''}
  <dl class="signal-why">
    <dt>Why now</dt><dd>${s.whyNow || missing}</dd>
    <dt>Why it's important</dt><dd>${s.whyImportant || missing}</dd>
    ${s.whatChanges ? html`<dt>What changes</dt><dd>${s.whatChanges}</dd>` : ''}
  </dl>
  <div class="signal-sides">
    <div><h4>Winners</h4>${s.winners.length ? html`<ul>${s.winners.map((w) => html`<li>${w}</li>`)}</ul>` : missing}</div>
    <div><h4>Losers</h4>${s.losers.length ? html`<ul>${s.losers.map((l) => html`<li>${l}</li>`)}</ul>` : missing}</div>
  </div>
  ${effects.some(Boolean) ? html`<h4>Second-order effects</h4><ol class="effects">${effects.map((e) => (e ? html`<li>${e}</li>` : ''))}</ol>` : ''}
  <p class="signal-meta">Editorial confidence: <strong>${formatLevel(s.editorialConfidence) ?? missing}</strong> · Structural impact: <strong>${formatLevel(s.structuralImpact) ?? missing}</strong></p>
  ${s.related?.length ? html`<p class="related">Related coverage: ${s.related.map((r, i) => html`${i ? ', ' : ''}${safeHref(r.link) ? html`<a href="${safeHref(r.link)}" rel="noopener noreferrer nofollow">${r.sourceName}</a>` : r.sourceName}`)}</p>` : ''}
  <p class="read">${href ? html`<a href="${href}" rel="noopener noreferrer nofollow">Read at ${s.source.name} →</a>` : html`Source: ${s.source.name}`}</p>
</article>`;
}
