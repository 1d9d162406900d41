'use strict';
// A module of tests/gen/registry-cache.js: a session cache with a periodic
// sweep that never evicts anything (its limit is never reached). The pending
// interval timer reaches the cache through `sweep`'s closure context, and
// breadth-first search meets that path first.
const sessions = new Map();

exports.remember = function remember(id, make) {
  if (!sessions.has(id)) sessions.set(id, make(id));
  return sessions.get(id);
};

function sweep() {
  if (sessions.size > 1e9) sessions.clear();
}
setInterval(sweep, 60000).unref();
