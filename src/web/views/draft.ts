import type { Actor } from '../../auth/roles.ts';
import { can } from '../../auth/roles.ts';
import { HORIZONS } from '../../drafts/schema.ts';
import type { AuditEntry } from '../../review/draftStore.ts';
import type { DraftView } from '../../review/desk.ts';
import { labelOf } from '../../review/fieldLabels.ts';
import { html, safeHref, type SafeHtml } from '../html.ts';
import { enrichmentSection } from './enrichment.ts';
import { insightsSection } from './insights.ts';
import type { StoryRecord } from '../../stories/storyRecord.ts';
import { when } from './format.ts';
import { layout, notice, type PageContext } from './layout.ts';
import { signalCard } from './signalCard.ts';

export interface DraftPageState {
  flash?: string;
  error?: string;
  /** Per-field messages from a 422, shown beside the fields. */
  fields?: Record<string, string>;
  /** What the editor submitted, shown again after an error so nothing typed is lost. */
  values?: Record<string, string>;
  /** The draft just decided, when the desk moved on to this one: the way back to it. */
  prev?: { id: string; headline: string; status: string };
  /** The queue's filters the editor came from (a query string): the next draft is the next row of that queue. */
  queue?: string;
}

/** Why the page cannot be edited, in one sentence: who decided the draft and when, or what the reader's role lacks. */
function readOnlyBanner(d: DraftView, actor: Actor): SafeHtml | string {
  const by = d.decision ? html` by <strong>${d.decision.by}</strong> at <time datetime="${d.decision.at}">${when(d.decision.at)}</time>` : '';
  if (d.status === 'approved') return html`<p class="readonly-banner" role="status">Approved${by}: published, read-only.</p>`;
  if (d.status === 'rejected') return html`<p class="readonly-banner" role="status">Rejected${by}${d.decision?.reason ? html`: “${d.decision.reason}”` : ''}. Read-only${can(actor, 'review') ? '; reopen it to edit' : ''}.</p>`;
  if (d.status === 'merged') return html`<p class="readonly-banner" role="status">Merged${d.mergedInto ? html` into <a href="/drafts/${d.mergedInto}">${d.mergedInto}</a>` : ''}${by}. Read-only${can(actor, 'review') ? '; reopen it to edit' : ''}.</p>`;
  if (!can(actor, 'review')) return html`<p class="readonly-banner" role="status">Read-only: ${actor.name} (role ${actor.role}) can read drafts but not edit them.</p>`;
  return '';
}

const ACTIONS: Record<string, string> = {
  claim: 'claimed',
  renew: 'renewed the claim',
  takeover: 'took over an expired claim',
  force_claim: 'forced the claim',
  release: 'released the claim',
  force_release: 'forced the release of the claim',
  edit: 'edited',
  approve: 'approved and published',
  reject: 'rejected',
  merge: 'merged into',
  merged_in: 'merged in',
  unmerged: 'took out',
  reopen: 'reopened',
  split: 'split it out of story',
  move: 'moved it to story',
};

function historyItem(e: AuditEntry): SafeHtml {
  return html`<li><time datetime="${e.at}">${when(e.at)}</time> <strong>${e.actor}</strong> ${ACTIONS[e.action] ?? e.action}${e.into ? html` <a href="/drafts/${e.into}">${e.into}</a>` : ''}${e.from ? html` <a href="/drafts/${e.from}">${e.from}</a>` : ''}${e.action === 'split' && e.fromStory ? html` <code>${e.fromStory}</code> into <code>${e.story ?? ''}</code>` : e.story ? html` <code>${e.story}</code>${e.fromStory ? html` from <code>${e.fromStory}</code>` : ''}` : ''}${e.holder ? html` (held by ${e.holder})` : ''}${e.fields?.length ? html`: ${e.fields.map(labelOf).join(', ')}` : ''}${e.reason ? html`: “${e.reason}”` : ''}${e.version ? html` <span class="muted">v${e.version}</span>` : ''}</li>`;
}

