// The TypeScript compiler (typescript 6, the last JavaScript-based one) compiling
// ../sample (tsconfig.json, three .ts files, the default lib .d.ts files) through its
// compiler API: createProgram, full type check, emit into memory.
import path from 'node:path';

export async function run({ require, sample }) {
  const ts = require('typescript');
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(d.messageText); } };
  const config = ts.getParsedCommandLineOfConfigFile(path.join(sample, 'tsconfig.json'), {}, host);
  const program = ts.createProgram(config.fileNames, config.options);
  const emitted = new Map();
  program.emit(undefined, (file, text) => emitted.set(file, text));
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return { summary: { version: ts.version, files: program.getSourceFiles().length, emitted: emitted.size,
    diagnostics: diagnostics.length }, program, emitted };
}
