// report.js: /reports/{id} — what was uploaded, the comparison with the previous snapshot,
// the findings as cards ranked by retained size (a recursive chain drawn as one period of
// its levels) with each leak record's status, the class growth against the baseline, then
// the class table, the dominator tree and retainer paths (explore.js).
import { api, query } from './api.js';
import { el, mount, size, count, when, richText, shareBar, bytes } from './dom.js';
import { followAnalysis, failureNotice } from './progress.js';
import { classTable, dominatorTree, pathList } from './explore.js';
import { kindWords, statusBadge } from './leaks.js';


function labelChips(s) {
  const names = [['version', 'version'], ['branch', 'branch'], ['commit_sha', 'commit'], ['host', 'host'],
    ['environment', 'environment']];
  return names.filter(([k]) => s && s[k]).map(([k, w]) => el('span', { class: 'chip' }, `${w} `, el('b', {}, s[k])));
}

function uploaded(a, doc) {
  const s = a.snapshot || {};
  const r = doc.snapshot || {};
  const took = a.started_at && a.finished_at ? (new Date(a.finished_at) - new Date(a.started_at)) / 1000 : null;
  const fact = (term, ...value) => [el('dt', {}, term), el('dd', {}, ...value)];
  return el('section', { class: 'card', 'aria-labelledby': 'uploaded-h' },
    el('h2', { id: 'uploaded-h' }, 'What was uploaded'),
    el('p', { class: 'chips' }, labelChips(s)),
    el('dl', { class: 'facts' },
      fact('App', el('a', { href: `/apps/${encodeURIComponent(a.app || '')}` }, a.app || '–')),
      fact('Uploaded', when(s.uploaded_at)),
      fact('File', size(r.compressed_bytes), ` ${r.input_format || ''}`),
      fact('Snapshot', size(r.uncompressed_bytes), ' of JSON'),
      fact('Heap', size(r.total_self_size)),
      fact('Nodes', count(r.node_count)),
      fact('Edges', count(r.edge_count)),
      fact('Analysis time', took === null ? '–' : `${took.toFixed(1)} s`)));
}

function leakList(title, leaks) {
  return el('div', {}, el('h3', {}, `${title} (${leaks.length})`),
    leaks.length ? el('ul', { class: 'plain' }, leaks.map((l) => el('li', {},
      l.leak_id ? el('a', { href: `/leaks/${l.leak_id}` }, richText(l.title)) : richText(l.title), ' ',
      size(l.retained_after ?? l.retained_before)))) : el('p', { class: 'muted' }, 'none'));
}

function comparison(doc) {
  const box = el('section', { class: 'card', id: 'comparison', 'aria-labelledby': 'comparison-h' },
    el('h2', { id: 'comparison-h' }, 'Compared with the previous snapshot'));
  const c = doc.comparison;
  if (!c || !c.baseline_analysis_id) return append(box, el('p', { class: 'muted' }, 'The first snapshot of this app: nothing to compare with.'));
  const h = c.heap || {};
  return append(box,
    el('p', {}, 'Baseline: ', el('a', { href: `/reports/${c.baseline_analysis_id}` }, `report ${c.baseline_analysis_id}`),
      '. Heap ', size(h.before), ' → ', size(h.after), ' (', size(h.change, true),
      h.change_percent !== undefined && h.change_percent !== null ? `, ${h.change_percent > 0 ? '+' : ''}${h.change_percent}%` : '', ')'),
    el('div', { class: 'three' }, leakList('New leaks', c.leaks?.new || []), leakList('Still there', c.leaks?.still || []),
      leakList('Gone', c.leaks?.gone || [])));
}

function append(node, ...children) { node.append(...children.flat().filter(Boolean)); return node; }

// One period of a chain: boxes joined by arrows labelled with the edge into the next one.
function chainDiagram(f) {
  const period = f.period || [];
  const nodeName = (p) => (p.class === '(system)' ? String(p.name || p.class).replace(/^system \/ /, '') : p.class);
  const parts = [];
  period.forEach((p, i) => {
    if (i > 0) parts.push(el('span', { class: 'arrow' }, p.edge ? el('small', {}, p.edge) : null, '→'));
    parts.push(el('span', { class: 'box' }, nodeName(p)));
  });
  parts.push(el('span', { class: 'arrow' }, period[0]?.edge ? el('small', {}, period[0].edge) : null, '→'));
  parts.push(el('span', { class: 'repeat' }, `… × ${count(f.levels)}`));
  return el('figure', { class: 'chain', 'aria-label': `one level of the chain, repeated ${count(f.levels)} times` },
    el('div', { class: 'chain-row' }, parts), el('figcaption', { class: 'muted' }, 'one level of the chain; each level holds the next'));
}

