'use strict';
// Middleware helper for tests/gen/wrap-chain.js: wraps a handler once more.
function wrap(next, i) {
  return function wrapped(x) { return next(x + i); };
}

module.exports = {wrap};
