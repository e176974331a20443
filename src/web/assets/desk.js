// Signal Desk: keyboard shortcuts and the live queue. Progressive enhancement only: every action is a
// plain form that works without this script. Never builds HTML from data: rows come rendered (and
// escaped) by the server.
(() => {
  'use strict';
  const help = document.getElementById('keys');
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;
  const rows = () => Array.from(document.querySelectorAll('#rows tr[data-id]'));
  let selected = -1;

  function select(i) {
    const all = rows();
    if (all.length === 0) return;
    selected = Math.max(0, Math.min(all.length - 1, i));
    all.forEach((r, n) => r.setAttribute('aria-selected', String(n === selected)));
    const link = all[selected].querySelector('a');
    link?.focus();
  }

  function selectedId() {
    return rows()[selected]?.dataset.id;
  }

  async function claim(id) {
    const res = await fetch(`/api/drafts/${encodeURIComponent(id)}/claim`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf ?? '' }, body: '{}', credentials: 'same-origin' });
    const body = await res.json().catch(() => ({}));
    announce(res.ok ? `Claimed ${id}.` : body.message ?? `Could not claim ${id}.`);
    if (res.ok) refreshRows();
  }

  function announce(text) {
    const live = document.getElementById('live');
    if (live) live.textContent = text;
  }

  // Candidates (entities as winners or losers, the suggested category) only fill a field of the edit form:
  // nothing is saved until the editor saves.
  function fill(button) {
    const field = document.getElementById(`f-${button.dataset.fill}`);
    const value = button.dataset.value ?? '';
    if (!field || field.readOnly || !value) return;
    if (field.tagName === 'TEXTAREA') {
      const lines = field.value.split('\n').map((l) => l.trim()).filter(Boolean);
      if (!lines.some((l) => l.toLowerCase() === value.toLowerCase())) lines.push(value);
      field.value = lines.join('\n');
    } else {
      field.value = value;
    }
    announce(`${button.dataset.fill === 'category' ? 'Category' : button.dataset.fill === 'winners' ? 'Winners' : 'Losers'}: ${value} filled in, not saved yet.`);
  }

  document.addEventListener('click', (e) => {
    if (e.target.closest('[data-action="help"]')) help?.showModal();
    const candidate = e.target.closest('button[data-fill]');
    if (candidate) { e.preventDefault(); fill(candidate); }
  });

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
    if (help?.open && e.key !== '?') return;
    const onQueue = rows().length > 0;
    const keyButton = (key) => document.querySelector(`[data-key="${key}"]`);
    switch (e.key) {
      case '?':
        e.preventDefault();
        if (help?.open) help.close();
        else help?.showModal();
        break;
      case 'j':
        if (onQueue) { e.preventDefault(); select(selected + 1); }
        break;
      case 'k':
        if (onQueue) { e.preventDefault(); select(selected - 1); }
        break;
      case 'Enter':
        if (onQueue && selectedId() && !(t instanceof HTMLAnchorElement)) { e.preventDefault(); location.href = `/drafts/${selectedId()}`; }
        break;
      case 'c':
        if (keyButton('c')) { e.preventDefault(); keyButton('c').click(); }
        else if (onQueue && selectedId()) { e.preventDefault(); claim(selectedId()); }
        break;
      case 'a':
        if (keyButton('a')) { e.preventDefault(); keyButton('a').click(); }
        break;
      case 's':
        if (keyButton('s')) { e.preventDefault(); keyButton('s').click(); }
        break;
      case 'r': {
        const reason = document.getElementById('f-reason');
        if (reason) { e.preventDefault(); reason.focus(); reason.scrollIntoView({ block: 'center' }); }
        break;
      }
    }
  });

  // Live queue: the server tells us when drafts arrive or editors act; we fetch the rendered rows again.
  let pending;
  async function refreshRows() {
    const body = document.getElementById('rows');
    if (!body) return;
    const keep = selectedId();
    const res = await fetch(`/fragments/rows${location.search}`, { credentials: 'same-origin' });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(`<table><tbody>${await res.text()}</tbody></table>`, 'text/html');
    body.replaceChildren(...doc.querySelectorAll('tbody > tr'));
    const counts = JSON.parse(res.headers.get('x-counts') ?? '{}');
    for (const [status, n] of Object.entries(counts)) {
      const el = document.querySelector(`[data-count="${status}"]`);
      if (el) el.textContent = String(n);
    }
    if (keep) {
      const i = rows().findIndex((r) => r.dataset.id === keep);
      if (i >= 0) { selected = i; rows()[i].setAttribute('aria-selected', 'true'); }
    }
  }
  // Draft page: when the enrich stage fills this draft in, its "Article page" section is fetched again
  // (rendered by the server); the edit form is left alone, so nothing typed is lost.
  async function refreshEnrichment(section) {
    const res = await fetch(`/fragments/drafts/${encodeURIComponent(section.dataset.draft)}/enrichment`, { credentials: 'same-origin' });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const next = doc.getElementById('enrichment');
    if (next) { section.replaceWith(next); announce('The article page was read: its metadata is shown.'); }
  }
  // Draft page: when the annotate or story stage writes this draft (or its story gains a member), its story,
  // suggestion, entities and score are fetched again, rendered by the server.
  async function refreshInsights(section) {
    const res = await fetch(`/fragments/drafts/${encodeURIComponent(section.dataset.draft)}/insights`, { credentials: 'same-origin' });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const next = doc.getElementById('insights');
    if (next) { section.replaceWith(next); announce('The story, suggestion, entities or score changed: shown again.'); }
  }
  const insights = () => document.getElementById('insights');
  const enrichment = () => document.getElementById('enrichment');
  if ((document.getElementById('rows') || enrichment() || insights()) && 'EventSource' in window) {
    const events = new EventSource('/events');
    const schedule = () => { clearTimeout(pending); pending = setTimeout(refreshRows, 300); };
    events.addEventListener('drafts', (e) => {
      if (!document.getElementById('rows')) return;
      const { created } = JSON.parse(e.data);
      announce(`${created} new draft${created === 1 ? '' : 's'} arrived.`);
      schedule();
    });
    events.addEventListener('desk', (e) => {
      if (document.getElementById('rows')) schedule();
      const section = enrichment();
      const event = JSON.parse(e.data);
      if (section && event.draftId === section.dataset.draft && (event.action === 'enriched' || event.actor === 'enrichment')) refreshEnrichment(section);
      const mine = insights();
      if (mine && ((event.draftId === mine.dataset.draft && ['annotated', 'story', 'split', 'move', 'enriched'].includes(event.action)) || (event.storyId && event.storyId === mine.dataset.story))) refreshInsights(mine);
    });
  }
})();
