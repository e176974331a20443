import type { Coverage, DraftSignal } from '../../drafts/schema.ts';
import { describeEnrichment, describeRobots, ENRICHMENT_MARK } from '../../review/describeEnrichment.ts';
import { html, safeHref, type SafeHtml } from '../html.ts';
import { when } from './format.ts';

type Found<T> = { value: T; rule: string } | null;

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
