'use strict';
// Negative control: a plain singly linked list of ListNode objects built in a
// loop (no recursion, no async, no timers), plus a little other app data.
// The list is as deep as a recursive chain on the dominator tree, but it is an
// ordinary data structure and must not be reported as a recursive chain.
// Usage: node tests/gen/linked-list.js OUT.heapsnapshot [--levels N]   (default 20000 list nodes)
const {cli, snapshot} = require('./snapshot-util');
const {out, levels} = cli('linked-list', 20000);

class ListNode {
  constructor(value, next) {
    this.value = value;
    this.next = next;
  }
}

// the list: built in a loop (prepending, so value 0 ends up at the head), head kept in a module variable
let head = null;
for (let i = levels - 1; i >= 0; i--) {
  head = new ListNode(i, head);
}

// a little other app data
class User {
  constructor(id, name) {
    this.id = id;
    this.name = name;
    this.roles = id % 3 === 0 ? ['admin', 'user'] : ['user'];
  }
}
const config = {port: 8080, host: 'localhost', retries: 3, features: {search: true, export: false}};
const users = new Map();
for (let i = 0; i < 200; i++) users.set('u' + i, new User(i, 'user-' + i));
const recentLog = [];
for (let i = 0; i < 100; i++) recentLog.push(`request ${i} served in ${i % 17} ms`);

// the app's API: keeps the module-level variables (and so the list) alive
function findValue(value) {
  for (let n = head; n !== null; n = n.next) if (n.value === value) return n;
  return null;
}
function listLength() {
  let count = 0;
  for (let n = head; n !== null; n = n.next) count += 1;
  return count;
}
module.exports = {findValue, listLength, users, config, recentLog};

const length = listLength();

setImmediate(() => {
  snapshot(out, {generator: 'linked-list', list_nodes: length, users: users.size,
                 log_lines: recentLog.length, port: config.port});
  process.exit(0);
});
