import type { Coverage, DraftSignal, Enrichment } from '../../drafts/schema.ts';
import { html, safeHref, type SafeHtml } from '../html.ts';
import { when } from './format.ts';

type Found<T> = { value: T; rule: string } | null;

/** What each enrichment state means to an editor; `reason` says the rest. */
export const ENRICHMENT_LABEL: Record<Enrichment['state'], string> = {
  pending: 'pending: the article page is queued to be read',
  done: 'done',
  refused: 'refused',
  failed: 'failed',
  non_html: 'not HTML',
  disabled: 'disabled for this source',
};

/** The one-word marker of the queue list and the CLI. */
export const ENRICHMENT_MARK: Record<Enrichment['state'], string> = {
  pending: 'page pending',
  done: 'page read',
  refused: 'page refused',
  failed: 'page failed',
  non_html: 'not HTML',
  disabled: 'no page',
};

/** The state in words, with why (robots.txt, a status, a size) for a refusal or a failure. */
export function describeEnrichment(e: Enrichment): string {
  const label = e.state === 'refused' ? 'refused by the site or our rules' : ENRICHMENT_LABEL[e.state];
  if (e.state === 'non_html') return `${label}${e.contentType ? ` (${e.contentType})` : ''}: nothing to read from the page`;
  return e.reason && e.state !== 'done' ? `${label}: ${e.reason}` : label;
}

/** What robots directives changed, in words: "excerpt withheld: the page says nosnippet". */
export function describeRobots(robots: Enrichment['robots']): string[] {
  if (!robots) return [];
  const out: string[] = [];
  if (robots.nosnippet) out.push('excerpt withheld: the page says nosnippet');
  if (robots.maxSnippet !== null && !robots.nosnippet) out.push(`excerpt cut to ${robots.maxSnippet} characters: the page says max-snippet:${robots.maxSnippet}`);
  if (robots.noarchive) out.push('page description not kept: the page says noarchive');
  for (const a of robots.applied) if (!out.some((o) => o.includes(a))) out.push(`applied: ${a}`);
  return out;
}

/** A link when http(s), else the text itself (never an href for `javascript:` and the like). */
function linkOrText(url: string): SafeHtml {
  const href = safeHref(url);
  return href ? html`<a href="${href}" rel="noopener noreferrer nofollow">${href}</a>` : html`<span class="muted">${url} (not a web link)</span>`;
}

/** One metadata row: the value, and the rule that gave it (on hover and written out, for screen readers and print). */
function row<T>(label: string, f: Found<T> | undefined, show: (v: T) => SafeHtml | string): SafeHtml | '' {
  if (!f) return '';
  return html`<dt>${label}</dt><dd title="from ${f.rule}">${show(f.value)} <span class="rule">${f.rule}</span></dd>`;
}

function dateText(v: string): SafeHtml {
  const shown = /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : when(v) || v;
  return html`<time datetime="${v}">${shown}</time>`;
}

/** The article page's own metadata, with provenance per field. Editors only: none of it is published. */
export function enrichmentSection(d: DraftSignal): SafeHtml {
  const e = d.enrichment;
  const state = e ? describeEnrichment(e) : 'not requested (this draft is older than enrichment)';
  const robots = e ? describeRobots(e.robots) : [];
  const body = e
    ? html`<dl class="meta">
    ${row('Canonical link', e.canonicalUrl, linkOrText)}
    ${row('Title', e.title, (v) => v)}
    ${row('Site', e.siteName, (v) => v)}
    ${row('Authors', e.authors, (v) => v.join('; '))}
    ${row('Published', e.publishedAt, dateText)}
    ${row('Modified', e.modifiedAt, dateText)}
    ${row('Section', e.section, (v) => v)}
    ${row('Keywords', e.keywords, (v) => v.join(', '))}
    ${row('Language', e.lang, (v) => v)}
    ${row('Type', e.type, (v) => v)}
    ${row('Paywall', e.isAccessibleForFree, (v) => (v ? 'free to read' : html`<strong class="paywall">paywalled</strong> (not free to read)`))}
    ${row('Words', e.wordCount, (v) => String(v))}
    ${row('Image', e.image, linkOrText)}
    ${row('Description', e.description, (v) => v)}
    ${e.finalUrl && e.finalUrl !== d.link ? html`<dt>Page read</dt><dd>${linkOrText(e.finalUrl)}</dd>` : ''}
    ${e.at ? html`<dt>Read at</dt><dd>${when(e.at)}</dd>` : ''}
  </dl>`
    : '';
  return html`<section id="enrichment" class="enrichment" aria-labelledby="enrichment-title" data-draft="${d.id}" data-state="${e?.state ?? 'none'}" data-version="${d.version}">
  <h3 id="enrichment-title">Article page <span class="editor-only">editor only · never published</span></h3>
  <p class="enrichment-state">Enrichment: <strong class="state-${e?.state ?? 'none'}">${state}</strong></p>
  ${robots.length ? html`<ul class="robots">${robots.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
  ${body}
  ${coverageList(d.coverage)}
</section>`;
}

/** Other sources' items for the same article, recorded by the pipeline: metadata only. */
export function coverageList(coverage: Coverage[]): SafeHtml | '' {
  if (!coverage.length) return '';
  return html`<h3>Also covered by ${coverage.length} other source${coverage.length === 1 ? '' : 's'}</h3>
  <ul class="coverage">${coverage.map((c) => {
    const href = safeHref(c.link);
    return html`<li><strong>${c.sourceName}</strong>: ${href ? html`<a href="${href}" rel="noopener noreferrer nofollow">${c.headline}</a>` : c.headline} <time datetime="${c.publishedAt ?? c.at}" class="muted">${when(c.publishedAt ?? c.at)}</time></li>`;
  })}</ul>`;
}

/** The queue row's marker: enrichment state, and how many sources carry the article when more than one. */
export function enrichmentMarker(d: DraftSignal): SafeHtml {
  const e = d.enrichment;
  const sources = d.coverage.length ? d.coverage.length + 1 : 0;
  return html`${e ? html`<span class="mark mark-${e.state}" title="${describeEnrichment(e)}">${ENRICHMENT_MARK[e.state]}</span>` : ''}${sources ? html` <span class="mark mark-coverage" title="${d.coverage.map((c) => c.sourceName).join(', ')}">${sources} sources</span>` : ''}`;
}
