import { can, type Actor } from '../../auth/roles.ts';
import { DRAFT_STATUSES } from '../../drafts/schema.ts';
import type { BulkResult } from '../../review/bulkActions.ts';
import type { DraftQuery, StoryPage, StoryRow } from '../../review/desk.ts';
import type { Facets } from '../../search/readFacets.ts';
import { html, safeHref, type SafeHtml } from '../html.ts';
import { enrichmentMarker } from './enrichment.ts';
import { ago, when } from './format.ts';
import { layout, notice, type PageContext } from './layout.ts';

const LABEL = { pending: 'Pending', approved: 'Approved', rejected: 'Rejected', merged: 'Merged' } as const;

function query(q: Record<string, string | undefined>): string {
  const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => Boolean(e[1])));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Whether the queue shows the bulk checkboxes: pending drafts, to someone who may review them. */
export function canPick(actor: Actor | undefined, status: string | undefined): boolean {
  return (status ?? 'pending') === 'pending' && actor !== undefined && can(actor, 'review');
}

/** `filters`: the queue's filters as a query string, carried to the draft page (`?queue=`) for the next-draft flow. */
export function queueRows(page: StoryPage, now: number, pick = false, filters = ''): SafeHtml {
  const from = filters ? `?queue=${encodeURIComponent(filters)}` : '';
  if (page.stories.length === 0) return html`<tr class="empty"><td colspan="${pick ? 7 : 6}">No drafts match.</td></tr>`;
  return html`${page.stories.map((row) => {
    const d = row.lead;
    return html`<tr data-id="${d.id}"${row.storyId ? html` data-story="${row.storyId}"` : ''}>
  ${pick ? html`<td class="pick"><input type="checkbox" form="bulk" name="pick.${d.id}" value="${d.version}" aria-label="Select “${d.headline}”"></td>` : ''}
  <td class="score"><span class="badge score-${d.score >= 70 ? 'high' : d.score >= 40 ? 'mid' : 'low'}">${d.score}</span></td>
  <td class="headline"><a href="/drafts/${d.id}${from}" title="${d.headline}">${d.headline}</a> ${enrichmentMarker(d)}${d.tags.length ? html`<div class="tags">${d.tags.slice(0, 5).map((t) => html`<span class="tag">${t}</span>`)}</div>` : ''}${storyLine(row, now)}</td>
  <td>${d.source.name}</td>
  <td>${d.category ?? html`<span class="muted">—</span>`}</td>
  <td><time datetime="${d.publishedAt ?? d.discoveredAt}" title="${when(d.publishedAt ?? d.discoveredAt)}">${ago(d.publishedAt ?? d.discoveredAt, now)}</time></td>
  <td class="claim">${d.claim ? html`<span title="until ${when(d.claim.expiresAt)}">${d.claim.user}</span>` : ''}</td>
</tr>`;
  })}`;
}

/** A story's line under its lead headline: its publishers, first seen, latest addition, and its members to expand (metadata only). */
function storyLine(row: StoryRow, now: number): SafeHtml | string {
  if (!row.storyId || row.members.length < 2) return '';
  const n = row.sources.length;
  return html`<div class="story" data-story="${row.storyId}"><span class="sources" title="${row.sources.join(', ')}">${String(n)} source${n === 1 ? '' : 's'}: ${row.sources.slice(0, 6).join(', ')}${n > 6 ? ` and ${n - 6} more` : ''}</span> · first seen <time datetime="${row.firstSeen}" title="${when(row.firstSeen)}">${ago(row.firstSeen, now)}</time> · latest <time datetime="${row.latestAt}" title="${when(row.latestAt)}">${ago(row.latestAt, now)}</time>
<details class="members"><summary>${String(row.members.length)} items in this story</summary><ul>${row.members.map((m) => {
    const link = safeHref(m.link);
    return html`<li data-member="${m.draftId}">${m.listed && m.draftId !== row.lead.id ? html`<a href="/drafts/${m.draftId}">${m.headline}</a>` : m.headline} — ${m.sourceName} · <time datetime="${m.publishedAt ?? m.addedAt}" title="${when(m.publishedAt ?? m.addedAt)}">${ago(m.publishedAt ?? m.addedAt, now)}</time>${link ? html` · <a href="${link}" rel="noopener noreferrer nofollow">source link</a>` : ''}${m.draftId === row.lead.id ? html` <span class="muted">(lead)</span>` : m.listed ? '' : html` <span class="muted">(decided)</span>`}</li>`;
  })}</ul></details></div>`;
}

/** What a bulk action did, draft by draft, when some drafts were not done (all done is a plain notice). */
export function bulkReport(result: BulkResult, headlines: Map<string, string>): SafeHtml {
  const verb = { reject: 'Rejected', merge: 'Merged', release: 'Released the claims on' }[result.action];
  const failedVerb = { reject: 'Not rejected', merge: 'Not merged', release: 'Not released' }[result.action];
  const name = (id: string) => html`<a href="/drafts/${id}">${headlines.get(id) ?? id}</a>`;
  return html`<div class="notice error bulk-report" role="alert">
  <p>${verb} ${String(result.done)} of ${String(result.results.length)} draft${result.results.length === 1 ? '' : 's'}${result.into ? html` into ${name(result.into)}` : ''}; ${String(result.failed)} ${result.failed === 1 ? 'was' : 'were'} not:</p>
  <ul>${result.results.map((r) => (r.ok ? html`<li class="ok" data-draft="${r.id}">${name(r.id)}: ${r.status}</li>` : html`<li class="failed" data-draft="${r.id}">${failedVerb}: ${name(r.id)}: ${r.message}</li>`))}</ul>
</div>`;
}

