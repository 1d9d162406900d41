'use strict';
// A chain of closures built by a loop, not by recursion (the closure_chain
// finding; must not be a recursive_chain):
//   for (let i = 0; i < N; i++) handler = wrap(handler, i);
// where wrap(next, i) (tests/gen/app/mw.js, line 3) returns
// `function wrapped(x) { return next(x + i); }`. Each `wrapped` closure's
// context holds the previous one (`next`), so the newest keeps every earlier
// one alive; no level has a pending activation, promise or timer. The handler
// is kept in a module variable (calling it would overflow the stack).
// The snapshot is written from a later event-loop turn, so no stack frame
// holds the chain.
// Usage (from the checkout root; any node, the fixture was made with node 24):
//   /work/scratch/node24/node_modules/.bin/node tests/gen/wrap-chain.js OUT.heapsnapshot [--levels N]   (default 20000)
// Node 24's own CommonJS loader also has a function called `wrap`; in some
// runs it comes first in the snapshot's node order (tests/fixtures/findings/README.md).
const {cli, snapshot} = require('./snapshot-util');
const {wrap} = require('./app/mw');
const {out, levels} = cli('wrap-chain', 20000);

const begun = Date.now();
let handler = x => x;
for (let i = 0; i < levels; i++) handler = wrap(handler, i);

setImmediate(() => {
  snapshot(out, {generator: 'wrap-chain', chain_function: 'wrap', levels,
                 build_ms: Date.now() - begun});
});
module.exports = {get handler() { return handler; }};
