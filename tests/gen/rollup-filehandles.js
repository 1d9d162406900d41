'use strict';
// Node embedder objects marked detached that are not DOM: a build tool runs
// rollup through its JS API on a generated project of small modules, and the
// snapshot is written from rollup's `transform` hook of the last module, while
// the tool keeps its log files open (fs.promises FileHandles, as a build
// server does). node marks every open `FileHandle` (and a few `*BindingData`)
// native as detached (detachedness 2): DevTools names them `Detached Node /
// FileHandle`, but they are not detached DOM and not a leak.
// Usage: NODE_PATH=/work/scratch/holders/node_modules node tests/gen/rollup-filehandles.js OUT.heapsnapshot [--levels N]
//        (default 40 modules and log files; needs `npm install rollup@4.53.3` in that folder)
const fs = require('fs');
const os = require('os');
const path = require('path');
const {rollup} = require('rollup');
const {cli, snapshot} = require('./snapshot-util');
const {out, levels} = cli('rollup-filehandles', 40);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollup-filehandles-'));
const names = [];
for (let i = 0; i < levels; i++) {
  names.push(`mod${i}`);
  fs.writeFileSync(path.join(dir, `mod${i}.js`),
                   `export const value${i} = ${i};\nexport function f${i}(x) { return x * ${i + 1}; }\n`);
}
fs.writeFileSync(path.join(dir, 'main.js'),
                 names.map((n, i) => `import {f${i}} from './${n}.js';`).join('\n') +
                 `\nexport default [${names.map((n, i) => `f${i}`).join(', ')}].map(f => f(2));\n`);

const logs = new Map(); // module -> open log FileHandle, kept open for the whole build
let written = false;

const snapshotPlugin = {
  name: 'snapshot-on-last-module',
  async transform(code, id) {
    const name = path.basename(id, '.js');
    logs.set(name, await fs.promises.open(path.join(dir, `${name}.log`), 'a'));
    await logs.get(name).write(`transform ${id}\n`);
    if (logs.size === levels + 1 && !written) written = true, snapshot(out, {modules: levels, rollup: require('rollup/package.json').version});
    return null;
  },
};

(async () => {
  const bundle = await rollup({input: path.join(dir, 'main.js'), plugins: [snapshotPlugin]});
  await bundle.generate({format: 'esm'});
  await bundle.close();
  for (const fh of logs.values()) await fh.close();
  fs.rmSync(dir, {recursive: true, force: true});
})();
