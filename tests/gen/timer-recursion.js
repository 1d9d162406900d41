'use strict';
// Recursion through setTimeout where each level's context object holds the
// previous one:
//   function tick(ctx) { setTimeout(() => tick({prev: ctx, data: new Array(4).fill(0)}), 0); }
// After N levels the next tick is a pending 1-hour timer, which roots the whole chain.
// Usage: node tests/gen/timer-recursion.js OUT.heapsnapshot [--levels N]   (default 3000)
const {cli, snapshot} = require('./snapshot-util');
const {out, levels} = cli('timer-recursion', 3000);

const begun = Date.now();
let ticks = 0;

// Written from a module-level function so that the snapshot callback does not
// share tick's context: the pending timer is then the only root of the chain.
function snapshotSoon() {
  setImmediate(() => {
    snapshot(out, {generator: 'timer-recursion', chain_function: 'tick',
                   levels: ticks, build_ms: Date.now() - begun});
    process.exit(0);
  });
}

// ---- the leak ----
function tick(ctx) {
  ticks += 1;
  const delay = ticks < levels ? 0 : 60 * 60 * 1000;
  setTimeout(() => tick({prev: ctx, data: new Array(4).fill(0)}), delay);
  if (ticks === levels) snapshotSoon();
}

tick({prev: null, data: new Array(4).fill(0)});
