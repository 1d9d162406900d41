// leak.js: /leaks/{id} — one leak record: its status and the buttons that change it, its
// retained size over its occurrences (one per analysed snapshot), the occurrences with
// their reports, and its events (who or what changed the status, when, why).
import { api, notAvailable } from './api.js';
import { el, mount, size, count, when, richText, notice, bytes } from './dom.js';
import { lineChart } from './chart.js';
import { statusBadge, statusActions, kindWords } from './leaks.js';

function occurrencesTable(list) {
  return el('div', { class: 'scroll' }, el('table', {},
    el('thead', {}, el('tr', {}, ['Uploaded', 'Version', 'Retained size', 'Levels / objects', 'Status then', 'Report']
      .map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, list.map((o) => el('tr', {},
      el('td', {}, when(o.uploaded_at)), el('td', {}, o.version || '–'),
      el('td', { class: 'num' }, size(o.retained_size)), el('td', { class: 'num' }, count(o.levels ?? o.count)),
      el('td', {}, o.status ? statusBadge(o.status) : '–'),
      el('td', {}, el('a', { href: `/reports/${o.analysis_id}` }, `report ${o.analysis_id}`)))))));
}

function eventsList(events) {
  return el('ol', { class: 'events' }, events.map((e) => el('li', {}, when(e.at), ' ',
    e.from_status ? [statusBadge(e.from_status), ' → '] : null, statusBadge(e.to_status),
    el('span', { class: 'muted' }, ` by ${e.actor}`), e.reason ? [' — ', e.reason] : null,
    e.analysis_id ? [' (', el('a', { href: `/reports/${e.analysis_id}` }, `report ${e.analysis_id}`), ')'] : null)));
}

function draw(main, doc, id) {
  const leak = doc.leak || doc;
  const occ = doc.occurrences || leak.occurrences_list || [];
  const events = doc.events || [];
  const redraw = (changed) => render(main, { id, changed });
  const points = [...occ].reverse().map((o) => ({ value: o.retained_size, label: o.version || `#${o.snapshot_id}`,
    title: o.uploaded_at ? new Date(o.uploaded_at).toLocaleString() : `snapshot ${o.snapshot_id}` }));
  mount(main,
    el('p', { class: 'kind' }, kindWords(leak.kind), ' · ', el('a', { href: `/apps/${encodeURIComponent(leak.app || '')}` }, leak.app)),
    el('div', { class: 'title-row' }, el('h1', {}, richText(leak.title)), statusActions(leak, redraw)),
    el('dl', { class: 'facts card' },
      el('dt', {}, 'Status'), el('dd', {}, statusBadge(leak.status)),
      el('dt', {}, 'Occurrences'), el('dd', {}, count(leak.occurrences)),
      el('dt', {}, 'First seen'), el('dd', {}, when(leak.first_seen_at)),
      el('dt', {}, 'Last seen'), el('dd', {}, when(leak.last_seen_at)),
      el('dt', {}, 'Latest retained'), el('dd', {}, size(leak.latest_retained_size)),
      el('dt', {}, 'Peak retained'), el('dd', {}, size(leak.peak_retained_size)),
      el('dt', {}, 'Fingerprint'), el('dd', {}, el('code', {}, leak.fingerprint))),
    el('section', { class: 'card', 'aria-labelledby': 'occ-h' }, el('h2', { id: 'occ-h' }, 'Occurrences'),
      points.length > 1 ? lineChart(points, { format: bytes, caption: 'retained size per occurrence, oldest first' }) : null,
      occurrencesTable(occ)),
    el('section', { class: 'card', 'aria-labelledby': 'events-h' }, el('h2', { id: 'events-h' }, 'Events'), eventsList(events)));
}

export async function render(main, { id }) {
  document.title = `Leak ${id} · leaktriage`;
  try {
    draw(main, await api(`/leaks/${id}`), id);
  } catch (e) {
    if (!notAvailable(e)) throw e;
    mount(main, el('h1', {}, `Leak ${id}`), notice('Leak records are not available on this server yet.'));
  }
}
