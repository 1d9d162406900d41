// explore.js: the report's explorable parts — DevTools' class table (server-paged, sorted
// and filtered by the server: GET /api/v1/analyses/{id}/classes), the dominator tree
// expanding on click (GET .../tree?node=), retainer paths of any listed object
// (GET .../path?node=), and the biggest retainers with what each is made of.
// Where the server has no such route yet, the part says so (the class table then pages
// through the top classes stored in the report itself).
import { api, notAvailable, query } from './api.js';
import { el, mount, size, count, notice, shareBar } from './dom.js';

const PAGE = 50;
// column → the API's sort key; sizes and counts sort biggest first
const COLUMNS = [
  { key: 'class', label: 'Constructor', first: 'asc' },
  { key: 'distance', label: 'Distance', first: 'asc' },
  { key: 'count', label: 'Objects', first: 'desc' },
  { key: 'shallow_size', label: 'Shallow size', first: 'desc' },
  { key: 'retained_size', label: 'Retained size', first: 'desc' },
];
// DevTools shows no distance for objects not reachable from a GC root (>= 100,000,000)
const distanceText = (d) => (d === null || d === undefined || d < 0 || d >= 100000000 ? '–' : count(d));
export const edgeText = (s) => (/^(element|hidden|shortcut)$/.test(s.edge_type) ? `[${s.edge}]` : `.${s.edge}`);
const sortParam = (s) => (s.dir === 'desc' ? `-${s.key}` : s.key);

function site(c) {
  const script = c.script_short || c.script || c.allocation?.script;
  const line = c.line ?? c.allocation?.line;
  return script ? el('div', { class: 'site muted' }, 'in ', el('code', { title: c.script || script }, `${script}:${line}`)) : null;
}

function classRow(c, heap) {
  return el('tr', {},
    el('th', { scope: 'row' }, el('span', { class: 'cls' }, c.class), el('span', { class: 'muted' }, ` ×${count(c.count)}`), site(c)),
    el('td', { class: 'num' }, distanceText(c.distance)),
    el('td', { class: 'num' }, count(c.count)),
    el('td', { class: 'num' }, size(c.shallow_size)),
    el('td', { class: 'num' }, size(c.retained_size), heap ? el('span', { class: 'muted' }, ` ${(100 * c.retained_size / heap).toFixed(1)}%`) : null));
}

// The classes the report holds, sorted and filtered here: for servers without the route.
function localPage(doc, state) {
  const q = state.q.toLowerCase();
  const rows = (doc.classes || []).filter((c) => !q || c.class.toLowerCase().includes(q));
  const dir = state.sort.dir === 'asc' ? 1 : -1;
  const k = state.sort.key;
  rows.sort((a, b) => (k === 'class' ? a.class.localeCompare(b.class) : a[k] - b[k]) * dir);
  const start = Number(state.cursor || 0);
  const next = start + PAGE < rows.length ? String(start + PAGE) : null;
  return { classes: rows.slice(start, start + PAGE), next_cursor: next };
}

async function loadClasses(id, doc, state) {
  if (!state.local) {
    try {
      return await api(`/analyses/${id}/classes${query({ sort: sortParam(state.sort), q: state.q, limit: PAGE, cursor: state.cursor })}`);
    } catch (e) {
      if (!notAvailable(e)) throw e;
      state.local = true;
    }
  }
  return localPage(doc, state);
}

function headerRow(state, reload) {
  return el('tr', {}, COLUMNS.map((c) => {
    const active = state.sort.key === c.key;
    const button = el('button', { type: 'button', class: 'sort', dataset: { sort: c.key },
      onclick: () => {
        state.sort = { key: c.key, dir: active ? (state.sort.dir === 'asc' ? 'desc' : 'asc') : c.first };
        reload();
      } }, c.label, active ? (state.sort.dir === 'asc' ? ' ▲' : ' ▼') : '');
    return el('th', { scope: 'col', 'aria-sort': active ? (state.sort.dir === 'asc' ? 'ascending' : 'descending') : null,
      class: c.key === 'class' ? null : 'num' }, button);
  }));
}

