// The pages in a real browser: Debian's chromium driven by playwright-core against a real
// `leaktriage serve` with a private PostgreSQL (tests/browser/run.sh starts both and runs
// this). Signs in (a wrong key first), uploads seed-co through the form with the upload
// throttled (CDP Network.emulateNetworkConditions) and sees at least two intermediate
// percentages, waits for the report and checks the recursive-chain card, pages, sorts and
// filters the class table through the server's /classes route, opens the dominator tree
// three levels through the collapsed chain and a retainer path, follows one leak through
// the dashboard (recurring, resolved, regressed, ignored) to its page of occurrences and
// events, checks a file that is not a snapshot, the keyboard path, signing out. Fails on any
// console error. Saves a screenshot of every page in $LT_SHOTS.
//
// Usage (run.sh does this): LT_BASE=http://127.0.0.1:PORT LT_KEY=lt_... LT_FIXTURES=DIR
//   LT_SHOTS=DIR node tests/browser/pages.test.mjs
import { chromium } from 'playwright-core';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { strict as assert } from 'node:assert';

// The failed requests the test makes on purpose: the sign-in probe's 401 and a leak that
// is not there (the browser's own "Failed to load resource" line, not a script error).
const EXPECTED_FAILURES = [
  { status: 401, url: /\/api\/v1\/session$/ },
  { status: 404, url: /\/api\/v1\/leaks\/999999$/ },
  { status: 415, url: /\/api\/v1\/apps\/[^/]+\/snapshots$/ }, // the text file, refused at upload
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
// A full-page screenshot resizes the viewport and back; two frames let the page settle (its
// scroll position) before the next click lands.
const shot = async (name) => {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
};

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

  await step('the class table pages by cursor, sorts and filters through the server', async () => {
    const classes = page.locator('#classes');
    const rows = classes.locator('tbody tr');
    const classNames = () => classes.locator('tbody tr th .cls').allInnerTexts();
    assert.equal(await rows.count(), 50, 'the first page is 50 classes');
    assert.equal(await classes.locator('th[aria-sort]').getAttribute('aria-sort'), 'descending');
    const more = page.waitForRequest((r) => /\/classes\?.*cursor=/.test(r.url()));
    await classes.getByRole('button', { name: 'Show more classes' }).click();
    await more;
    await page.waitForFunction(() => document.querySelectorAll('#classes tbody tr').length === 100);
    const keys = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.key));
    assert.equal(new Set(keys).size, 100, 'the second page continues the first');
    const sorted = page.waitForResponse((r) => /\/classes\?sort=name&limit=50$/.test(r.url()) && r.status() === 200);
    await classes.getByRole('button', { name: /^Constructor/ }).click();
    await sorted;
    await page.waitForFunction(() => document.querySelectorAll('#classes tbody tr').length === 50);
    assert.equal(await classes.locator('th[aria-sort]').getAttribute('aria-sort'), 'ascending');
    const byName = await classNames();
    const bytewise = (a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : Buffer.from(a) > Buffer.from(b) ? 1 : 0);
    assert.deepEqual(byName, [...byName].sort(bytewise), 'sorted by name on the server');
    const filtered = page.waitForResponse((r) => /\/classes\?sort=name&q=Promise&limit=50$/.test(r.url()) && r.status() === 200);
    await page.getByLabel('Filter by constructor').fill('Promise');
    await filtered;
    await page.waitForFunction(() => [...document.querySelectorAll('#classes tbody tr th .cls')]
      .every((e) => e.textContent.toLowerCase().includes('promise')) && document.querySelectorAll('#classes tbody tr').length > 0);
    assert((await classNames()).includes('Promise'));
    await shot('report-classes-filtered');
  });

  await step('the dominator tree opens three levels, through the collapsed chain; a retainer path opens', async () => {
    const tree = page.locator('#dominators');
    // Opens an item (pinned by its row's ref) from the keyboard and waits for the rows it
    // opens to.
    const open = async (item) => {
      const li = `li[data-ref="${await item.getAttribute('data-ref')}"]`;
      await tree.locator(`${li} > .tree-row button.toggle`).press('Enter');
      await tree.locator(`${li}[aria-expanded=true] > ul > li[role=treeitem]`).first().waitFor();
    };
    // Down the biggest retainers (the first closed item, in document order) to the chain.
    const chains = tree.locator('li[data-kind=chain]');
    for (let i = 0; i < 12 && !(await chains.count()); i++) {
      await open(tree.locator('li[role=treeitem][aria-expanded=false]').first());
    }
    const chain = tree.locator(`li[data-ref="${await chains.first().getAttribute('data-ref')}"]`);
    const chainText = await chain.locator(':scope > .tree-row').innerText();
    assert.match(chainText, /Context → Promise → .*PromiseReaction → .*Context/, chainText);
    assert.match(chainText, /× 20,00\d levels/, chainText);
    // Three levels through it: the chain, its first level's Context, then its Promise.
    let item = chain;
    for (let level = 1; level <= 3; level++) {
      await open(item);
      const next = await item.locator(':scope > ul > li[role=treeitem][aria-expanded=false]').first().getAttribute('data-ref');
      item = tree.locator(`li[data-ref="${next}"]`);
    }
    const opened = chain.locator('li[aria-expanded=true] li[aria-expanded=true] li[role=treeitem]');
    assert((await opened.count()) > 0, 'three levels open under the chain');
    assert.match(await opened.first().innerText(), /PromiseReaction/);
    await tree.getByRole('button', { name: /^Retainer path of Promise @/ }).first().press('Enter');
    const path = page.locator('#tree-path ol.path li');
    await path.first().waitFor();
    const steps = await path.allInnerTexts();
    assert(steps.length >= 8 && /global/.test(steps[1]) && /Promise/.test(steps.at(-1)), `the path: ${steps.join(' / ')}`);
    await shot('report-tree');
  });

  await step('the app dashboard: the heap chart with the version label', async () => {
    await page.goto(`${base}/apps/checkout`);
    await page.locator('#heap svg.chart').waitFor();
    assert((await page.locator('#heap').innerText()).includes('1.4.2'));
    await page.locator('#leaks').waitFor();
    await shot('dashboard');
  });

  await step('recurring, resolved, regressed and ignored on the dashboard', async () => {
    const leakRow = () => page.locator('#leaks tbody tr', { hasText: 'scheduleUpdatingTask' });
    const waitReport = () => page.waitForURL(/\/reports\/\d+$/, { timeout: 120000 });
    await uploadThrough(variant('seed-co', 1), 'checkout', { version: '1.4.3' });
    await waitReport();
    await page.goto(`${base}/apps/checkout`);
    assert.equal(await leakRow().getAttribute('data-status'), 'recurring');
    assert.equal(await leakRow().getAttribute('data-occurrences'), '2', 'two occurrences');
    assert.equal(await leakRow().locator('td.occurrences').innerText(), '2');
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
    assert.equal(await page.locator('#status').inputValue(), 'regressed', 'the filter shows the page query');
    await leakRow().getByRole('button', { name: /^Ignore/ }).click();
    await page.locator('#leaks tbody tr[data-status=ignored]', { hasText: 'scheduleUpdatingTask' }).waitFor();
    await page.goto(`${base}/apps/checkout`);
    assert.equal(await leakRow().getAttribute('data-status'), 'ignored');
    assert.equal(await leakRow().getAttribute('data-occurrences'), '3');
    await leakRow().getByRole('button', { name: /^Reopen/ }).waitFor();
    await page.locator('#heap svg.chart circle').nth(5).waitFor();
    await shot('dashboard-lifecycle');
  });

  await step('the leak page: its occurrences over time and its events', async () => {
    await page.locator('#leaks tbody tr', { hasText: 'scheduleUpdatingTask' }).getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    assert.equal(await page.locator('#occurrences tbody tr').count(), 3, 'three occurrences');
    await page.locator('#occurrences svg.chart').waitFor();
    const events = await page.locator('#events li').allInnerTexts();
    for (const [i, want] of ['new', 'recurring', 'resolved', 'regressed', 'ignored'].entries())
      assert(events[i] && events[i].includes(want), `event ${i + 1} is ${want}: ${events.join(' | ')}`);
    await shot('leak');
  });

  await step('all apps lists the app and the leaks across apps', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'checkout' }).waitFor();
    const ignored = page.locator('#leaks tbody tr[data-status=ignored]', { hasText: 'scheduleUpdatingTask' });
    await ignored.first().waitFor(); /* the leaks table renders after the apps list: count once it is there */
    assert.equal(await ignored.count(), 1);
    await shot('all-apps');
  });

  await step('a leak that is not there says so', async () => {
    await page.goto(`${base}/leaks/999999`);
    await page.getByRole('alert').getByText('no such leak').waitFor();
  });

  await step('a file that is not a snapshot gets a clear message', async () => {
    const junk = join(work, 'notes.txt');
    writeFileSync(junk, 'these are meeting notes, not a heap snapshot\n'.repeat(50));
    await uploadThrough(junk, 'checkout');
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 60000 });
    assert.match(await alert.innerText(), /this is text, not a heap snapshot/);
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
