// explore.js: the report's explorable parts, all read from the server a page or a row at a
// time — DevTools' class table (GET /api/v1/analyses/{id}/classes?sort=&q=&limit=&cursor=:
// sorted and filtered by the server, paged by its next_cursor), the dominator tree summary
// expanding on click (GET .../tree?node=REF: a row and the rows it opens to) with what a
// subtree is made of, and the retainer path of any node row (GET .../path?node=ID).
import { api, query } from './api.js';
import { el, mount, size, count, notice } from './dom.js';

const PAGE = 50;
// The table's columns and the server's sorts: names A→Z, distance nearest first, the rest
// biggest first (each sort has one direction).
const COLUMNS = [
  { sort: 'name', label: 'Constructor', order: 'ascending' },
  { sort: 'distance', label: 'Distance', order: 'ascending' },
  { sort: 'count', label: 'Objects', order: 'descending' },
  { sort: 'shallow', label: 'Shallow size', order: 'descending' },
  { sort: 'retained', label: 'Retained size', order: 'descending' },
];
// DevTools shows no distance for objects not reachable from a GC root (>= 100,000,000)
const distanceText = (d) => (d === null || d === undefined || d < 0 || d >= 100000000 ? '–' : count(d));
// The end of a script's path (its last two parts), the whole path on hover.
const shortScript = (s) => s.split('/').filter(Boolean).slice(-2).join('/');

function site(c) {
  if (!c.script) return null;
  return el('div', { class: 'site muted' }, 'in ',
    el('code', { title: `${c.script}:${c.line}:${c.column}` }, `${shortScript(c.script)}:${c.line}`));
}

function classRow(c, heap) {
  return el('tr', { dataset: { key: c.key } },
    el('th', { scope: 'row' }, el('span', { class: 'cls' }, c.class), el('span', { class: 'muted' }, ` ×${count(c.count)}`), site(c)),
    el('td', { class: 'num' }, distanceText(c.distance)),
    el('td', { class: 'num' }, count(c.count)),
    el('td', { class: 'num' }, size(c.shallow_size)),
    el('td', { class: 'num' }, size(c.retained_size), heap ? el('span', { class: 'muted' }, ` ${(100 * c.retained_size / heap).toFixed(1)}%`) : null));
}

function headerRow(state, reload) {
  return el('tr', {}, COLUMNS.map((c) => {
    const active = state.sort === c.sort;
    const button = el('button', { type: 'button', class: 'sort', dataset: { sort: c.sort },
      onclick: () => { if (!active) { state.sort = c.sort; reload(); } } },
    c.label, active ? (c.order === 'ascending' ? ' ▲' : ' ▼') : '');
    return el('th', { scope: 'col', 'aria-sort': active ? c.order : null, class: c.sort === 'name' ? null : 'num' }, button);
  }));
}

export function classTable(id, doc) {
  const state = { sort: 'retained', q: '', cursor: null, seq: 0 };
  const heap = doc.snapshot?.total_self_size;
  const thead = el('thead', {});
  const tbody = el('tbody', {});
  const foot = el('div', { class: 'table-foot' });
  const note = el('div', {});
  const filter = el('input', { id: 'class-filter', type: 'search', placeholder: 'e.g. Promise', autocomplete: 'off', maxlength: 200 });
  const section = el('section', { class: 'card', id: 'classes', 'aria-labelledby': 'classes-h' },
    el('h2', { id: 'classes-h' }, 'Classes'),
    el('div', { class: 'field inline' }, el('label', { for: 'class-filter' }, 'Filter by constructor'), filter),
    note, el('div', { class: 'scroll' }, el('table', { class: 'classes' }, thead, tbody)), foot);
  // more: the next page after state.cursor; else the first page of the current sort and filter
  const load = async (more) => {
    const seq = ++state.seq;
    const page = await api(`/analyses/${id}/classes${query({ sort: state.sort, q: state.q, limit: PAGE,
      cursor: more ? state.cursor : null })}`);
    if (seq !== state.seq) return; // a newer sort or filter was asked for meanwhile
    mount(thead, headerRow(state, () => load(false).catch(fail)));
    if (!more) tbody.replaceChildren();
    tbody.append(...page.classes.map((c) => classRow(c, heap)));
    state.cursor = page.next_cursor;
    mount(note, tbody.childElementCount ? null : el('p', { class: 'muted' }, 'No class matches.'));
    mount(foot, el('span', { class: 'muted' }, `${count(tbody.childElementCount)} classes shown`), ' ',
      state.cursor ? el('button', { type: 'button', id: 'classes-more', onclick: () => load(true).catch(fail) }, 'Show more classes') : null);
    section.dataset.rows = String(tbody.childElementCount);
  };
  const fail = (e) => mount(note, notice(e.message, 'error'));
  let timer = null;
  filter.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.q = filter.value.trim(); load(false).catch(fail); }, 250);
  });
  load(false).catch(fail);
  return section;
}

// ---- retainer paths ----

// An edge as DevTools writes it: [index] for elements and hidden edges, .name for properties.
export function edgeText(s) {
  const e = String(s.edge);
  if (s.edge_type) return /^(element|hidden|shortcut)$/.test(s.edge_type) ? `[${e}]` : `.${e}`;
  return e.startsWith('[') ? e : /^\d+$/.test(e) ? `[${e}]` : `.${e}`;
}

