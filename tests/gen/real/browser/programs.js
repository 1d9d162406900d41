// Browser builds of real npm packages, run in a Chromium page served by chromium-run.mjs:
// TypeScript's typescript.js (createProgram + type check + emit of the sample project, the
// lib .d.ts files read from the server), Prettier's standalone build with its babel,
// estree and typescript plugins, Rollup's browser build (WebAssembly) with an in-memory
// file plugin. Server paths: /m/... is node_modules, /s/... the sample project,
// /manifest the sample's files and TypeScript's lib file names.
'use strict';

function readSync(url) {
  const xhr = new XMLHttpRequest();
  xhr.open('GET', url, false);
  xhr.send();
  return xhr.status === 200 ? xhr.responseText : undefined;
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src; s.onload = resolve; s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.appendChild(s);
  });
}

function sampleText(manifest, file) {  // file: '/src/x.ts', '/js/x.js', '/tsconfig.json'
  return manifest.sample.includes(file.slice(1)) ? readSync(`/s${file}`) : undefined;
}

async function runTypescript(manifest) {
  await loadScript('/m/typescript/lib/typescript.js');
  const texts = new Map();
  const read = (f) => {
    if (!texts.has(f)) {
      const lib = f.startsWith('/lib/') && manifest.tsLibs.includes(f.slice(5));
      texts.set(f, lib ? readSync(`/m/typescript/lib/${f.slice(5)}`) : sampleText(manifest, f));
    }
    return texts.get(f);
  };
  const emitted = new Map();
  const host = {
    getSourceFile: (f, lang) => { const t = read(f); return t === undefined ? undefined : ts.createSourceFile(f, t, lang); },
    getDefaultLibFileName: (o) => `/lib/${ts.getDefaultLibFileName(o)}`,
    writeFile: (f, t) => emitted.set(f, t),
    getCurrentDirectory: () => '/', getCanonicalFileName: (f) => f, useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n', fileExists: (f) => read(f) !== undefined, readFile: read,
    directoryExists: (d) => ['', '/src', '/lib'].includes(d.replace(/\/$/, '')), getDirectories: () => [],
  };
  const options = { target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'], types: [], module: ts.ModuleKind.CommonJS, strict: true,
    declaration: true, outDir: '/out', rootDir: '/src' };
  const roots = manifest.sample.filter((f) => f.endsWith('.ts')).map((f) => `/${f}`);
  const program = ts.createProgram(roots, options, host);
  program.emit();
  const diagnostics = ts.getPreEmitDiagnostics(program).length;
  return { summary: { version: ts.version, files: program.getSourceFiles().length, emitted: emitted.size, diagnostics },
    program, emitted };
}

async function runPrettier(manifest) {
  for (const p of ['standalone', 'plugins/babel', 'plugins/estree', 'plugins/typescript'])
    await loadScript(`/m/prettier/${p}.js`);
  const plugins = Object.values(window.prettierPlugins);
  const parsers = { ts: 'typescript', js: 'babel', json: 'json' };
  const formatted = new Map();
  for (const f of manifest.sample) {
    const parser = parsers[f.split('.').pop()];
    if (parser) formatted.set(f, await prettier.format(readSync(`/s/${f}`), { parser, plugins, semi: false, singleQuote: true }));
  }
  return { summary: { version: prettier.version, files: formatted.size }, formatted };
}

async function runRollup(manifest) {
  await loadScript('/m/@rollup/browser/dist/rollup.browser.js');
  const files = {
    name: 'sample-files',
    resolveId: (source, importer) => (importer ? new URL(source, `file://${importer}`).pathname : source),
    load: (id) => sampleText(manifest, id),
  };
  const bundle = await rollup.rollup({ input: '/js/main.js', plugins: [files], onwarn: () => {} });
  const es = await bundle.generate({ format: 'es' });
  const cjs = await bundle.generate({ format: 'cjs', exports: 'auto' });
  return { summary: { version: rollup.VERSION, modules: es.output[0].moduleIds.length, chunks: es.output.length + cjs.output.length },
    bundle, es, cjs };
}

const programs = { typescript: runTypescript, prettier: runPrettier, rollup: runRollup };

(async () => {
  const name = new URLSearchParams(location.search).get('program');
  const manifest = await (await fetch('/manifest')).json();
  window.__result = await programs[name](manifest);
  document.getElementById('out').textContent = JSON.stringify(window.__result.summary);
  window.__ready = true;
})().catch((e) => { window.__error = String(e && e.stack || e); });
