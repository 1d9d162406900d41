// ESLint linting ../sample/js/*.js through its Node API (ESLint class, flat config:
// @eslint/js recommended plus eqeqeq), keeping the linter and its results.
export async function run({ require, sample }) {
  const { ESLint } = require('eslint');
  const js = require('@eslint/js');
  const eslint = new ESLint({
    cwd: sample,
    overrideConfigFile: true,
    overrideConfig: [js.configs.recommended, {
      languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { console: 'readonly' } },
      rules: { eqeqeq: 'error', 'no-unused-vars': 'warn' },
    }],
  });
  const results = await eslint.lintFiles(['js/*.js']);
  const messages = results.reduce((n, r) => n + r.messages.length, 0);
  return { summary: { version: ESLint.version, files: results.length, messages }, eslint, results };
}