const SEARCH_HINT = 'e.g. dram semicond';
const SEARCH_HELP = 'Every word must start a word of the headline, excerpt, tags, source or author; case and accents do not matter.';

/** A pick list of the values that exist (the facets), "any" first; a value asked for that no draft has any more stays selected. */
function pickList(name: string, label: string, current: string | undefined, options: { value: string; text: string }[]): SafeHtml {
  const known = options.some((o) => o.value === current);
  return html`<label>${label} <select name="${name}"><option value="">Any</option>${current && !known ? html`<option value="${current}" selected>${current}</option>` : ''}${options.map((o) => html`<option value="${o.value}"${o.value === current ? html` selected` : ''}>${o.text}</option>`)}</select></label>`;
}

/** The search box and the category, source and tag filters: pick lists of what the drafts in this status have (counts in brackets). */
function filterFields(q: DraftQuery, facets: Facets | undefined): SafeHtml {
  const f = facets ?? { categories: [], sources: [], tags: [] };
  return html`<label>Search <input type="search" name="q" value="${q.q ?? ''}" placeholder="${SEARCH_HINT}" size="${String(SEARCH_HINT.length + 2)}" maxlength="200" title="${SEARCH_HELP}"></label>
  ${pickList('category', 'Category', q.category, f.categories.map((c) => ({ value: c.value, text: `${c.value} (${c.count})` })))}
  ${pickList('source', 'Source', q.source, f.sources.map((s) => ({ value: s.id, text: `${s.name} (${s.count})` })))}
  <label>Tag <input name="tag" value="${q.tag ?? ''}" list="tag-values" placeholder="any tag" size="14" autocomplete="off"></label>
  <datalist id="tag-values">${f.tags.map((t) => html`<option value="${t.value}">${t.value} (${String(t.count)})</option>`)}</datalist>`;
}

export function queuePage(ctx: PageContext, page: StoryPage, q: DraftQuery, now: number, flash?: string | SafeHtml, facets?: Facets): SafeHtml {
  const status = q.status ?? 'pending';
  const pick = canPick(ctx.actor, status);
  const filters = { category: q.category, source: q.source, tag: q.tag, entity: q.entity, lang: q.lang, section: q.section, q: q.q, sort: q.sort };
  const body = html`
<h1>Review queue</h1>
${typeof flash === 'string' || flash === undefined ? notice(flash) : flash}
<nav class="tabs" aria-label="Status">
  ${DRAFT_STATUSES.map((s) => html`<a href="/${query({ ...filters, status: s })}"${s === status ? html` aria-current="page"` : ''}>${LABEL[s]} <span class="count" data-count="${s}">${page.counts[s]}</span></a>`)}
</nav>
<form class="filters" method="get" action="/" role="search">
  <input type="hidden" name="status" value="${status}">
  ${filterFields(q, facets)}
  <label>Entity <input name="entity" value="${q.entity ?? ''}" placeholder="Nvidia, Lisa Su"></label>
  <label>Language <input name="lang" value="${q.lang ?? ''}" placeholder="en, de, pt-BR" size="12"></label>
  <label>Section <input name="section" value="${q.section ?? ''}" placeholder="article section"></label>
  <label>Sort <select name="sort"><option value="score"${q.sort !== 'age' ? html` selected` : ''}>Score</option><option value="age"${q.sort === 'age' ? html` selected` : ''}>Newest</option></select></label>
  <button type="submit">Filter</button>
</form>
<p id="live" class="live" aria-live="polite"></p>
${pick
    ? html`<form id="bulk" class="bulk" method="post" action="/queue/bulk" aria-label="Selected drafts">
  <input type="hidden" name="_csrf" value="${ctx.csrf}">
  <span class="picked" id="picked" aria-live="polite">Select drafts with the boxes:</span>
  <label for="bulk-reason">Reason</label><input id="bulk-reason" name="reason" maxlength="500" placeholder="why they are rejected">
  <button type="submit" name="action" value="reject" class="danger">Reject selected</button>
  <label for="bulk-into">Merge into</label><select id="bulk-into" name="into"><option value="">the first selected</option></select>
  <button type="submit" name="action" value="merge">Merge selected</button>
  <button type="submit" name="action" value="release">Release claims</button>
</form>`
    : ''}
<div class="table-wrap">
<table class="queue" data-status="${status}">
  <caption class="visually-hidden">${LABEL[status]} drafts</caption>
  <thead><tr>${pick ? html`<th scope="col" class="pick"><input type="checkbox" id="pick-all" aria-label="Select every draft shown"></th>` : ''}<th scope="col">Score</th><th scope="col">Headline</th><th scope="col">Source</th><th scope="col">Category</th><th scope="col">Age</th><th scope="col">Claimed by</th></tr></thead>
  <tbody id="rows"${pick ? html` data-pick="1"` : ''}>${queueRows(page, now, pick, new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => Boolean(e[1]))).toString())}</tbody>
</table>
</div>
${page.nextCursor ? html`<p><a class="more" href="/${query({ ...filters, status, cursor: page.nextCursor })}">More drafts →</a></p>` : ''}
<p class="hint">Press <kbd>?</kbd> for keyboard shortcuts.</p>`;
  return layout(ctx, 'Review queue', body);
}
