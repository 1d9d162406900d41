'use strict';
// Recursion through `return poll(id)` inside an async function (no `await` on
// the self-call):
//   async function poll(id) { const reply = check(id); await sleep(0); if (...) return reply; return poll(id); }
// Each level's promise is resolved with the next level's promise, so V8 links
// them Promise -> PromiseReaction -> Promise with no closure or Context per
// level; only the innermost level, still waiting in `await sleep(...)`, has a
// live async function object (its `function` edge leads to `poll`).
// The last sleep is a pending 1-hour timer that roots the whole chain.
// Usage (node 22, from the checkout root):
//   /work/scratch/node22/node_modules/.bin/node tests/gen/promise-poll.js OUT.heapsnapshot [--levels N]   (default 3000)
const {cli, snapshot} = require('./snapshot-util');
const {out, levels} = cli('promise-poll', 3000);

const begun = Date.now();
let polls = 0;

function sleep(ms) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

// Written from a module-level function so that the snapshot callback does not
// share poll's context.
function snapshotSoon() {
  setImmediate(() => {
    snapshot(out, {generator: 'promise-poll', chain_function: 'poll',
                   levels: polls, build_ms: Date.now() - begun});
    process.exit(0);
  });
}

function check(id) {
  return {id, at: polls, state: polls % 2 ? 'pending' : 'queued'};
}

// ---- the leak ----
async function poll(id) {
  polls += 1;
  const reply = check(id);
  if (polls === levels) snapshotSoon();
  await sleep(polls < levels ? 0 : 60 * 60 * 1000);
  if (reply.state === 'done') return reply;
  return poll(id);
}

poll('job-42');