export function classTable(id, doc) {
  const state = { sort: { key: 'retained_size', dir: 'desc' }, q: '', cursor: null, local: false };
  const heap = doc.snapshot?.total_self_size;
  const thead = el('thead', {});
  const tbody = el('tbody', {});
  const foot = el('div', { class: 'table-foot' });
  const note = el('div', {});
  const filter = el('input', { id: 'class-filter', type: 'search', placeholder: 'e.g. Promise', autocomplete: 'off' });
  const section = el('section', { class: 'card', id: 'classes', 'aria-labelledby': 'classes-h' },
    el('h2', { id: 'classes-h' }, 'Classes'),
    el('div', { class: 'field inline' }, el('label', { for: 'class-filter' }, 'Filter by constructor'), filter),
    note, el('div', { class: 'scroll' }, el('table', { class: 'classes' }, thead, tbody)), foot);
  const load = async (more) => {
    if (!more) state.cursor = null;
    const page = await loadClasses(id, doc, state);
    mount(thead, headerRow(state, () => load(false)));
    if (state.local) mount(note, notice('The full class list is not available on this server yet: these are the top classes stored in the report.'));
    if (!more) tbody.replaceChildren();
    tbody.append(...(page.classes || []).map((c) => classRow(c, heap)));
    state.cursor = page.next_cursor;
    mount(foot, state.cursor ? el('button', { type: 'button', onclick: () => load(true) }, 'Show more classes') : null);
    section.dataset.rows = String(tbody.children.length);
  };
  let timer = null;
  filter.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.q = filter.value.trim(); load(false); }, 250);
  });
  load(false).catch((e) => mount(note, notice(e.message, 'error')));
  return section;
}

// ---- retainer paths ----

export function pathList(steps) {
  return el('ol', { class: 'path' }, steps.map((s) => el('li', {},
    s.edge !== undefined && s.edge !== null ? el('span', { class: 'edge' }, edgeText(s)) : null, ' ',
    el('span', { class: 'cls' }, s.class || s.name), s.name && s.name !== s.class ? el('span', { class: 'muted' }, ` ${s.name}`) : null,
    el('span', { class: 'id' }, ` @${s.id}`))));
}

export async function showPath(id, nodeId, panel) {
  mount(panel, el('h3', {}, `Retainer path of @${nodeId}`), el('p', { class: 'muted' }, 'Loading…'));
  try {
    const doc = await api(`/analyses/${id}/path${query({ node: nodeId })}`);
    mount(panel, el('h3', {}, `Retainer path of @${nodeId}`), el('p', { class: 'muted' }, 'from a GC root down to the object'),
      pathList(doc.path || doc.steps || []));
  } catch (e) {
    mount(panel, el('h3', {}, `Retainer path of @${nodeId}`),
      notice(notAvailable(e) ? 'Retainer paths are not available on this server yet.' : e.message, notAvailable(e) ? 'info' : 'error'));
  }
  panel.focus();
}

function pathButton(id, node, panel) {
  return el('button', { type: 'button', class: 'small', 'aria-label': `Retainer path of ${node.class} @${node.id}`,
    onclick: () => showPath(id, node.id, panel) }, 'Retainers');
}

// ---- the dominator tree ----

function madeOf(byClass) {
  if (!byClass || !byClass.length) return null;
  return el('details', { class: 'made-of' }, el('summary', {}, 'Made of'),
    el('ul', { class: 'plain' }, byClass.slice(0, 10).map((b) => el('li', {},
      el('span', { class: 'cls' }, b.class), ` ×${count(b.count)} `, size(b.retained_size)))));
}

function treeLabel(n) {
  if (n.folded || n.kind === 'more') return [el('span', { class: 'muted' }, `${count(n.count)} more `), el('span', { class: 'cls' }, n.class), ' objects'];
  return [el('span', { class: 'cls' }, n.class), n.name && n.name !== n.class ? el('span', { class: 'muted' }, ` ${n.name}`) : null,
    el('span', { class: 'id' }, ` @${n.id}`), n.levels ? el('span', { class: 'chip' }, `× ${count(n.levels)} levels`) : null];
}

