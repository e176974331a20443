import type { SourceHealth } from '../../schedule/health.ts';
import { describeSkipCounts } from '../../drafts/skipReason.ts';
import { html, safeHref, type SafeHtml } from '../html.ts';
import { ago, when } from './format.ts';
import { layout, notice, type PageContext } from './layout.ts';
import { can } from '../../auth/roles.ts';
import { sourceActionsSection, type SourceActionsPanel } from './sourceActions.ts';

/** The schedule cell: what is configured, the interval in force and why (describeSchedule's words). */
function scheduleCell(h: SourceHealth): SafeHtml {
  const v = h.schedule;
  return html`<div>${v.inForce ? html`<strong>${v.inForce}</strong>` : ''} <span class="muted">(${v.configured})</span></div><div class="muted" data-reason="${v.reason.code}">${v.reason.text}</div>`;
}

export function sourcesPage(ctx: PageContext, health: SourceHealth[], now: number, notice_?: string, actions?: SourceActionsPanel, noticeKind: 'ok' | 'error' = 'ok'): SafeHtml {
  const canManage = ctx.actor ? can(ctx.actor, 'manageSources') : false;
  const problems = health.filter((h) => ['paused', 'failing', 'selectors_broken', 'quiet'].includes(h.state)).length;
  const body = html`
<h1>Sources</h1>
${notice(notice_, noticeKind)}
<p>${health.length} sources, <strong>${problems}</strong> need attention. Problems first.</p>
<table class="queue sources">
  <caption class="visually-hidden">Source health</caption>
  <thead><tr><th scope="col">Source</th><th scope="col">Health</th><th scope="col">Last poll</th><th scope="col">Last success</th><th scope="col">Schedule</th><th scope="col">Next poll</th><th scope="col">New 24 h / 7 d</th><th scope="col">Detail</th></tr></thead>
  <tbody>${health.map(
    (h) => html`<tr data-state="${h.state}">
    <td><strong>${h.name}</strong><div class="muted">${h.id}</div>${safeHref(h.url) ? html`<div class="url"><a href="${safeHref(h.url)}" rel="noopener noreferrer nofollow">${h.url}</a></div>` : ''}</td>
    <td><span class="health health-${h.state}">${h.state.replace('_', ' ')}</span>${h.consecutiveFailures ? html`<div class="muted">${h.consecutiveFailures} failure${h.consecutiveFailures === 1 ? '' : 's'}</div>` : ''}</td>
    <td>${h.lastAttemptAt ? html`<time datetime="${h.lastAttemptAt}" title="${when(h.lastAttemptAt)}">${ago(h.lastAttemptAt, now)}</time>` : ''}</td>
    <td>${h.lastSuccessAt ? html`<time datetime="${h.lastSuccessAt}" title="${when(h.lastSuccessAt)}">${ago(h.lastSuccessAt, now)}</time>` : ''}</td>
    <td>${scheduleCell(h)}</td>
    <td>${h.schedule.dueAt ? html`<time datetime="${h.schedule.dueAt}" title="${when(h.schedule.dueAt)}">${h.schedule.due}</time>` : ''}</td>
    <td>${h.newItems24h} / ${h.newItems7d}${h.drops7d ? html`<div class="muted">dropped by rules: ${h.drops24h} / ${h.drops7d} (${h.dropsByRule.slice(0, 3).map((d) => `${d.rule} ${d.count}`).join(', ')}${h.dropsByRule.length > 3 ? ', …' : ''})</div>` : ''}${h.skippedItems7d ? html`<div class="muted">skipped: ${h.skippedItems24h} / ${h.skippedItems7d} (${describeSkipCounts(h.skippedByReason)})</div>` : ''}</td>
    <td>${h.code ? html`<code class="health-code">${h.code}</code> ` : ''}${h.summary}${h.redirect ? html`<div class="muted">moved permanently to ${h.redirect.to}: update the sources file</div>` : ''}${h.warning ? html`<div class="health-warning">warning <code class="health-code">${h.warning.code}</code> ${h.warning.message}</div>` : ''}${h.state === 'paused' && canManage ? html`<form method="post" action="/sources/${h.id}/resume" class="inline"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit">Resume polling</button></form>` : ''}</td>
  </tr>`,
  )}</tbody>
</table>
${canManage && actions ? sourceActionsSection(ctx, health, actions) : ''}`;
  return layout(ctx, 'Sources', body);
}
