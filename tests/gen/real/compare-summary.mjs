// Compares leaktriage's report (analyze --json --top 50) with the DevTools oracle's JSON
// for one snapshot: node/edge count, total self size, root retained size, and the 50
// Summary-view classes (class, key, count, shallow, retained, distance).
// Usage: node compare-summary.mjs ORACLE.json OURS.json; prints "match" or the first
// difference, exit 0 / 1. Used by compare.sh.
import fs from 'node:fs';

const [oraclePath, oursPath] = process.argv.slice(2);
const oracle = JSON.parse(fs.readFileSync(oraclePath, 'utf8'));
const ours = JSON.parse(fs.readFileSync(oursPath, 'utf8'));

function firstDifference() {
  for (const key of ['node_count', 'edge_count', 'total_self_size', 'root_retained_size'])
    if (oracle[key] !== ours.snapshot[key]) return `${key}: DevTools ${oracle[key]}, ours ${ours.snapshot[key]}`;
  const want = oracle.devtools_classes, got = ours.classes;
  if (want.length !== got.length) return `class rows: DevTools ${want.length}, ours ${got.length}`;
  const fields = ['class', 'key', 'count', 'shallow_size', 'retained_size', 'distance'];
  for (let i = 0; i < want.length; i++)
    for (const f of fields)
      if (want[i][f] !== got[i][f])
        return `class #${i} ${f}: DevTools ${JSON.stringify(want[i][f])} (${want[i].class}), ours ${JSON.stringify(got[i][f])} (${got[i].class})`;
  return null;
}

const diff = firstDifference();
console.log(diff ? `summary differs: ${diff}` : 'match');
process.exit(diff ? 1 : 0);
