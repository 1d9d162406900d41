'use strict';
// A retainer path to show: the session cache of app/sweeper.js is reached
// first (breadth-first) through node's timer list (global.setImmediate's
// context -> timerListMap[60000] -> Timeout._onTimeout = sweep -> context),
// and in as many steps through the application's own named objects, a service
// registry on a global: global.app.services.storage.stores.sessions.remember ->
// context. The path a triage tool shows should be the application's one.
// Usage: node tests/gen/registry-cache.js OUT.heapsnapshot [--levels N]   (default 4000 sessions)
const {cli, snapshot} = require('./snapshot-util');
const {out, levels} = cli('registry-cache', 4000);
const sweeper = require('./app/sweeper');

globalThis.app = {name: 'shop', services: {storage: {stores: {sessions: sweeper}}}};

for (let i = 0; i < levels; i++) {
  sweeper.remember(`session-${i}`, id => ({id, user: `user-${i % 97}`, token: `${id}:`.padEnd(400, 'x') + i}));
}
snapshot(out, {sessions: levels});
