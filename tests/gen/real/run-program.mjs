// Runs one program of programs/ in this process and writes a V8-format heap snapshot of it.
// Works unchanged on node (20, 22, 24), Deno and Bun:
//   node run-program.mjs PROGRAM OUT.heapsnapshot CACHE_DIR
//   deno run --allow-all run-program.mjs PROGRAM OUT.heapsnapshot CACHE_DIR
//   bun run-program.mjs PROGRAM OUT.heapsnapshot CACHE_DIR
// CACHE_DIR holds node_modules with the npm packages (make-snapshots.sh installs them).
// The program's result (compiler program, linter, server, ...) is kept alive on globalThis
// while the snapshot is written: node and Deno through v8.writeHeapSnapshot, Bun through
// Bun.generateHeapSnapshot("v8"). Prints one JSON line: runtime, program, counts, timings.
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import v8 from 'node:v8';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function runtimeName() {
  if (globalThis.Bun) return `bun ${globalThis.Bun.version}`;
  if (globalThis.Deno) return `deno ${globalThis.Deno.version.deno} (V8 ${globalThis.Deno.version.v8})`;
  return `node ${process.version} (V8 ${process.versions.v8})`;
}

// Serves `count` real HTTP requests to 127.0.0.1:port, ten at a time: creates, reads
// (some missing), health checks. Returns how many answered 2xx.
async function hammer(port, count = 300) {
  const base = `http://127.0.0.1:${port}`;
  let ok = 0;
  const one = async (i) => {
    const post = i % 3 === 0;
    const url = post ? `${base}/notes` : i % 3 === 1 ? `${base}/notes/${(i % 120) + 1}` : `${base}/health`;
    const res = await fetch(url, post ? { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: `note ${i}`, tags: ['a', String(i % 7)] }) } : undefined);
    await res.text();
    if (res.ok) ok++;
  };
  for (let i = 0; i < count; i += 10)
    await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, k) => one(i + k)));
  return ok;
}

function writeSnapshot(out) {
  if (globalThis.Bun) fs.writeFileSync(out, globalThis.Bun.generateHeapSnapshot('v8'));
  else v8.writeHeapSnapshot(out);
}

function headerCounts(file) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(8192);
  const text = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)).toString('latin1');
  fs.closeSync(fd);
  const count = (key) => Number((new RegExp(`"${key}":(\\d+)`).exec(text) || [])[1]);
  return { node_count: count('node_count'), edge_count: count('edge_count') };
}

async function main() {
  const [program, out, cache] = process.argv.slice(2);
  if (!program || !out || !cache) {
    console.error('usage: RUNTIME run-program.mjs PROGRAM OUT.heapsnapshot CACHE_DIR');
    process.exit(2);
  }
  const require = createRequire(path.join(path.resolve(cache), 'package.json'));
  const mod = await import(pathToFileURL(path.join(here, 'programs', `${program}.mjs`)).href);
  const t0 = Date.now();
  const result = await mod.run({ require, sample: path.join(here, 'sample'), hammer });
  globalThis.__leaktriageReal = result;
  const t1 = Date.now();
  writeSnapshot(out);
  console.log(JSON.stringify({ program, runtime: runtimeName(), ...result.summary, bytes: fs.statSync(out).size,
    ...headerCounts(out), run_ms: t1 - t0, write_ms: Date.now() - t1 }));
  process.exit(0);
}

main().catch((e) => { console.error(e); process.exit(1); });
