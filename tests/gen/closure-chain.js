'use strict';
// A chain of closures: each step closure captures the previous step closure.
//   function makeStep(prev, i) { const payload = ...; return function stepHandler() { ... prev() ... }; }
// scheduleStep() builds one step, keeps the newest in a module variable and
// re-arms itself with setTimeout; the last re-arm is a pending 1-hour timer.
// The newest closure keeps every earlier one alive through its context's `prev`.
// Usage: node tests/gen/closure-chain.js OUT.heapsnapshot [--levels N]   (default 3000)
const {cli, snapshot} = require('./snapshot-util');
const {out, levels} = cli('closure-chain', 3000);

const begun = Date.now();
let newestStep = null;   // module variable: the head of the chain

function makeStep(prev, i) {
  const payload = new Array(8).fill(i);
  return function stepHandler() {
    return prev && prev(), payload;
  };
}

// Written from a module-level function so that the snapshot callback does not
// share scheduleStep's context.
function snapshotSoon(steps) {
  setImmediate(() => {
    snapshot(out, {generator: 'closure-chain', chain_function: 'scheduleStep',
                   levels: steps, build_ms: Date.now() - begun});
    process.exit(0);
  });
}

// ---- the leak ----
function scheduleStep(i) {
  newestStep = makeStep(newestStep, i);
  // re-arm; after the last level the next step is an hour away
  setTimeout(() => scheduleStep(i + 1), i < levels ? 0 : 60 * 60 * 1000);
  if (i === levels) snapshotSoon(i);
}

scheduleStep(1);
