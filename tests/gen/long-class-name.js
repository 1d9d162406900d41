'use strict';
// Regression input for issue 11 defect 7 (a heap-use-after-free in lt_graph_add_string, a
// class name copied out of the string table while the table was reallocated): a program
// whose objects belong to a class with a very long name (--levels N characters, default
// 300000), 500 of them kept in a module array, plus one short-named class beside it.
// Usage: node tests/gen/long-class-name.js OUT.heapsnapshot [--levels N]
const {cli, snapshot} = require('./snapshot-util');
const {out, levels} = cli('long-class-name', 300000);

const name = 'LongName_' + 'x'.repeat(levels - 9);
const Long = {[name]: class { constructor(i) { this.i = i; this.tag = 'item-' + i; } }}[name];
class Short { constructor(i) { this.i = i; } }
const kept = [];
for (let i = 0; i < 500; i++) kept.push(new Long(i), new Short(i));
module.exports = {kept};

setImmediate(() => {
  snapshot(out, {generator: 'long-class-name', name_length: Long.name.length, objects: kept.length});
  process.exit(0);
});
