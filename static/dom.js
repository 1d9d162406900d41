// dom.js: building the page without innerHTML (every text from the API goes in as text),
// and the units users read: sizes like DevTools (kB/MB/GB, 1000-based, exact bytes on
// hover), counts with thousands separators, times relative with the exact time on hover.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  return fill(node, attrs, children);
}

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  return fill(node, attrs, children);
}

function fill(node, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'style') Object.assign(node.style, v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

// Replaces the children of node.
export function mount(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

const units = ['B', 'kB', 'MB', 'GB', 'TB'];

export function bytes(n) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '–';
  let v = Math.abs(Number(n));
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  const text = i === 0 ? String(v) : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0);
  return (Number(n) < 0 ? '−' : '') + text + '\u00a0' + units[i];
}

export function count(n) {
  if (n === null || n === undefined) return '–';
  return Number(n).toLocaleString('en-US');
}

// A size in readable units, exact in bytes on hover.
export function size(n, signed = false) {
  const text = (signed && n > 0 ? '+' : '') + bytes(n);
  return el('span', { class: 'num', title: n === null || n === undefined ? null : `${count(n)} bytes` }, text);
}

export function percent(p) {
  return p === null || p === undefined ? '–' : `${Number(p).toFixed(1)}%`;
}

export function when(iso) {
  if (!iso) return el('span', { class: 'muted' }, '–');
  const t = new Date(iso);
  const s = (Date.now() - t.getTime()) / 1000;
  const rel = s < 60 ? 'just now' : s < 3600 ? `${Math.round(s / 60)} min ago`
    : s < 86400 ? `${Math.round(s / 3600)} h ago` : s < 86400 * 45 ? `${Math.round(s / 86400)} days ago`
    : t.toLocaleDateString('en-CA');
  return el('time', { datetime: iso, title: t.toLocaleString() }, rel);
}

// Text with `code` spans (finding titles and fixes use backticks).
export function richText(text) {
  return String(text || '').split(/`([^`]*)`/).map((part, i) => (i % 2 ? el('code', {}, part) : part));
}

// A share-of-the-heap bar: role=img with its value in words.
export function shareBar(percentValue) {
  const p = Math.max(0, Math.min(100, Number(percentValue) || 0));
  const bar = el('span', { class: 'share', role: 'img', 'aria-label': `${percent(p)} of the heap` },
    el('span', { class: 'share-fill', style: { width: `${p}%` } }));
  return el('span', { class: 'share-wrap' }, bar, el('span', { class: 'num' }, percent(p)));
}

export function notice(text, kind = 'info') {
  return el('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : null }, text);
}
