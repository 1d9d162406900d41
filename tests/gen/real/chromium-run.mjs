// Runs one browser program (browser/programs.js: typescript, prettier, rollup) in a page of
// Debian's headless Chromium (/usr/bin/chromium, driven by playwright-core from CACHE_DIR)
// and saves a heap snapshot taken over the DevTools protocol (HeapProfiler.takeHeapSnapshot,
// chunks written in order, as DevTools does).
// Usage: node chromium-run.mjs PROGRAM OUT.heapsnapshot CACHE_DIR
// Serves, on 127.0.0.1: the page, /m/... = CACHE_DIR/node_modules, /s/... = sample/,
// /manifest. Prints one JSON line: browser version, program summary, counts, timings.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

function listFiles(dir, prefix = '') {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(dir, path.join(prefix, e.name)) : [path.join(prefix, e.name)]).sort();
}

function startServer(cache) {
  const sample = path.join(here, 'sample');
  const manifest = JSON.stringify({ sample: listFiles(sample),
    tsLibs: fs.readdirSync(path.join(cache, 'node_modules/typescript/lib')).filter((f) => /^lib\..*\.d\.ts$/.test(f)) });
  const roots = { '/m/': path.join(cache, 'node_modules'), '/s/': sample, '/browser/': path.join(here, 'browser') };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x').pathname;
    if (url === '/manifest') return res.end(manifest);
    const root = Object.keys(roots).find((p) => url.startsWith(p));
    const file = root ? path.join(roots[root], path.normalize(decodeURIComponent(url.slice(root.length)))) : path.join(here, 'browser/page.html');
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) { res.statusCode = 404; return res.end(); }
    res.setHeader('Content-Type', types[path.extname(file)] || 'text/plain');
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function snapshot(page, out) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const fd = fs.openSync(out, 'w');
  cdp.on('HeapProfiler.addHeapSnapshotChunk', (e) => fs.writeSync(fd, e.chunk));
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  fs.closeSync(fd);
}

async function main() {
  const [program, out, cache] = process.argv.slice(2);
  if (!program || !out || !cache) { console.error('usage: node chromium-run.mjs PROGRAM OUT.heapsnapshot CACHE_DIR'); process.exit(2); }
  const { chromium } = createRequire(path.join(path.resolve(cache), 'package.json'))('playwright-core');
  const server = await startServer(path.resolve(cache));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const page = await browser.newPage();
  const t0 = Date.now();
  await page.goto(`http://127.0.0.1:${server.address().port}/?program=${program}`);
  await page.waitForFunction(() => window.__ready === true || window.__error, null, { timeout: 300000 });
  const error = await page.evaluate(() => window.__error);
  if (error) throw new Error(error);
  const summary = await page.evaluate(() => window.__result.summary);
  const t1 = Date.now();
  await snapshot(page, out);
  const head = fs.readFileSync(out, { encoding: 'latin1' }).slice(0, 8192);
  const count = (key) => Number((new RegExp(`"${key}":(\\d+)`).exec(head) || [])[1]);
  console.log(JSON.stringify({ program, runtime: `chromium ${browser.version()}`, ...summary, bytes: fs.statSync(out).size,
    node_count: count('node_count'), edge_count: count('edge_count'), run_ms: t1 - t0, write_ms: Date.now() - t1 }));
  await browser.close();
  server.close();
}

main().catch((e) => { console.error(e); process.exit(1); });