export function draftPage(ctx: PageContext, d: DraftView & { history: AuditEntry[]; storyRecord: StoryRecord | null }, state: DraftPageState = {}): SafeHtml {
  const actor = ctx.actor as Actor;
  const editable = d.status === 'pending' && can(actor, 'review');
  const mine = d.claim?.user === actor.name;
  const v = (field: string, current: string) => state.values?.[field] ?? current;
  const err = (field: string) => (state.fields?.[field] ? html`<span class="field-error" id="err-${field}">${state.fields[field]}</span>` : '');
  const invalid = (field: string) => (state.fields?.[field] ? html` aria-invalid="true" aria-describedby="err-${field}"` : '');
  const text = (field: string, label: string, current: string, rows = 3) =>
    html`<label for="f-${field}">${label}</label><textarea id="f-${field}" name="${field}" rows="${rows}"${invalid(field)}${editable ? '' : html` readonly`}>${v(field, current)}</textarea>${err(field)}`;
  const select = (field: string, label: string, options: readonly string[], current: string | null) => {
    const value = v(field, current ?? '');
    return html`<label for="f-${field}">${label}</label><select id="f-${field}" name="${field}"${invalid(field)}${editable ? '' : html` disabled`}><option value="">— choose —</option>${options.map((o) => html`<option${o === value ? html` selected` : ''}>${o}</option>`)}</select>${err(field)}`;
  };
  /** A 0–100 level (editorial confidence, structural impact): a number field; empty is "not set". */
  const level = (field: string, label: string, current: number | null) =>
    html`<label for="f-${field}">${label} (0–100)</label><input id="f-${field}" name="${field}" type="number" min="0" max="100" step="1" inputmode="numeric" value="${v(field, current === null ? '' : String(current))}"${invalid(field)}${editable ? '' : html` readonly`}>${err(field)}`;
  const link = safeHref(d.link);
  const hidden = html`<input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="version" value="${d.version}">`;
  // A decision opens the next pending draft of the queue (pageRoutes' action): the page then links back here.
  const thenNext = html`<input type="hidden" name="then" value="next">${state.queue ? html`<input type="hidden" name="queue" value="${state.queue}">` : ''}`;

  const claimBox = html`<section class="claim-box" aria-labelledby="claim-title">
  <h2 id="claim-title" class="visually-hidden">Claim</h2>
  ${d.claim ? html`<p>Claimed by <strong>${d.claim.user}</strong> until <time datetime="${d.claim.expiresAt}">${when(d.claim.expiresAt)}</time>.</p>` : html`<p>Not claimed.</p>`}
  ${editable
    ? html`<form method="post" action="/drafts/${d.id}/claim" class="inline"><input type="hidden" name="_csrf" value="${ctx.csrf}">
      ${!d.claim || mine ? html`<button type="submit" data-key="c">${mine ? 'Renew claim' : 'Claim'} <kbd>c</kbd></button>` : ''}
      ${d.claim && !mine && can(actor, 'forceLock') ? html`<button type="submit" name="force" value="1" class="danger">Force claim</button>` : ''}
      ${mine ? html`<button type="submit" formaction="/drafts/${d.id}/release">Release</button>` : ''}
    </form>`
    : ''}
</section>`;

  const body = html`
<p class="crumbs"><a href="/${state.queue ? `?${state.queue}` : ''}">← Queue</a>${state.prev ? html` · <a href="/drafts/${state.prev.id}" rel="prev" class="back">← Back to “${state.prev.headline}”</a> <span class="muted">(${state.prev.status}; this is the next pending draft)</span>` : ''}</p>
<h1>${d.headline}</h1>
<p class="status">Status: <span class="status-${d.status}">${d.status}</span> · version ${d.version}${d.decision ? html` · ${ACTIONS[d.decision.action] ?? d.decision.action} by ${d.decision.by}, ${when(d.decision.at)}` : ''}${d.mergedInto ? html` · merged into <a href="/drafts/${d.mergedInto}">${d.mergedInto}</a>` : ''}</p>
${notice(state.flash)}${notice(state.error, 'error')}${readOnlyBanner(d, actor)}
<p id="live" class="live" aria-live="polite"></p>
${claimBox}
${editable
    ? html`<div class="action-bar" role="region" aria-label="Decide">
  <button type="submit" form="edit-form" name="intent" value="save">Save</button>
  <button type="submit" form="edit-form" name="intent" value="approve" class="primary" data-key="a">Save and approve <kbd>a</kbd></button>
  <form method="post" action="/drafts/${d.id}/reject" class="bar-form" id="reject-form">${hidden}${thenNext}
    <label for="f-reason">Reason for rejecting</label><input id="f-reason" name="reason" required maxlength="500"${invalid('reason')}>${err('reason')}
    <button type="submit" class="danger">Reject <kbd>r</kbd></button>
  </form>
  <form method="post" action="/drafts/${d.id}/merge" class="bar-form merge" id="merge-form" data-draft="${d.id}">${hidden}${thenNext}
    <label for="f-merge-search">Merge into</label><input type="search" id="f-merge-search" placeholder="search headlines" autocomplete="off" aria-describedby="merge-choice" aria-controls="merge-results" maxlength="200">
    <label for="f-into" class="visually-hidden">Merge into draft (id)</label><input id="f-into" name="into" placeholder="or draft id d_…" required size="14"${invalid('into')}>${err('into')}
    <button type="submit">Merge</button>
    <span id="merge-choice" class="muted" aria-live="polite"></span>
    <ul id="merge-results" class="merge-results" hidden></ul>
  </form>
</div>`
    : ''}
<div class="draft-grid">
<div>
<section aria-labelledby="source-title" class="source-box">
  <h2 id="source-title">Source</h2>
  <dl class="meta">
    <dt>Source</dt><dd>${d.source.name} <span class="muted">(${d.source.id})</span></dd>
    <dt>Link</dt><dd>${link ? html`<a href="${link}" rel="noopener noreferrer nofollow">${link}</a>` : html`<span class="muted">none</span>`}</dd>
    <dt>Published</dt><dd>${when(d.publishedAt) || html`<span class="muted">unknown</span>`}</dd>
    <dt>Discovered</dt><dd>${when(d.discoveredAt)}</dd>
    ${d.author ? html`<dt>Author</dt><dd>${d.author}</dd>` : ''}
  </dl>
  <figure class="excerpt">
    <figcaption>Source excerpt <span class="editor-only">editor only · never published</span></figcaption>
    <blockquote>${d.excerpt ?? html`<span class="muted">${d.enrichment?.robots?.nosnippet ? 'excerpt withheld: the page says nosnippet' : 'no excerpt'}</span>`}</blockquote>
  </figure>
  ${enrichmentSection(d)}
  ${d.related.length ? html`<h3>Related coverage</h3><ul>${d.related.map((r) => html`<li><a href="/drafts/${r.draftId}">${r.headline}</a> — ${r.sourceName}</li>`)}</ul>` : ''}
  ${d.coverage.length ? html`<h3>Also carried by (${String(d.coverage.length)})</h3><p class="muted">Other sources' items for the same article, found by the pipeline; the signal lists them in its related coverage.</p><ul class="coverage">${d.coverage.map((c) => html`<li>${safeHref(c.link) ? html`<a href="${safeHref(c.link)}" rel="noopener noreferrer nofollow">${c.headline}</a>` : c.headline} — ${c.sourceName} <span class="muted">${when(c.at)}</span></li>`)}</ul>` : ''}
</section>

${insightsSection({ actor, csrf: ctx.csrf }, d)}

<section aria-labelledby="edit-title">
  <h2 id="edit-title">Editorial fields</h2>
  <form method="post" action="/drafts/${d.id}/edit" class="edit${editable ? '' : ' readonly'}" id="edit-form"${editable ? html` data-preview="/fragments/drafts/${d.id}/preview"` : html` aria-readonly="true"`}>
    ${hidden}${thenNext}
    <label for="f-headline">Headline</label><input id="f-headline" name="headline" value="${v('headline', d.headline)}" required maxlength="300"${invalid('headline')}${editable ? '' : html` readonly`}>${err('headline')}
    <div class="row">
      <div><label for="f-category">Category</label><input id="f-category" name="category" value="${v('category', d.category ?? '')}" maxlength="80"${invalid('category')}${editable ? '' : html` readonly`}>${err('category')}</div>
      <div><label for="f-score">Signal score (0–100)</label><input id="f-score" name="score" type="number" min="0" max="100" value="${v('score', String(d.score))}"${invalid('score')}${editable ? '' : html` readonly`}>${err('score')}</div>
      <div>${select('horizon', 'Horizon', HORIZONS, d.horizon)}</div>
    </div>
    ${text('summary', 'Summary', d.summary, 2)}
    ${text('whyNow', 'Why now', d.whyNow)}
    ${text('whyImportant', "Why it's important", d.whyImportant)}
    ${text('whatChanges', 'What changes', d.whatChanges)}
    <div class="row">
      <div>${text('winners', 'Winners (one per line)', d.winners.join('\n'))}</div>
      <div>${text('losers', 'Losers (one per line)', d.losers.join('\n'))}</div>
    </div>
    <fieldset><legend>Second-order effects</legend>
      ${text('secondOrderEffects.direct', 'Direct', d.secondOrderEffects.direct, 2)}
      ${text('secondOrderEffects.second', 'Second order', d.secondOrderEffects.second, 2)}
      ${text('secondOrderEffects.third', 'Third order', d.secondOrderEffects.third, 2)}
    </fieldset>
    <div class="row">
      <div>${level('editorialConfidence', 'Editorial confidence', d.editorialConfidence)}</div>
      <div>${level('structuralImpact', 'Structural impact', d.structuralImpact)}</div>
    </div>
    <label for="f-tags">Tags (comma-separated)</label><input id="f-tags" name="tags" value="${v('tags', d.tags.join(', '))}"${invalid('tags')}${editable ? '' : html` readonly`}>${err('tags')}
  </form>
  ${(d.status === 'rejected' || d.status === 'merged') && can(actor, 'review')
    ? html`<form method="post" action="/drafts/${d.id}/reopen" class="decide">${hidden}<button type="submit">Reopen</button></form>`
    : ''}
</section>
</div>
<div>
<section aria-labelledby="preview-title" class="preview">
  <h2 id="preview-title">Preview <span class="muted">as published${editable ? ', as you type' : ''}</span></h2>
  <div id="preview-card">${signalCard(d)}</div>
</section>
<section aria-labelledby="history-title">
  <h2 id="history-title">History</h2>
  <ol class="history">
    <li><time datetime="${d.discoveredAt}">${when(d.discoveredAt)}</time> discovered in ${d.source.name}</li>
    ${d.history.map(historyItem)}
  </ol>
</section>
</div>
</div>`;
  return layout(ctx, d.headline, body);
}
