'use strict';
// Recursion through promise .then, no async/await:
//   function pollForUpdates(state) { return wait(0).then(() => pollForUpdates(state)); }
// Each call returns a promise that is resolved with the next call's promise, so
// the newest promise keeps every earlier one alive (through the resolve
// functions V8 attaches for "resolve with a thenable").
// One level per wait(); wait() resolves by setTimeout(0), the last wait is a
// pending 1-hour timer that roots the chain when the snapshot is written.
// Usage: node tests/gen/then-recursion.js OUT.heapsnapshot [--levels N]   (default 3000)
const {cli, snapshot} = require('./snapshot-util');
const {out, levels} = cli('then-recursion', 3000);

let waits = 0;
const begun = Date.now();

function wait(ms) {
  return new Promise(resolve => {
    waits += 1;
    if (waits < levels) {
      setTimeout(resolve, ms);
      return;
    }
    // last level: stays pending; write the snapshot once the microtasks have run
    setTimeout(resolve, 60 * 60 * 1000);
    setImmediate(() => {
      snapshot(out, {generator: 'then-recursion', chain_function: 'pollForUpdates',
                     levels: waits, build_ms: Date.now() - begun});
      process.exit(0);
    });
  });
}

// ---- the leak ----
function pollForUpdates(state) {
  state.polls += 1;
  return wait(0).then(() => pollForUpdates(state));
}

pollForUpdates({service: 'inventory', polls: 0});
