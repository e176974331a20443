import { can, type Actor } from '../../auth/roles.ts';
import type { DraftSignal } from '../../drafts/schema.ts';
import type { StoryRecord } from '../../stories/storyRecord.ts';
import { html, safeHref, type SafeHtml } from '../html.ts';
import { when } from './format.ts';

const KIND = { person: 'person', organization: 'organisation', place: 'place', product: 'product' } as const;

export interface InsightsContext {
  actor: Actor;
  csrf: string | undefined;
}

/**
 * What the pipeline found for the editor, refreshed live when the annotate or story stage writes: the story
 * (members, split, move), entities (filter links, winner/loser candidates that only fill the form), the category
 * suggestion (one key accepts it into Category), the matched rules and the score's breakdown. Never saves by itself.
 */
export function insightsSection(ctx: InsightsContext, d: DraftSignal & { storyRecord: StoryRecord | null }): SafeHtml {
  const editable = d.status === 'pending' && can(ctx.actor, 'review');
  return html`<div id="insights" data-draft="${d.id}"${d.story ? html` data-story="${d.story.id}"` : ''}>
${storySection(ctx, d, editable)}
${suggestionSection(d, editable)}
${entitiesSection(d, editable)}
${rulesSection(d)}
${scoreSection(d)}
</div>`;
}

function storySection(ctx: InsightsContext, d: DraftSignal & { storyRecord: StoryRecord | null }, editable: boolean): SafeHtml {
  const record = d.storyRecord;
  const hidden = html`<input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="version" value="${d.version}">`;
  const sources = record ? [...new Set(record.members.map((m) => m.sourceName))] : [];
  const others = record?.members.filter((m) => m.draftId !== d.id) ?? [];
  return html`<section aria-labelledby="story-title" class="story-box">
  <h2 id="story-title">Story</h2>
  ${!d.story
    ? html`<p class="muted">Not placed in a story yet.</p>`
    : html`<p>Story <code>${d.story.id}</code>${record ? html`: ${String(record.members.length)} item${record.members.length === 1 ? '' : 's'} from ${String(sources.length)} source${sources.length === 1 ? '' : 's'} (${sources.join(', ')})` : html` <span class="muted">(its record has ended)</span>`}${d.story.pinned ? html` · <strong>moved here by an editor</strong>` : ''}</p>
  ${d.story.blocked.length ? html`<p class="muted">Split out of ${d.story.blocked.map((b, i) => html`${i ? ', ' : ''}<code>${b}</code>`)}: it never rejoins ${d.story.blocked.length === 1 ? 'it' : 'them'}.</p>` : ''}
  ${others.length
    ? html`<ul class="members">${others.map((m) => {
        const link = safeHref(m.link);
        return html`<li><a href="/drafts/${m.draftId}">${m.headline}</a> — ${m.sourceName} · <time datetime="${m.publishedAt ?? m.addedAt}">${when(m.publishedAt ?? m.addedAt)}</time>${link ? html` · <a href="${link}" rel="noopener noreferrer nofollow">source link</a>` : ''}${m.why ? html` <span class="muted">(${m.why})</span>` : ''}</li>`;
      })}</ul>`
    : ''}
  ${editable && others.length ? html`<form method="post" action="/drafts/${d.id}/split" class="inline">${hidden}<button type="submit">Split out of this story</button></form>` : ''}`}
  ${editable
    ? html`<form method="post" action="/drafts/${d.id}/move" class="decide">${hidden}
    <label for="f-to">Move to story (id)</label><input id="f-to" name="to" placeholder="s_…" required>
    <button type="submit">Move</button></form>`
    : ''}
</section>`;
}

function suggestionSection(d: DraftSignal, editable: boolean): SafeHtml | string {
  const s = d.annotation?.suggestion;
  if (!s) return '';
  const applied = d.category === s.category;
  return html`<section aria-labelledby="suggestion-title" class="suggestion-box">
  <h2 id="suggestion-title">Suggested category</h2>
  <p><strong class="suggested">${s.category}</strong> <span class="muted">(${s.from === 'classifier' ? 'learnt from approved signals' : 'from the taxonomy'}, ${String(Math.round(s.confidence * 100))} %)</span></p>
  <p class="why">Why: ${s.why}</p>
  ${editable && !applied ? html`<button type="button" data-key="s" data-fill="category" data-value="${s.category}">Use as Category <kbd>s</kbd></button> <span class="muted">fills the field; nothing is saved until you save</span>` : applied ? html`<p class="muted">Category is set to it.</p>` : ''}
</section>`;
}

function entitiesSection(d: DraftSignal, editable: boolean): SafeHtml | string {
  const entities = d.annotation?.entities ?? [];
  if (!d.annotation) return '';
  return html`<section aria-labelledby="entities-title" class="entities-box">
  <h2 id="entities-title">Entities</h2>
  ${entities.length === 0
    ? html`<p class="muted">None found.</p>`
    : html`<ul class="entities">${entities.map(
        (e) => html`<li data-entity="${e.name}"><a href="/?entity=${encodeURIComponent(e.name)}" title="drafts naming ${e.name}">${e.name}</a> <span class="muted">${KIND[e.kind]}, ${e.from}${e.count > 1 ? html`, ×${String(e.count)}` : ''}</span>${editable
          ? html` <button type="button" class="link" data-fill="winners" data-value="${e.name}" title="adds to the Winners field; nothing is saved">+ winner</button> <button type="button" class="link" data-fill="losers" data-value="${e.name}" title="adds to the Losers field; nothing is saved">+ loser</button>`
          : ''}</li>`,
      )}</ul>`}
</section>`;
}

function rulesSection(d: DraftSignal): SafeHtml | string {
  const a = d.annotation;
  if (!a || (a.rules.length === 0 && !a.view)) return '';
  return html`<section aria-labelledby="rules-title" class="rules-box">
  <h2 id="rules-title">Rules</h2>
  <ul>${a.rules.map((r) => html`<li><strong>${r.rule}</strong> (${r.action}): ${r.detail}</li>`)}</ul>
  ${a.view ? html`<p>Desk view: <strong>${a.view}</strong></p>` : ''}
</section>`;
}

function scoreSection(d: DraftSignal): SafeHtml | string {
  if (d.scoreBreakdown.length === 0) return '';
  return html`<section aria-labelledby="score-title" class="score-box">
  <h2 id="score-title">Score ${String(d.score)} / 100</h2>
  <table class="breakdown"><caption class="visually-hidden">How the score was made</caption>
  <thead><tr><th scope="col">Part</th><th scope="col">Points</th><th scope="col">Why</th></tr></thead>
  <tbody>${d.scoreBreakdown.map((c) => html`<tr data-component="${c.name}"><th scope="row">${c.label}</th><td class="points">${formatPoints(c.points)}</td><td>${c.detail}</td></tr>`)}</tbody>
  </table>
</section>`;
}

function formatPoints(p: number): string {
  const r = Math.round(p * 10) / 10;
  return r > 0 ? `+${r}` : String(r);
}