function findingCard(f, leak) {
  const site = f.script_short || f.script;
  const status = !leak ? el('span', { class: 'muted' }, f.kind === 'large_retainer' ? 'a size, not a tracked leak' : 'not a tracked leak')
    : [statusBadge(leak.status), ` · ${count(leak.occurrences)} ${leak.occurrences === 1 ? 'occurrence' : 'occurrences'} · `,
       el('a', { href: `/leaks/${leak.id}` }, 'history')];
  return el('article', { class: `card finding ${f.kind}`, dataset: { kind: f.kind } },
    el('p', { class: 'kind' }, kindWords(f.kind)),
    el('h3', {}, richText(f.title)),
    f.function ? el('p', { class: 'where' }, 'Function ', el('code', {}, f.function),
      site ? [' in ', el('code', { title: `${f.script}:${f.line}:${f.column}` }, `${site}:${f.line}`)] : null) : null,
    f.period ? chainDiagram(f) : null,
    el('dl', { class: 'facts' },
      el('dt', {}, 'Retained'), el('dd', {}, size(f.retained_size), ' ', shareBar(f.retained_percent)),
      f.levels ? [el('dt', {}, 'Levels'), el('dd', {}, count(f.levels))] : null,
      f.count ? [el('dt', {}, 'Objects'), el('dd', {}, count(f.count))] : null,
      el('dt', {}, 'Leak status'), el('dd', {}, status)),
    f.path ? el('details', {}, el('summary', {}, 'Retainer path from a GC root'), pathList(f.path || [])) : null,
    f.fix ? el('p', { class: 'fix' }, el('strong', {}, 'Fix: '), richText(f.fix)) : null,
    el('p', { class: 'muted small' }, 'Fingerprint ', el('code', {}, f.fingerprint)));
}

// The leak record of each finding (every kind but large_retainer is one), by fingerprint:
// the app's leaks searched by the fingerprint, one small request per finding.
async function leaksByFingerprint(app, findings) {
  const fingerprints = [...new Set(findings.filter((f) => f.kind !== 'large_retainer').map((f) => f.fingerprint))];
  const found = await Promise.all(fingerprints.map((fp) =>
    api(`/apps/${encodeURIComponent(app)}/leaks${query({ q: fp, limit: 5 })}`)
      .then((doc) => doc.leaks.find((l) => l.fingerprint === fp))));
  return new Map(found.filter(Boolean).map((l) => [l.fingerprint, l]));
}

function classGrowth(doc) {
  const rows = (doc.comparison?.classes || []).filter((c) => c.retained_size?.change).slice(0, 20);
  if (!rows.length) return null;
  return el('section', { class: 'card', id: 'growth', 'aria-labelledby': 'growth-h' },
    el('h2', { id: 'growth-h' }, 'Class growth against the baseline'),
    el('div', { class: 'scroll' }, el('table', {},
      el('thead', {}, el('tr', {}, ['Constructor', 'Objects', 'Retained size', 'Change'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows.map((c) => el('tr', {}, el('td', {}, c.class),
        el('td', { class: 'num' }, `${count(c.count.before)} → ${count(c.count.after)}`),
        el('td', { class: 'num' }, size(c.retained_size.before), ' → ', size(c.retained_size.after)),
        el('td', { class: 'num' }, size(c.retained_size.change, true))))))));
}

export async function render(main, { id }) {
  document.title = `Report ${id} · leaktriage`;
  let a = await api(`/analyses/${id}`);
  if (a.state !== 'done' && a.state !== 'failed') {
    const box = el('section', { class: 'card', 'aria-live': 'polite' });
    mount(main, el('h1', {}, `Report ${id}`), box);
    a = await followAnalysis(box, id);
  }
  if (a.state === 'failed') { mount(main, el('h1', {}, `Report ${id}`), failureNotice(a)); return; }
  const doc = await api(`/analyses/${id}/report`);
  document.title = `${a.app} report ${id} · leaktriage`;
  const findings = [...doc.findings].sort((x, y) => y.retained_size - x.retained_size);
  const leaks = await leaksByFingerprint(a.app, findings);
  const heap = doc.snapshot?.total_self_size;
  mount(main,
    el('div', { class: 'title-row' }, el('h1', {}, `${a.app} · report ${id}`),
      el('a', { class: 'button', href: `/upload?app=${encodeURIComponent(a.app)}` }, 'Upload another')),
    el('div', { class: 'two' }, uploaded(a, doc), comparison(doc)),
    el('section', { id: 'findings', 'aria-labelledby': 'findings-h' },
      el('h2', { id: 'findings-h' }, `Findings (${findings.length})`),
      findings.length ? findings.map((f) => findingCard(f, leaks.get(f.fingerprint)))
        : el('p', { class: 'card muted' }, `No leak found: the heap is ${bytes(heap)}.`)),
    classGrowth(doc),
    classTable(id, doc),
    dominatorTree(id, doc));
}
