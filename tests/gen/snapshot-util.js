'use strict';
// Helpers for the tests/gen generators: command line, snapshot writing,
// and a one-line JSON report read back from the snapshot's own header.
const fs = require('fs');
const path = require('path');
const v8 = require('v8');

// node tests/gen/NAME.js OUT.heapsnapshot [--levels N]  ->  {out, levels}
function cli(name, defaultLevels) {
  const argv = process.argv.slice(2);
  let out = null;
  let levels = defaultLevels;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--levels') levels = Number(argv[++i]);
    else if (a.startsWith('--levels=')) levels = Number(a.slice('--levels='.length));
    else if (a === '-h' || a === '--help') out = null, i = argv.length;
    else if (!a.startsWith('--') && out === null) out = a;
    else { out = null; break; }
  }
  if (!out || !Number.isInteger(levels) || levels < 1) {
    console.error(`usage: node tests/gen/${name}.js OUT.heapsnapshot [--levels N]   (default ${defaultLevels})`);
    process.exit(2);
  }
  return {out: path.resolve(out), levels};
}

// The snapshot header is small and comes first: take the counts from it.
function headerCounts(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(32768);
    const len = fs.readSync(fd, buf, 0, buf.length, 0);
    const head = buf.toString('utf8', 0, len);
    const num = key => {
      const m = new RegExp('"' + key + '"\\s*:\\s*(\\d+)').exec(head);
      return m ? Number(m[1]) : null;
    };
    return {node_count: num('node_count'), edge_count: num('edge_count')};
  } finally {
    fs.closeSync(fd);
  }
}

// Write the snapshot, print one JSON line about it, and return that record.
function snapshot(out, info) {
  fs.mkdirSync(path.dirname(out), {recursive: true});
  const started = process.hrtime.bigint();
  v8.writeHeapSnapshot(out);
  const writeMs = Number(process.hrtime.bigint() - started) / 1e6;
  const record = Object.assign({
    file: path.basename(out),
    bytes: fs.statSync(out).size,
  }, headerCounts(out), {
    write_ms: Math.round(writeMs),
    node: process.version,
  }, info);
  process.stdout.write(JSON.stringify(record) + '\n');
  return record;
}

module.exports = {cli, snapshot};
