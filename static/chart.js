// chart.js: two small SVG charts drawn by hand — a line chart of values over snapshots
// (labelled points, each with its exact value on hover) and a sparkline for table cells.
import { svg, el } from './dom.js';

// points: [{ value, label, title }] in order. format(value) gives the axis and hover text.
export function lineChart(points, { format = String, height = 180, caption = '' } = {}) {
  const width = 720;
  const pad = { left: 64, right: 16, top: 12, bottom: 36 };
  const max = Math.max(1, ...points.map((p) => p.value));
  const x = (i) => pad.left + (points.length < 2 ? (width - pad.left - pad.right) / 2
    : (i * (width - pad.left - pad.right)) / (points.length - 1));
  const y = (v) => pad.top + (height - pad.top - pad.bottom) * (1 - v / max);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img',
    'aria-label': caption || 'chart' });
  for (const f of [0, 0.5, 1]) {
    chart.append(svg('line', { x1: pad.left, x2: width - pad.right, y1: y(max * f), y2: y(max * f), class: 'grid' }),
      svg('text', { x: pad.left - 6, y: y(max * f) + 4, class: 'axis', 'text-anchor': 'end' }, format(max * f)));
  }
  chart.append(svg('polyline', { class: 'line', points: points.map((p, i) => `${x(i)},${y(p.value)}`).join(' ') }));
  const every = Math.max(1, Math.ceil(points.length / 10));
  points.forEach((p, i) => {
    chart.append(svg('circle', { cx: x(i), cy: y(p.value), r: 4, class: 'dot' },
      svg('title', {}, `${p.title || p.label}: ${format(p.value)}`)));
    if (i % every === 0 || i === points.length - 1) {
      chart.append(svg('text', { x: x(i), y: height - pad.bottom + 18, class: 'axis', 'text-anchor': 'middle' },
        String(p.label).slice(0, 14)));
    }
  });
  return el('figure', { class: 'chart-box' }, chart, caption ? el('figcaption', { class: 'muted' }, caption) : null);
}

export function sparkline(values, label) {
  const w = 96;
  const h = 24;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? w / (values.length - 1) : 0;
  const pts = values.map((v, i) => `${values.length > 1 ? i * step : w / 2},${h - 2 - (h - 4) * (v / max)}`);
  return svg('svg', { viewBox: `0 0 ${w} ${h}`, width: w, height: h, class: 'spark', role: 'img', 'aria-label': label },
    svg('polyline', { points: pts.join(' ') }), svg('title', {}, label));
}
