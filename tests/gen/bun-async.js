'use strict';
// The seed leak under Bun (JavaScriptCore): an async function that awaits a
// call to itself, and a generator driven like `co` that yields a call to itself:
//   async function task() { await sleep(0); await task(); }
//   function* pump(ctx) { yield sleep(0); yield pump(ctx); }   (run by a small co-like driver)
// Each level keeps the previous one alive; the last sleep of each is a pending
// 1-hour timer. Bun.generateHeapSnapshot("v8") returns the V8-format JSON text.
// Usage (from the checkout root):
//   /work/scratch/rt/node_modules/.bin/bun tests/gen/bun-async.js OUT.heapsnapshot [--levels N] [--only async|co]
//   (default 2000 levels of each)
const fs = require('fs');
const path = require('path');

const argv = process.argv.slice(2);
let out = null, levels = 2000, only = null;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--levels') levels = Number(argv[++i]);
  else if (argv[i] === '--only') only = argv[++i];
  else if (!argv[i].startsWith('--') && out === null) out = argv[i];
  else out = null;
}
if (!out || !Number.isInteger(levels) || levels < 1 || (only && only !== 'async' && only !== 'co')) {
  console.error('usage: bun tests/gen/bun-async.js OUT.heapsnapshot [--levels N] [--only async|co]');
  process.exit(2);
}

const begun = Date.now();
let pending = (only ? 1 : 2);
const counts = {task: 0, pump: 0};

function sleep(ms) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

function snapshotWhenBoth() {
  if (--pending > 0) return;
  setImmediate(() => {
    Bun.gc(true);
    const text = Bun.generateHeapSnapshot('v8');
    fs.mkdirSync(path.dirname(path.resolve(out)), {recursive: true});
    fs.writeFileSync(out, text);
    const head = text.slice(0, 4096);
    const num = k => Number((new RegExp('"' + k + '"\\s*:\\s*(\\d+)').exec(head) || [])[1]);
    console.log(JSON.stringify({file: path.basename(out), bytes: Buffer.byteLength(text),
      node_count: num('node_count'), edge_count: num('edge_count'), bun: Bun.version,
      generator: 'bun-async', levels: counts, build_ms: Date.now() - begun}));
    process.exit(0);
  });
}

// a tiny co: runs a generator, resolving yielded promises and generators
function co(gen) {
  return new Promise((resolve, reject) => {
    function step(method, arg) {
      let r;
      try { r = gen[method](arg); } catch (e) { return reject(e); }
      if (r.done) return resolve(r.value);
      const p = typeof r.value.next === 'function' ? co(r.value) : Promise.resolve(r.value);
      p.then(v => step('next', v), e => step('throw', e));
    }
    step('next');
  });
}

// ---- the leaks ----
async function task() {
  counts.task += 1;
  const last = counts.task >= levels;
  if (last) snapshotWhenBoth();
  await sleep(last ? 60 * 60 * 1000 : 0);
  await task();
}

function* pump(ctx) {
  counts.pump += 1;
  const last = counts.pump >= levels;
  if (last) snapshotWhenBoth();
  yield sleep(last ? 60 * 60 * 1000 : 0);
  yield pump(ctx);
}

if (only !== 'co') task();
if (only !== 'async') co(pump({name: 'pump'}));
