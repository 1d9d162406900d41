'use strict';
// A module of tests/gen/module-cache.js: a lookup cache that is never evicted,
// captured by the closure the module exports (the cache is a module variable,
// not a property: only the closure's context holds it).
const cache = new Map();

exports.fn = function fn(key, make) {
  let value = cache.get(key);
  if (value === undefined) {
    value = make(key);
    cache.set(key, value);
  }
  return value;
};

exports.size = () => cache.size;