// steps: a finding's path (edge, edge_type) or /path's (edge, skipped), root first.
export function pathList(steps) {
  return el('ol', { class: 'path' }, steps.flatMap((s) => [
    s.skipped ? el('li', { class: 'skipped muted' }, `… ${count(s.skipped)} objects of a repeating chain`) : null,
    el('li', {},
      s.edge !== undefined && s.edge !== null && s.edge !== '' ? el('span', { class: 'edge' }, edgeText(s)) : null, ' ',
      el('span', { class: 'cls' }, s.class || s.name), s.name && s.name !== s.class ? el('span', { class: 'muted' }, ` ${s.name}`) : null,
      s.id !== null && s.id !== undefined ? el('span', { class: 'id' }, ` @${s.id}`) : null)]).filter(Boolean));
}

async function showPath(id, row, panel) {
  const title = el('h3', {}, `Retainer path of ${row.class} @${row.id}`);
  mount(panel, title, el('p', { class: 'muted' }, 'Loading…'));
  try {
    const doc = await api(`/analyses/${id}/path${query({ node: row.id })}`);
    mount(panel, title, el('p', { class: 'muted' }, doc.from_root ? 'from the root down to the object' : 'not reachable from the root'),
      pathList(doc.path));
  } catch (e) {
    mount(panel, title, notice(e.message, 'error'));
  }
  panel.focus();
}

// ---- the dominator tree ----

function madeOf(byClass) {
  if (!byClass || !byClass.length) return null;
  return el('details', { class: 'made-of' }, el('summary', {}, 'Made of'),
    el('ul', { class: 'plain' }, byClass.slice(0, 10).map((b) => el('li', {},
      el('span', { class: 'cls' }, b.class), ` ×${count(b.count)} `, size(b.retained_size)))));
}

// A row of the summary: a node, "N more Class objects" (folded siblings) or a chain
// collapsed into "A → B → C × N levels".
function treeLabel(r) {
  if (r.kind === 'more') return [el('span', { class: 'muted' }, `${count(r.count)} more `), el('span', { class: 'cls' }, r.class), ' objects'];
  if (r.kind === 'chain') return [el('span', { class: 'cls' }, r.name), ' ', el('span', { class: 'chip' }, `× ${count(r.count)} levels`)];
  return [el('span', { class: 'cls' }, r.class), r.name && r.name !== r.class ? el('span', { class: 'muted' }, ` ${r.name}`) : null,
    el('span', { class: 'id' }, ` @${r.id}`)];
}

function rowWords(r) {
  return r.kind === 'more' ? `${count(r.count)} more ${r.class} objects`
    : r.kind === 'chain' ? `chain of ${count(r.count)} levels` : `${r.class} @${r.id}`;
}

function treeItem(id, r, ctx) {
  const openable = r.children > 0;
  const children = el('ul', { role: 'group', hidden: true });
  const li = el('li', { role: 'treeitem', 'aria-expanded': openable ? 'false' : null, dataset: { ref: r.ref, kind: r.kind } });
  const toggle = el('button', { type: 'button', class: 'toggle', disabled: !openable,
    'aria-label': `${openable ? 'Open' : 'Nothing under'} ${rowWords(r)}` }, openable ? '▸' : '·');
  toggle.addEventListener('click', async () => {
    const open = li.getAttribute('aria-expanded') === 'true';
    if (!open && !children.childElementCount) {
      toggle.disabled = true;
      try { await loadRows(id, r.ref, children, ctx); } catch (e) { mount(children, el('li', {}, notice(e.message, 'error'))); }
      toggle.disabled = false;
    }
    li.setAttribute('aria-expanded', open ? 'false' : 'true');
    toggle.textContent = open ? '▸' : '▾';
    children.hidden = open;
  });
  const isNode = r.kind === 'node' || r.kind === 'path';
  li.append(el('div', { class: 'tree-row' }, toggle, el('span', { class: 'tree-name' }, treeLabel(r)),
    el('span', { class: 'num' }, size(r.self_size)), el('span', { class: 'num' }, size(r.retained_size)),
    el('span', { class: 'num muted' }, distanceText(r.distance)),
    isNode ? el('button', { type: 'button', class: 'small', 'aria-label': `Retainer path of ${r.class} @${r.id}`,
      onclick: () => showPath(id, r, ctx.panel) }, 'Retainers') : el('span'),
    isNode ? madeOf(ctx.clusters.get(r.id)) : null), children);
  return li;
}

// Fills list with the rows that ref opens to (ref null: the root's).
async function loadRows(id, ref, list, ctx) {
  const doc = await api(`/analyses/${id}/tree${query({ node: ref })}`);
  list.replaceChildren(...doc.children.map((k) => treeItem(id, k, ctx)));
}

export function dominatorTree(id, doc) {
  const panel = el('section', { id: 'tree-path', class: 'path-panel', tabindex: '-1', 'aria-live': 'polite' });
  const root = el('ul', { role: 'tree', 'aria-label': 'Dominator tree', class: 'tree' });
  const ctx = { panel, clusters: new Map((doc.clusters || []).map((c) => [c.id, c.by_class])) };
  const section = el('section', { class: 'card', id: 'dominators', 'aria-labelledby': 'dominators-h' },
    el('h2', { id: 'dominators-h' }, 'Dominator tree'),
    el('p', { class: 'muted small' }, 'The objects that retain the most, each under the object that dominates it; ',
      'siblings past the biggest are folded by class, and a repeating chain is one row that still opens.'),
    el('div', { class: 'tree-head muted', 'aria-hidden': 'true' }, el('span'), el('span', {}, 'Object'),
      el('span', { class: 'num' }, 'Shallow size'), el('span', { class: 'num' }, 'Retained size'), el('span', { class: 'num' }, 'Distance')),
    root, panel);
  loadRows(id, null, root, ctx).catch((e) => mount(root, el('li', {}, notice(e.message, 'error'))));
  return section;
}
