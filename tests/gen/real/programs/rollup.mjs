// Rollup bundling ../sample/js/main.js (three ES modules) into one ES and one CJS output.
import path from 'node:path';

export async function run({ require, sample }) {
  const { rollup, VERSION } = require('rollup');
  const bundle = await rollup({ input: path.join(sample, 'js', 'main.js'), onwarn: () => {} });
  const es = await bundle.generate({ format: 'es' });
  const cjs = await bundle.generate({ format: 'cjs', exports: 'auto' });
  return { summary: { version: VERSION, modules: es.output[0].moduleIds.length, chunks: es.output.length + cjs.output.length },
    bundle, es, cjs };
}
