// Prettier formatting every file of ../sample (.ts, .js, .json) with its Node API.
import fs from 'node:fs';
import path from 'node:path';

export function sampleFiles(sample) {
  const out = [];
  for (const dir of ['src', 'js', '.'])
    for (const name of fs.readdirSync(path.join(sample, dir)).sort())
      if (/\.(ts|js|json)$/.test(name)) out.push(path.join(sample, dir, name));
  return out;
}

export async function run({ require, sample }) {
  const prettier = require('prettier');
  const formatted = new Map();
  for (const file of sampleFiles(sample)) {
    const text = fs.readFileSync(file, 'utf8');
    formatted.set(file, await prettier.format(text, { filepath: file, semi: false, singleQuote: true }));
  }
  return { summary: { version: prettier.version, files: formatted.size }, prettier, formatted };
}
