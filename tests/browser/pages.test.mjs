// The pages in a real browser: Debian's chromium driven by playwright-core against a real
// `leaktriage serve` with a private PostgreSQL (tests/browser/run.sh starts both and runs
// this). Signs in (a wrong key first), uploads seed-co through the form with the upload
// throttled (CDP Network.emulateNetworkConditions) and sees at least two intermediate
// percentages, waits for the report and checks the recursive-chain card, sorts and filters
// the class table, checks the dashboards, a file that is not a snapshot, signing out. Fails
// on any console error. Saves a screenshot of every page in $LT_SHOTS.
//
// Steps that need routes not on main yet are written and switched off in PENDING; the lead
// turns each on when the branch that brings its routes is merged.
//
// Usage (run.sh does this): LT_BASE=http://127.0.0.1:PORT LT_KEY=lt_... LT_FIXTURES=DIR
//   LT_SHOTS=DIR node tests/browser/pages.test.mjs
import { chromium } from 'playwright-core';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { strict as assert } from 'node:assert';

const PENDING = {
  webdata: false, // GET /analyses/{id}/tree and /path (issue 10, branch webdata)
  fleet: false,  // leak records: /apps/{app}/leaks, /leaks/{id}, PATCH, report comparison (issue 9)
};
// Routes a page asks for that may not exist yet: their 404 (and the sign-in probe's 401)
// is the browser's own "Failed to load resource" line, not a script error.
const EXPECTED_FAILURES = [
  { status: 401, url: /\/api\/v1\/session$/ },
  ...(PENDING.webdata ? [{ status: 404, url: /\/api\/v1\/analyses\/\d+\/(tree|path|classes)/ }] : []),
  ...(PENDING.fleet ? [{ status: 404, url: /\/api\/v1\/(leaks|apps\/[^/]+\/leaks)/ }] : []),
];

const base = process.env.LT_BASE;
const key = process.env.LT_KEY;
const fixtures = process.env.LT_FIXTURES;
const shots = process.env.LT_SHOTS;
mkdirSync(shots, { recursive: true });
const work = join(shots, 'inputs');
mkdirSync(work, { recursive: true });

let passed = 0;
async function step(name, fn) {
  const t = Date.now();
  await fn();
  passed++;
  console.log(`ok   ${name} (${Date.now() - t} ms)`);
}
function skip(name, why) { console.log(`skip ${name} (${why})`); }

