// leak.js: /leaks/{id} — one leak record (GET /api/v1/leaks/{id}): its status, the user's
// choice and the buttons that change it, its retained size over its occurrences (one per
// analysed snapshot, newest first, paged by next_cursor) with their reports, and its events
// (who or what changed the status, when, why).
import { api, query, ApiError } from './api.js';
import { el, mount, size, count, when, richText, notice, bytes, percent } from './dom.js';
import { lineChart } from './chart.js';
import { statusBadge, statusActions, kindWords } from './leaks.js';

function labelText(labels) {
  return ['version', 'branch', 'commit', 'host', 'environment'].filter((k) => labels?.[k]).map((k) => `${k} ${labels[k]}`).join(', ');
}

function occurrenceRow(o) {
  return el('tr', {},
    el('td', {}, when(o.uploaded_at)), el('td', {}, labelText(o.labels) || '–'),
    el('td', { class: 'num' }, size(o.retained_size), el('span', { class: 'muted' }, ` ${percent(o.retained_percent)}`)),
    el('td', { class: 'num' }, o.levels !== null ? `${count(o.levels)} levels` : o.count !== null ? `${count(o.count)} objects` : '–'),
    el('td', {}, o.status ? statusBadge(o.status) : '–'),
    el('td', {}, el('a', { href: `/reports/${o.analysis_id}` }, `report ${o.analysis_id}`)));
}

function occurrencesSection(id, doc) {
  const tbody = el('tbody', {}, doc.occurrences.map(occurrenceRow));
  const foot = el('div', { class: 'table-foot' });
  const shown = [...doc.occurrences];
  const chart = el('div', {});
  const drawChart = () => {
    const points = [...shown].reverse().map((o) => ({ value: o.retained_size,
      label: o.labels?.version || `#${o.snapshot_id}`, title: new Date(o.uploaded_at).toLocaleString() }));
    mount(chart, points.length > 1 ? lineChart(points, { format: bytes, caption: 'retained size per occurrence, oldest first' }) : null);
  };
  const more = (cursor) => mount(foot, cursor ? el('button', { type: 'button', onclick: async () => {
    try {
      const next = await api(`/leaks/${id}${query({ cursor })}`);
      shown.push(...next.occurrences);
      tbody.append(...next.occurrences.map(occurrenceRow));
      drawChart();
      more(next.next_cursor);
    } catch (e) { mount(foot, notice(e.message, 'error')); }
  } }, 'Show older occurrences') : null);
  drawChart();
  more(doc.next_cursor);
  return el('section', { class: 'card', id: 'occurrences', 'aria-labelledby': 'occ-h' }, el('h2', { id: 'occ-h' }, 'Occurrences'),
    chart, el('div', { class: 'scroll' }, el('table', {},
      el('thead', {}, el('tr', {}, ['Uploaded', 'Labels', 'Retained size', 'Levels / objects', 'Status then', 'Report']
        .map((h) => el('th', { scope: 'col' }, h)))), tbody)), foot);
}

function eventsList(events) {
  return el('ol', { class: 'events' }, events.map((e) => el('li', {}, when(e.at), ' ',
    e.from ? [statusBadge(e.from), ' → '] : null, statusBadge(e.to),
    el('span', { class: 'muted' }, ` by ${e.actor}`), e.reason ? [' — ', e.reason] : null,
    e.analysis_id ? [' (', el('a', { href: `/reports/${e.analysis_id}` }, `report ${e.analysis_id}`), ')'] : null)));
}

function seenText(s) {
  return [when(s.at), ' in ', el('a', { href: `/reports/${s.analysis_id}` }, `report ${s.analysis_id}`),
    s.labels?.version ? ` (version ${s.labels.version})` : ''];
}

function draw(main, doc, id) {
  const leak = doc.leak;
  const redraw = () => render(main, { id });
  document.title = `Leak ${id}: ${leak.app} · leaktriage`;
  mount(main,
    el('p', { class: 'kind' }, kindWords(leak.kind), ' · ', el('a', { href: `/apps/${encodeURIComponent(leak.app)}` }, leak.app)),
    el('div', { class: 'title-row' }, el('h1', {}, richText(leak.title)), statusActions(leak, redraw)),
    el('dl', { class: 'facts card' },
      el('dt', {}, 'Status'), el('dd', {}, statusBadge(leak.status),
        leak.choice ? el('span', { class: 'muted' }, ` — set to ${leak.choice.status} by ${leak.choice.by} `, when(leak.choice.at)) : null),
      el('dt', {}, 'Occurrences'), el('dd', {}, count(leak.occurrences)),
      el('dt', {}, 'First seen'), el('dd', {}, seenText(leak.first_seen)),
      el('dt', {}, 'Last seen'), el('dd', {}, seenText(leak.last_seen)),
      el('dt', {}, 'Latest retained'), el('dd', {}, size(leak.latest_retained_size), ` ${percent(leak.latest_retained_percent)} of the heap`),
      el('dt', {}, 'Peak retained'), el('dd', {}, size(leak.peak_retained_size), ` ${percent(leak.peak_retained_percent)} of the heap`),
      el('dt', {}, 'Fingerprint'), el('dd', {}, el('code', {}, leak.fingerprint))),
    occurrencesSection(id, doc),
    el('section', { class: 'card', id: 'events', 'aria-labelledby': 'events-h' }, el('h2', { id: 'events-h' }, 'Events'),
      eventsList(doc.events)));
}

export async function render(main, { id }) {
  document.title = `Leak ${id} · leaktriage`;
  let doc;
  try {
    doc = await api(`/leaks/${id}`);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
    mount(main, el('h1', {}, `Leak ${id}`), notice('There is no such leak among your apps.', 'error'));
    return;
  }
  draw(main, doc, id);
}