function treeItem(id, n, ctx) {
  const openable = !n.folded && n.kind !== 'more' && (n.has_children || n.children_count > 0 || n.levels > 0);
  const children = el('ul', { role: 'group' });
  const li = el('li', { role: 'treeitem', 'aria-expanded': openable ? 'false' : null, dataset: { node: n.id ?? '' } });
  const toggle = el('button', { type: 'button', class: 'toggle', disabled: !openable,
    'aria-label': `${openable ? 'Expand' : 'No children:'} ${n.class} @${n.id ?? ''}` }, openable ? '▸' : '·');
  toggle.addEventListener('click', async () => {
    const open = li.getAttribute('aria-expanded') === 'true';
    li.setAttribute('aria-expanded', open ? 'false' : 'true');
    toggle.textContent = open ? '▸' : '▾';
    if (!open && !children.childElementCount) await loadChildren(id, n.id, children, ctx);
    children.hidden = open;
  });
  li.append(el('div', { class: 'tree-row' }, toggle, el('span', { class: 'tree-name' }, treeLabel(n)),
    el('span', { class: 'num' }, size(n.self_size)), el('span', { class: 'num' }, size(n.retained_size)),
    el('span', { class: 'num muted' }, n.distance ?? ''), n.id && !n.folded ? pathButton(id, n, ctx.panel) : el('span'),
    madeOf(n.by_class || ctx.clusters.get(n.id))), children);
  return li;
}

async function loadChildren(id, nodeId, list, ctx) {
  const doc = await api(`/analyses/${id}/tree${query({ node: nodeId })}`);
  const kids = Array.isArray(doc) ? doc : doc.children || [];
  list.replaceChildren(...kids.map((k) => treeItem(id, k, ctx)));
  return doc;
}

export function dominatorTree(id, doc) {
  const panel = el('section', { id: 'tree-path', class: 'path-panel', tabindex: '-1', 'aria-live': 'polite' });
  const root = el('ul', { role: 'tree', 'aria-label': 'Dominator tree', class: 'tree' });
  const ctx = { panel, clusters: new Map((doc.clusters || []).map((c) => [c.id, c.by_class])) };
  const section = el('section', { class: 'card', id: 'dominators', 'aria-labelledby': 'dominators-h' },
    el('h2', { id: 'dominators-h' }, 'Dominator tree'),
    el('div', { class: 'tree-head muted', 'aria-hidden': 'true' }, el('span'), el('span', {}, 'Object'),
      el('span', { class: 'num' }, 'Shallow size'), el('span', { class: 'num' }, 'Retained size'), el('span', { class: 'num' }, 'Distance')),
    root, panel);
  loadChildren(id, null, root, ctx).catch((e) => mount(root, el('li', {},
    notice(notAvailable(e) ? 'The dominator tree is not available on this server yet: the biggest retainers are listed below.' : e.message,
      notAvailable(e) ? 'info' : 'error'))));
  return section;
}

export function topRetainers(id, doc) {
  const panel = el('section', { id: 'retainer-path', class: 'path-panel', tabindex: '-1', 'aria-live': 'polite' });
  const clusters = new Map((doc.clusters || []).map((c) => [c.id, c.by_class]));
  const rows = (doc.top_retainers || []).slice(0, 20);
  return el('section', { class: 'card', id: 'retainers', 'aria-labelledby': 'retainers-h' },
    el('h2', { id: 'retainers-h' }, 'Biggest retainers'),
    el('div', { class: 'scroll' }, el('table', {},
      el('thead', {}, el('tr', {}, ['Object', 'Distance', 'Shallow size', 'Retained size', ''].map((h, i) =>
        el('th', { scope: 'col', class: i && i < 4 ? 'num' : null }, h)))),
      el('tbody', {}, rows.map((r) => el('tr', {},
        el('th', { scope: 'row' }, treeLabel(r), madeOf(clusters.get(r.id))),
        el('td', { class: 'num' }, distanceText(r.distance)), el('td', { class: 'num' }, size(r.self_size)),
        el('td', { class: 'num' }, size(r.retained_size), ' ', shareBar(100 * r.retained_size / (doc.snapshot?.total_self_size || 1))),
        el('td', {}, pathButton(id, r, panel))))))),
    panel);
}
