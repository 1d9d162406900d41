'use strict';
// One retention seen through three objects: the main module requires
// app/store.js, whose exported closure `fn` keeps a module-level Map `cache`
// of strings that is never evicted. DevTools shows the same bytes retained by
// the main `Module`, by store.js's `exports` and by `fn`; a triage tool should
// name one holder: the Map `cache` in the closure context of `fn`
// (app/store.js).
// Usage: node tests/gen/module-cache.js OUT.heapsnapshot [--levels N]   (default 5000 entries)
const {cli, snapshot} = require('./snapshot-util');
const {out, levels} = cli('module-cache', 5000);
const store = require('./app/store');

// each "request" caches a rendered page fragment (~600 bytes, distinct strings)
for (let i = 0; i < levels; i++) {
  store.fn(`/items/${i}`, key => `<li data-key="${key}">${'item ' + key + ' '.repeat(1)}`.padEnd(600, '.') + i);
}

// a little other app data, held by the main module as well
const config = {port: 8080, host: '127.0.0.1', retries: 3};
module.exports = {config, store};
snapshot(out, {entries: store.size()});
