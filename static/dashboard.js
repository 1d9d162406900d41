// dashboard.js: / (all the customer's apps) and /apps/{app} — leaks grouped by fingerprint
// with status, kind, first/last seen, occurrences, retained size over time, the latest
// report and resolve / ignore / reopen; filters by status and kind (kept in the page's
// query so a view can be linked); an app's total heap per snapshot with version labels.
import { api, query } from './api.js';
import { el, mount, size, count, when, richText, notice, bytes } from './dom.js';
import { lineChart, sparkline } from './chart.js';
import { STATUSES, KINDS, statusBadge, statusActions, kindWords } from './leaks.js';

const PAGE = 50;

function select(id, label, values, current, words = (v) => v) {
  return el('div', { class: 'field inline' }, el('label', { for: id }, label),
    el('select', { id, name: id }, el('option', { value: '' }, 'all'),
      values.map((v) => el('option', { value: v, selected: v === current }, words(v)))));
}

// The latest retained size, its sparkline over the last occurrences (retained_history,
// oldest first) and the peak when it was bigger.
function retainedCell(l) {
  const values = l.retained_history;
  return el('td', { class: 'num' }, values.length > 1 ? sparkline(values, `retained size over the last ${values.length} occurrences`) : null,
    ' ', size(l.latest_retained_size),
    l.peak_retained_size > l.latest_retained_size ? el('span', { class: 'muted small block', title: `${count(l.peak_retained_size)} bytes` },
      `peak ${bytes(l.peak_retained_size)}`) : null);
}

// When and where: the time, and the version of that snapshot when it has one.
function seen(s) {
  return [when(s.at), s.labels?.version ? el('span', { class: 'muted small block' }, `version ${s.labels.version}`) : null];
}

function leakRow(l, allApps, replace) {
  const row = el('tr', { dataset: { leak: l.id, status: l.status, occurrences: l.occurrences } },
    el('td', {}, statusBadge(l.status)),
    el('td', {}, kindWords(l.kind)),
    el('th', { scope: 'row' }, el('a', { href: `/leaks/${l.id}` }, richText(l.title)),
      allApps && l.app ? el('span', { class: 'muted small block' }, l.app) : null),
    el('td', {}, seen(l.first_seen)),
    el('td', {}, seen(l.last_seen)),
    el('td', { class: 'num occurrences' }, count(l.occurrences)),
    retainedCell(l),
    el('td', {}, el('a', { href: `/reports/${l.last_seen.analysis_id}` }, 'latest report')),
    el('td', {}, statusActions(l, (changed) => replace(row, { ...l, ...changed }))));
  return row;
}

const HEADERS = ['Status', 'Kind', 'Leak', 'First seen', 'Last seen', 'Occurrences', 'Retained size', 'Report', 'Actions'];

function leaksSection(app) {
  const params = new URLSearchParams(location.search);
  const state = { status: params.get('status') || '', kind: params.get('kind') || '', q: params.get('q') || '', cursor: null };
  const tbody = el('tbody', {});
  const foot = el('div', { class: 'table-foot' });
  const note = el('div', {});
  const filters = el('form', { class: 'filters', role: 'search', 'aria-label': 'Filter leaks' },
    select('status', 'Status', STATUSES, state.status), select('kind', 'Kind', KINDS, state.kind, kindWords),
    el('div', { class: 'field inline' }, el('label', { for: 'q' }, 'Search'), el('input', { id: 'q', type: 'search', value: state.q })));
  const base = app ? `/apps/${encodeURIComponent(app)}/leaks` : '/leaks';
  const replace = (row, leak) => row.replaceWith(leakRow(leak, !app, replace));
  let seq = 0;
  const load = async (more) => {
    const mine = ++seq;
    const doc = await api(base + query({ status: state.status, kind: state.kind, q: state.q, limit: PAGE,
      cursor: more ? state.cursor : null }));
    if (mine !== seq) return; // a newer filter was asked for meanwhile
    if (!more) tbody.replaceChildren();
    tbody.append(...doc.leaks.map((l) => leakRow(l, !app, replace)));
    state.cursor = doc.next_cursor;
    mount(note, tbody.childElementCount ? null : el('p', { class: 'muted' }, 'No leak matches.'));
    mount(foot, state.cursor ? el('button', { type: 'button', onclick: () => load(true).catch(fail) }, 'Show more leaks') : null);
  };
  const section = el('section', { class: 'card', id: 'leaks', 'aria-labelledby': 'leaks-h' },
    el('h2', { id: 'leaks-h' }, app ? 'Leaks' : 'Leaks across all apps'), filters, note,
    el('div', { class: 'scroll' }, el('table', { class: 'leaks' },
      el('thead', {}, el('tr', {}, HEADERS.map((h) => el('th', { scope: 'col' }, h)))), tbody)), foot);
  const refilter = () => {
    state.status = filters.querySelector('#status').value;
    state.kind = filters.querySelector('#kind').value;
    state.q = filters.querySelector('#q').value.trim();
    history.replaceState(null, '', location.pathname + query({ status: state.status, kind: state.kind, q: state.q }));
    load(false).catch(fail);
  };
  const fail = (e) => mount(note, notice(e.message, 'error'));
  filters.addEventListener('change', refilter);
  filters.addEventListener('submit', (ev) => { ev.preventDefault(); refilter(); });
  load(false).catch(fail);
  return section;
}

async function heapChart(app) {
  const doc = await api(`/apps/${encodeURIComponent(app)}/snapshots${query({ limit: 1000 })}`);
  const snaps = doc.snapshots.filter((s) => s.total_size !== null && s.total_size !== undefined).reverse();
  const box = el('section', { class: 'card', id: 'heap', 'aria-labelledby': 'heap-h' }, el('h2', { id: 'heap-h' }, 'Heap per snapshot'));
  if (!snaps.length) return box.appendChild(el('p', { class: 'muted' }, 'No analysed snapshot yet.')) && box;
  const points = snaps.map((s) => ({ value: s.total_size, label: s.version || `#${s.id}`,
    title: `${s.version ? `version ${s.version}, ` : ''}${new Date(s.uploaded_at).toLocaleString()}` }));
  box.append(lineChart(points, { format: bytes, caption: `total heap of ${snaps.length === 1 ? 'the only snapshot' : `the last ${snaps.length} snapshots, oldest first`}` }));
  return box;
}

function appCard(a) {
  return el('li', { class: 'card app' }, el('h3', {}, el('a', { href: `/apps/${encodeURIComponent(a.name)}` }, a.name)),
    el('p', { class: 'muted' }, `${count(a.snapshot_count)} snapshots · last upload `, when(a.last_upload_at)));
}

export async function render(main, { app }) {
  document.title = `${app || 'All apps'} · leaktriage`;
  if (!app) {
    const { apps } = await api('/apps');
    mount(main, el('div', { class: 'title-row' }, el('h1', {}, 'All apps'), el('a', { class: 'button', href: '/upload' }, 'Upload a snapshot')),
      apps.length ? el('ul', { class: 'apps' }, apps.map(appCard))
        : el('p', { class: 'card' }, 'No app yet: ', el('a', { href: '/upload' }, 'upload a heap snapshot'), ' to make one.'),
      leaksSection(null));
    return;
  }
  mount(main, el('div', { class: 'title-row' }, el('h1', {}, app),
    el('a', { class: 'button', href: `/upload?app=${encodeURIComponent(app)}` }, 'Upload a snapshot')),
  await heapChart(app), leaksSection(app));
}