// A distinct snapshot file with the same content: seed-co recompressed at another level.
function variant(name, level) {
  const path = join(work, `${name}-${level}.heapsnapshot.gz`);
  writeFileSync(path, gzipSync(gunzipSync(readFileSync(join(fixtures, `${name}.heapsnapshot.gz`))), { level }));
  return path;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
const page = await context.newPage();
const consoleErrors = [];
const failed = [];
page.on('response', (r) => { if (r.status() >= 400) failed.push({ status: r.status(), url: r.url() }); });
page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
page.on('console', (msg) => {
  if (msg.type() !== 'error') return;
  const url = msg.location()?.url || '';
  const text = msg.text();
  const expected = /Failed to load resource/.test(text) &&
    EXPECTED_FAILURES.some((f) => text.includes(`status of ${f.status}`) && f.url.test(url));
  if (!expected) consoleErrors.push(`${text} (${url})`);
});
const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

async function uploadThrough(file, app, labels = {}) {
  await page.goto(`${base}/upload`);
  await page.fill('#app', app);
  for (const [k, v] of Object.entries(labels)) await page.fill(`#label-${k}`, v);
  await page.setInputFiles('#file', file);
  await page.click('#upload-button');
}

try {
  await step('the sign-in form shows, a wrong key shows an error', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('API key').fill('lt_not_a_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('unknown or revoked').waitFor();
    await shot('signin-error');
  });

  await step('the right key signs in; the key is not kept in the page', async () => {
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'All apps', exact: true }).waitFor();
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert(!stored.includes(key), 'the key is in storage or a script-readable cookie');
    assert(!(await page.content()).includes(key), 'the key is in the page');
    const cookie = (await context.cookies()).find((c) => c.name === 'lt_session');
    assert(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', 'HttpOnly SameSite=Strict session cookie');
    await shot('all-apps-empty');
  });

  let reportUrl;
  await step('seed-co uploads through the form with a throttled upload: two or more intermediate percentages', async () => {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 800 * 1024 });
    await uploadThrough(join(fixtures, 'seed-co.heapsnapshot.gz'), 'checkout', { version: '1.4.2', host: 'web-3', commit: 'a1b2c3d' });
    const seen = new Set();
    let shotTaken = false;
    while (!/\/reports\/\d+$/.test(page.url())) {
      const p = await page.evaluate(() => document.getElementById('upload-progress')?.dataset.percent).catch(() => null);
      if (p !== null && p !== undefined && +p > 0 && +p < 100) {
        seen.add(+p);
        if (!shotTaken && +p > 30) { await shot('upload-progress'); shotTaken = true; }
      }
      if (await page.getByRole('alert').count()) throw new Error(await page.getByRole('alert').first().innerText());
      await page.waitForTimeout(50);
    }
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    assert(seen.size >= 2, `intermediate percentages seen: ${[...seen]}`);
    console.log(`     percentages seen: ${[...seen].sort((a, b) => a - b).join(' ')}`);
    reportUrl = page.url();
  });

  await step('the report: the chain card names scheduleUpdatingTask, 20,000 levels, its script', async () => {
    const card = page.locator('article.finding.recursive_chain').first();
    await card.waitFor();
    const text = await card.innerText();
    for (const want of ['scheduleUpdatingTask', '20,000', 'gen/seed-co.js:31', 'Promise', 'Context', 'Fix:'])
      assert(text.includes(want), `the chain card says ${want}: ${text}`);
    await card.getByText('Retainer path from a GC root').click();
    await card.locator('ol.path li').first().waitFor();
    const facts = await page.locator('section[aria-labelledby="uploaded-h"]').innerText();
    for (const want of ['checkout', '1.4.2', '319,889', '1,499,188']) assert(facts.includes(want), `uploaded facts say ${want}`);
    await page.locator('#classes tbody tr').first().waitFor();
    await shot('report');
  });

  await step('the class table sorts and filters', async () => {
    const classes = page.locator('#classes');
    const firstClass = () => classes.locator('tbody tr th .cls').first().innerText();
    const before = await firstClass();
    await classes.getByRole('button', { name: /^Constructor/ }).click();
    await page.waitForFunction((b) => document.querySelector('#classes tbody tr th .cls')?.textContent !== b, before);
    assert.equal(await classes.locator('th[aria-sort]').getAttribute('aria-sort'), 'ascending');
    await page.getByLabel('Filter by constructor').fill('Promise');
    await page.waitForFunction(() => [...document.querySelectorAll('#classes tbody tr th .cls')]
      .every((e) => e.textContent.toLowerCase().includes('promise')) && document.querySelectorAll('#classes tbody tr').length > 0);
    await shot('report-classes-filtered');
  });

  if (PENDING.webdata) skip('the dominator tree opens three levels, through the collapsed chain; a retainer path opens', 'webdata routes');
  else await step('the dominator tree opens three levels, through the collapsed chain; a retainer path opens', async () => {
    const tree = page.locator('#dominators');
    for (let level = 1; level <= 3; level++) {
      const toggle = tree.locator(`${'li[role=treeitem] '.repeat(level)}button.toggle:not([disabled])`).first();
      await toggle.click();
      await tree.locator(`${'li[role=treeitem][aria-expanded=true] '.repeat(level)}li[role=treeitem]`).first().waitFor();
    }
    assert(await tree.getByText(/× [\d,]+ levels/).count() > 0, 'the collapsed chain row');
    await tree.getByRole('button', { name: /^Retainer path of/ }).first().click();
    await page.locator('#tree-path ol.path li').first().waitFor();
    await shot('report-tree');
  });

  await step('the app dashboard: the heap chart with the version label', async () => {
    await page.goto(`${base}/apps/checkout`);
    await page.locator('#heap svg.chart').waitFor();
    assert((await page.locator('#heap').innerText()).includes('1.4.2'));
    await page.locator('#leaks').waitFor();
    await shot('dashboard');
  });

  if (PENDING.fleet) skip('recurring, resolved, regressed and ignored on the dashboard', 'issue 9 routes');
  else await step('recurring, resolved, regressed and ignored on the dashboard', async () => {
    const leakRow = () => page.locator('#leaks tbody tr', { hasText: 'scheduleUpdatingTask' });
    const waitReport = () => page.waitForURL(/\/reports\/\d+$/, { timeout: 120000 });
    await uploadThrough(variant('seed-co', 1), 'checkout', { version: '1.4.3' });
    await waitReport();
    await page.goto(`${base}/apps/checkout`);
    assert.equal(await leakRow().getAttribute('data-status'), 'recurring');
    assert((await leakRow().innerText()).includes('2'), 'two occurrences');
    for (const level of [1, 5, 9]) {
      await uploadThrough(variant('fixed-loop', level), 'checkout', { version: '1.5.0' });
      await waitReport();
    }
    await page.goto(`${base}/apps/checkout`);
    assert.equal(await leakRow().getAttribute('data-status'), 'resolved');
    await uploadThrough(variant('seed-co', 3), 'checkout', { version: '1.5.1' });
    await waitReport();
    await page.goto(`${base}/apps/checkout?status=regressed`);
    assert.equal(await leakRow().getAttribute('data-status'), 'regressed');
    await leakRow().getByRole('button', { name: /^Ignore/ }).click();
    await page.goto(`${base}/apps/checkout`);
    assert.equal(await leakRow().getAttribute('data-status'), 'ignored');
    await shot('dashboard-lifecycle');
    await leakRow().getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    await shot('leak');
  });

  await step('all apps lists the app', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'checkout' }).waitFor();
    await shot('all-apps');
  });

  await step('the leak page answers (its records, or a clear "not available")', async () => {
    await page.goto(`${base}/leaks/1`);
    await page.locator('main h1').waitFor();
    await shot('leak-page');
  });

  await step('a file that is not a snapshot gets a clear message', async () => {
    const junk = join(work, 'notes.txt');
    writeFileSync(junk, 'these are meeting notes, not a heap snapshot\n'.repeat(50));
    await uploadThrough(junk, 'checkout');
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 60000 });
    assert.match(await alert.innerText(), /not a V8 heap snapshot/);
    await shot('upload-not-a-snapshot');
  });

  await step('keyboard: the upload page is usable with Tab alone and shows focus', async () => {
    await page.goto(`${base}/upload`);
    await page.locator('#app').waitFor();
    await page.keyboard.press('Tab');
    const focused = new Set();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      focused.add(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName));
    }
    for (const id of ['app', 'file', 'label-version', 'label-environment']) assert(focused.has(id), `Tab reaches #${id}`);
  });

  await step('signing out shows the sign-in form; the API refuses the old cookie', async () => {
    await page.goto(`${base}/`);
    const old = (await context.cookies()).find((c) => c.name === 'lt_session').value;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    assert.equal((await context.cookies()).filter((c) => c.name === 'lt_session').length, 0, 'the cookie is cleared');
    const r = await fetch(`${base}/api/v1/apps`, { headers: { Cookie: `lt_session=${old}` } });
    assert.equal(r.status, 401);
  });

  await step('no console errors', async () => {
    assert.deepEqual(consoleErrors, []);
  });
} catch (e) {
  console.log(`FAIL ${e.message}`);
  console.log('console errors:', consoleErrors);
  console.log('failed requests:', failed);
  await shot('failure').catch(() => {});
  await browser.close();
  process.exit(1);
}
await browser.close();
console.log(`all ${passed} browser steps passed; screenshots in ${shots}`);
