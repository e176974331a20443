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
    // The live preview listens for input: a filled-in candidate shows there too.
    field.dispatchEvent(new window.Event('input', { bubbles: true }));
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
        if (onQueue && selectedId() && !(t instanceof HTMLAnchorElement)) { e.preventDefault(); location.href = rows()[selected].querySelector('td.headline a')?.href ?? `/drafts/${selectedId()}`; }
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
      case 'x': {
        const box = rows()[selected]?.querySelector('input[type="checkbox"]');
        if (onQueue && box) { e.preventDefault(); box.click(); }
        break;
      }
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
    // The editor's bulk selection survives the refresh (a row that left the queue leaves the selection).
    const picked = new Set(Array.from(body.querySelectorAll('input[name^="pick."]:checked')).map((b) => b.name));
    body.replaceChildren(...doc.querySelectorAll('tbody > tr'));
    for (const b of body.querySelectorAll('input[name^="pick."]')) b.checked = picked.has(b.name);
    updatePicked();
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
  // Queue: bulk selection. The count, "select all", and the merge target chosen among the selected rows
  // (option text set with textContent: never HTML).
  function option(text, value) {
    const o = document.createElement('option');
    o.textContent = text;
    o.value = value;
    return o;
  }
  function updatePicked() {
    const bulk = document.getElementById('bulk');
    if (!bulk) return;
    const boxes = Array.from(document.querySelectorAll('#rows input[name^="pick."]'));
    const checked = boxes.filter((b) => b.checked);
    const label = document.getElementById('picked');
    if (label) label.textContent = checked.length ? `${checked.length} selected:` : 'Select drafts with the boxes:';
    const all = document.getElementById('pick-all');
    if (all) { all.checked = boxes.length > 0 && checked.length === boxes.length; all.indeterminate = checked.length > 0 && checked.length < boxes.length; }
    const into = document.getElementById('bulk-into');
    if (into) {
      const was = into.value;
      const options = [option('the first selected', '')];
      for (const b of checked) {
        const id = b.name.slice(5);
        const headline = b.closest('tr')?.querySelector('td.headline a')?.textContent ?? id;
        options.push(option(headline.length > 60 ? `${headline.slice(0, 59)}…` : headline, id));
      }
      into.replaceChildren(...options);
      if (options.some((o) => o.value === was)) into.value = was;
    }
  }
  document.addEventListener('change', (e) => {
    const t = e.target;
    if (!t || t.tagName !== 'INPUT') return;
    if (t.id === 'pick-all') {
      for (const b of document.querySelectorAll('#rows input[name^="pick."]')) b.checked = t.checked;
      updatePicked();
    } else if (t.name.startsWith('pick.')) updatePicked();
  });
  document.getElementById('bulk')?.addEventListener('submit', (e) => {
    const n = document.querySelectorAll('#rows input[name^="pick."]:checked').length;
    const action = e.submitter?.value;
    if (n === 0 || (action === 'merge' && n < 2)) {
      e.preventDefault();
      announce(action === 'merge' ? 'Select at least two drafts to merge.' : 'Select at least one draft first.');
    } else if (action === 'reject' && !document.getElementById('bulk-reason')?.value.trim()) {
      e.preventDefault();
      announce('Say why the selected drafts are rejected (Reason).');
      document.getElementById('bulk-reason')?.focus();
    }
  });

  // Draft page: the preview follows the edit form as the editor types. The server renders the card from the
  // form's values (nothing is saved) with the same escaping as the page.
  const editForm = document.getElementById('edit-form');
  const previewUrl = editForm?.dataset.preview;
  let previewTimer;
  let previewSeq = 0;
  async function refreshPreview() {
    const seq = ++previewSeq;
    const res = await fetch(previewUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrf ?? '' }, body: new window.URLSearchParams(new window.FormData(editForm)), credentials: 'same-origin' });
    if (!res.ok || seq !== previewSeq) return;
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const card = doc.querySelector('article.signal');
    const box = document.getElementById('preview-card');
    if (card && box) box.replaceChildren(card);
  }
  if (editForm && previewUrl) {
    const schedule = () => { clearTimeout(previewTimer); previewTimer = setTimeout(refreshPreview, 200); };
    editForm.addEventListener('input', schedule);
    editForm.addEventListener('change', schedule);
  }

  // Draft page: merge by headline. Searches the pending drafts (the API's `q`), lists them as buttons built
  // with textContent; picking one fills the id field the form posts (which still takes an id typed by hand).
  const mergeForm = document.getElementById('merge-form');
  const mergeSearch = document.getElementById('f-merge-search');
  const mergeResults = document.getElementById('merge-results');
  let searchTimer;
  let searchSeq = 0;
  async function searchMerge() {
    const text = mergeSearch.value.trim();
    const seq = ++searchSeq;
    if (text.length < 2) { mergeResults.replaceChildren(); mergeResults.hidden = true; return; }
    const res = await fetch(`/api/drafts?${new window.URLSearchParams({ status: 'pending', q: text, limit: '8' })}`, { credentials: 'same-origin' });
    if (seq !== searchSeq) return;
    const body = await res.json().catch(() => ({}));
    const drafts = (body.drafts ?? []).filter((d) => d.id !== mergeForm.dataset.draft);
    const items = drafts.map((d) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'link';
      b.dataset.into = d.id;
      b.textContent = d.headline;
      const src = document.createElement('span');
      src.className = 'muted';
      src.textContent = ` — ${d.source?.name ?? ''}`;
      li.append(b, src);
      return li;
    });
    if (!res.ok) {
      const li = document.createElement('li');
      li.textContent = body.message ?? 'The search failed.';
      items.push(li);
    } else if (items.length === 0) {
      const li = document.createElement('li');
      li.className = 'muted';
      li.textContent = `No other pending draft matches “${text}”.`;
      items.push(li);
    }
    mergeResults.replaceChildren(...items);
    mergeResults.hidden = false;
  }
  if (mergeForm && mergeSearch && mergeResults) {
    mergeSearch.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(searchMerge, 200); });
    mergeSearch.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); mergeResults.querySelector('button')?.focus(); }
      if (e.key === 'Escape') { mergeResults.hidden = true; }
    });
    mergeResults.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-into]');
      if (!b) return;
      document.getElementById('f-into').value = b.dataset.into;
      document.getElementById('merge-choice').textContent = `Merging into “${b.textContent}”.`;
      mergeResults.hidden = true;
      mergeForm.querySelector('button[type="submit"]')?.focus();
    });
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
