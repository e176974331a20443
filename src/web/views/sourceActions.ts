import type { SourceHealth } from '../../schedule/health.ts';
import type { AuditEntry } from '../../sources/sourceAudit.ts';
import { html, type SafeHtml } from '../html.ts';
import { when } from './format.ts';
import type { PageContext } from './layout.ts';

/** What the operators' section of the Sources page shows besides the health: recent actions, and whether this process can edit the file. */
export interface SourceActionsPanel {
  entries: AuditEntry[];
  /** Why this desk cannot write the sources file (absent here, read-only), or undefined when it can. */
  fileProblem: string | undefined;
}

const button = (ctx: PageContext, id: string, action: string, label: string, extra: SafeHtml | string = '') =>
  html`<form method="post" action="/sources/${id}/${action}" class="inline"><input type="hidden" name="_csrf" value="${ctx.csrf}">${extra}<button type="submit">${label}</button></form>`;

/**
 * Operators' actions on each source (poll now, pause/resume, disable/enable, remove) as forms with the
 * page's CSRF token, and the latest audited actions. Pause is runtime (Redis); disable and remove edit the
 * sources file, which the desk may not be able to write: then those buttons are replaced by what to run
 * where the file lives.
 */
export function sourceActionsSection(ctx: PageContext, health: SourceHealth[], panel: SourceActionsPanel): SafeHtml {
  const rows = health.map((h) => {
    const pause = h.pausedReason ? button(ctx, h.id, 'resume', 'Resume') : button(ctx, h.id, 'pause', 'Pause');
    const file = panel.fileProblem
      ? html`<span class="muted">file edits: run <code>signal-desk sources ${h.state === 'disabled' ? 'enable' : 'disable'} ${h.id}</code> where the file lives</span>`
      : html`${h.state === 'disabled' ? button(ctx, h.id, 'enable', 'Enable') : button(ctx, h.id, 'disable', 'Disable')}
        <details class="remove"><summary>Remove…</summary>${button(ctx, h.id, 'remove', 'Remove from the sources file', html`<label><input type="checkbox" name="confirm" value="yes" required> remove ${h.id}</label>`)}</details>`;
    return html`<tr data-source="${h.id}"><td><strong>${h.id}</strong></td><td>${h.state.replace('_', ' ')}</td><td class="actions">${h.state === 'disabled' ? '' : button(ctx, h.id, 'poll', 'Poll now')}${pause}${file}</td></tr>`;
  });
  return html`
<section class="source-actions" aria-labelledby="source-actions-title">
<h2 id="source-actions-title">Operator actions</h2>
<p class="muted"><strong>Pause</strong> stops a source's polls until resumed (kept in Redis, the sources file unchanged); <strong>Disable</strong> writes <code>enabled: false</code> to the sources file, which a running <code>run</code> reloads. Every action is recorded below.</p>
${panel.fileProblem ? html`<p class="notice error" role="status">This desk cannot edit the sources file: ${panel.fileProblem}. Pause, resume and poll work from here; disable, enable and remove are done with the CLI where <code>run</code> reads the file.</p>` : ''}
<table class="queue sources-actions">
  <caption class="visually-hidden">Actions per source</caption>
  <thead><tr><th scope="col">Source</th><th scope="col">Health</th><th scope="col">Actions</th></tr></thead>
  <tbody>${rows}</tbody>
</table>
<h3>Recent actions</h3>
${panel.entries.length === 0
  ? html`<p class="muted">No source action recorded yet.</p>`
  : html`<table class="queue source-audit"><caption class="visually-hidden">Recent source actions</caption><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Source</th><th scope="col">Result</th></tr></thead><tbody>${panel.entries.map(
      (e) => html`<tr><td><time datetime="${e.at}">${when(e.at)}</time></td><td>${e.actor} <span class="muted">(${e.via})</span></td><td>${e.action}</td><td>${e.sourceId}</td><td>${e.result}<div class="muted">${e.message}</div></td></tr>`,
    )}</tbody></table>`}
</section>`;
}
