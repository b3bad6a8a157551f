// The installable app that starts offline: the service worker (dist/sw.js,
// generated at build time by `cargo xtask post-build`) pre-caches the app, so a
// device whose server is gone still opens every mode with the
// questionnaires it kept; responses made then reach the server later; a new
// version replaces the old cache without losing the outbox or the drafts;
// and Chromium finds the app installable.
//
// "Offline" here is real: besides the browser's offline switch, the tests
// stop the server that served the page (a second server process on the
// same database, started by the test), so nothing can come from the network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { BASE_URL, eventually, launch, openPage, seedOutbox, storedIds } from './lib.js';
import { answerRest, deviceId, PIN, question, screenOf, setUp } from './kiosk-steps.js';
import { answerAll, assign, deviceId as shopDevice, openTab, reportId, tap } from './shop-steps.js';
import { startProxy } from './proxy.js';
import { deviceToken, enrolShopper, storeEnrolment } from './access-steps.js';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const DATABASE_PATH = process.env.DATABASE_PATH;

let browser;
const cleanups = [];
before(async () => { browser = await launch(); });
after(async () => {
  await browser?.close();
  for (const c of cleanups.reverse()) await c();
});

/// The server binary: $SERVER_BIN, else the newest of the debug and release builds.
function serverBinary() {
  if (process.env.SERVER_BIN) return process.env.SERVER_BIN;
  const built = ['debug', 'release']
    .map((p) => join(ROOT, 'target', p, 'branchpulse-server'))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  assert.ok(built.length, 'build the server first (cargo build -p branchpulse-server)');
  return built[0];
}

/// A server of our own on `dist`, with the main server's database, so a
/// test can stop it. `port` 0 picks a free one.
async function startServer(dist, port = 0) {
  assert.ok(DATABASE_PATH, 'DATABASE_PATH names the server database (set by cargo xtask test)');
  const child = spawn(serverBinary(), [
    '--addr', `127.0.0.1:${port}`, '--dist', dist, '--questionnaires', join(ROOT, 'questionnaires'),
    '--database-url', `sqlite://${resolve(DATABASE_PATH)}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const url = await new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/BranchPulse listening on (\S+)/);
      if (m) ok(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`server exited (${code}):\n${log}`)));
  });
  const stop = async () => {
    // Gone already: it exited, or a signal (an earlier stop) ended it.
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  };
  cleanups.push(stop);
  return { url, port: Number(new URL(url).port), stop };
}


function kioskResponses(device, count) {
  return Array.from({ length: count }, (_, n) => ({
    id: randomUUID(),
    questionnaire_id: 'lobby',
    questionnaire_version: 2,
    branch: 'N01',
    device_id: device,
    channel: 'kiosk',
    locale: 'en',
    started_at: `2026-03-02T10:0${n % 10}:00Z`,
    submitted_at: `2026-03-02T10:0${n % 10}:45Z`,
    answers: {
      overall: { type: 'rating', value: 1 + (n % 5) },
      staff_care: { type: 'rating', value: 5 },
      ease: { type: 'rating', value: 4 },
      fees_worth: { type: 'rating', value: 3 },
      confidence: { type: 'rating', value: 4 },
      recommend: { type: 'nps', value: n % 11 },
    },
  }));
}


/// The ids in the outbox, read from IndexedDB itself.
async function outboxIds(page) {
  return page.evaluate(async () => {
    const db = await new Promise((ok, fail) => {
      const open = indexedDB.open('branchpulse');
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    const keys = await new Promise((ok) => {
      const req = db.transaction('outbox').objectStore('outbox').getAllKeys();
      req.onsuccess = () => ok(req.result);
    });
    db.close();
    return keys;
  });
}


/// Open `path` and wait until the service worker controls the page (it
/// claims the page once it has pre-cached the whole build).
async function openControlled(baseURL, path = '/') {
  const opened = await openPage(browser, { baseURL });
  await opened.page.goto(path);
  await opened.page.getByRole('heading', { level: 1 }).first().waitFor();
  await opened.page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
  return opened;
}

const cacheNames = (page) => page.evaluate(() => caches.keys());

/// The page's errors, less Chromium's own line for each request that found
/// no network, which is the point of these tests.
const realErrors = (errors) => errors.filter((e) => !/Failed to load resource/.test(e));

test('sw.js is generated for this build and sent unhashed, revalidated', async () => {
  const resp = await fetch(`${BASE_URL}/sw.js`);
  assert.equal(resp.status, 200);
  assert.match(resp.headers.get('cache-control'), /no-cache/);
  assert.match(resp.headers.get('content-type'), /javascript/);
  const sw = await resp.text();
  assert.match(sw, /const BUILD_ID = '[0-9a-f]{16}';/);
  const listed = JSON.parse(sw.match(/const ASSETS = (\[.*\]);/)[1]);
  // The main app's page, and each mode's own bundle.
  for (const path of ['/', '/kiosk', '/kiosk/staff', '/shop', '/dashboard', '/admin', '/report']) {
    const html = await (await fetch(`${BASE_URL}${path}`)).text();
    const named = [...html.matchAll(/(?:href|src)=["']\/?([^"':]+\.(?:js|wasm|css|svg))["']/g)].map((m) => `/${m[1]}`);
    assert.ok(named.length >= 3, `${path} names its assets (${named})`);
    for (const asset of named) assert.ok(listed.includes(asset), `${path}: ${asset} is pre-cached`);
  }
  for (const page of ['/kiosk.html', '/kiosk-staff.html', '/shop.html', '/dashboard.html', '/admin.html', '/report.html']) {
    assert.ok(listed.includes(page), `${page} is pre-cached`);
  }
  const main = await (await fetch(`${BASE_URL}/`)).text();
  for (const path of ['/kiosk', '/kiosk/staff', '/admin', '/report']) {
    const own = await (await fetch(`${BASE_URL}${path}`)).text();
    assert.notEqual(own, main, `${path} has its own page and bundle`);
  }
  // The service worker sends each mode's route its own page when offline.
  for (const [route, page] of [['/kiosk/staff', '/kiosk-staff.html'], ['/admin', '/admin.html'], ['/report', '/report.html'], ['/dashboard', '/dashboard.html']]) {
    assert.ok(sw.includes(`'${route}': '${page}'`), `sw.js maps ${route} to ${page}`);
  }
  for (const file of ['/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png']) {
    assert.ok(listed.includes(file), `${file} is pre-cached`);
  }
});

test('with the server gone, every mode starts from the device, and what was made offline syncs later', async () => {
  const server = await startServer(DIST);
  const { context, page, errors } = await openControlled(server.url);
  // Each mode once online; a kiosk keeps its questionnaire once set up (below).
  await page.goto('/kiosk');
  await page.getByRole('heading', { level: 2, name: 'Enrol this device' }).waitFor();
  // A phone not yet enrolled is not given the mystery-shop questionnaire.
  await page.goto('/shop');
  await page.getByRole('heading', { level: 1, name: 'Mystery shopper' }).waitFor();
  // A lobby tablet, set up once by a manager while the network was there.
  const tablet = await openControlled(server.url, '/kiosk');
  await setUp(tablet.page, { branch: 'N03' });
  const device = await deviceId(tablet.page);

  await server.stop();
  await context.setOffline(true);
  await tablet.context.setOffline(true);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Mystery shopper' }).waitFor();
  await page.locator('.status-bar').getByText('Offline').waitFor();
  assert.equal(await page.locator('article.questionnaire[data-id="branch_visit"]').count(), 0);
  await page.goto('/');
  await page.getByRole('heading', { level: 1, name: 'BranchPulse' }).waitFor();
  // The admin's screens and the monthly report are bundles of their own:
  // each starts from its pre-cached page (nobody is signed in here).
  await page.goto('/admin?s=users');
  await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
  await page.locator('#admin-sign-in').waitFor();
  await page.goto('/report?month=2024-08');
  await page.getByRole('heading', { level: 1, name: 'Branch dashboard' }).waitFor();
  await page.locator('#dash-sign-in').waitFor();
  await page.goto('/kiosk');
  await page.getByRole('heading', { level: 1, name: 'Lobby kiosk' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Enrol this device' }).waitFor();
  assert.deepEqual(realErrors(errors), []);
  await context.close();

  // The tablet restarts with no network, and a customer answers: the
  // response waits in the outbox.
  await tablet.page.reload();
  await question(tablet.page, 'overall');
  await answerRest(tablet.page, { comment: 'Answered with the server gone' });
  const waiting = await outboxIds(tablet.page);
  assert.equal(waiting.length, 1, 'the response is in the outbox before "thank you"');
  await tablet.page.getByRole('button', { name: 'Done' }).click();
  await question(tablet.page, 'overall');
  assert.deepEqual(storedIds(device), []);
  // The staff page, a bundle of its own, starts offline too: its PIN
  // prompt, then the menu with what waits.
  await tablet.page.getByRole('button', { name: 'Staff' }).click();
  await tablet.page.getByLabel('Enter the PIN').fill(PIN);
  await tablet.page.getByRole('button', { name: 'OK' }).click();
  await tablet.page.getByRole('heading', { name: 'Staff menu' }).waitFor();
  await tablet.page.waitForFunction(() => document.querySelector('[data-testid="staff-waiting"]').textContent.trim() === '1');
  await tablet.page.getByRole('button', { name: 'Back to customers' }).click();
  await question(tablet.page, 'overall');

  // The server comes back at the same address; the tablet goes online.
  await startServer(DIST, server.port);
  await tablet.context.setOffline(false);
  await eventually('the outbox to drain', async () =>
    (await outboxIds(tablet.page)).length === 0 || (await outboxIds(tablet.page)).length);
  assert.deepEqual(storedIds(device), waiting);
  assert.deepEqual(realErrors(tablet.errors), []);
  await tablet.context.close();
});

test('a shopper\'s phone restarted without network lists its assigned visits and completes one', async () => {
  const server = await startServer(DIST);
  const visit = await assign('S05', 'Offline: ask about account fees');
  const phone = await openControlled(server.url, '/shop');
  await enrolShopper(phone.page);
  await phone.page.locator(`.shop-card[data-visit="${visit.id}"]`).waitFor();

  await server.stop();
  await phone.context.setOffline(true);
  await phone.page.reload();
  const card = phone.page.locator(`.shop-card[data-visit="${visit.id}"]`);
  await card.waitFor();
  await phone.page.locator('.shop-note', { hasText: 'Offline: this is the list kept on this phone.' }).waitFor();
  await card.getByRole('button', { name: 'Start visit' }).click();
  await phone.page.locator('.shop-timing').waitFor();
  const id = reportId(phone.page);
  for (const mark of ['arrived', 'joined', 'served', 'left']) await tap(phone.page, mark);
  await answerAll(phone.page);
  await openTab(phone.page, 'review');
  await phone.page.locator('.shop-submit').click();
  await phone.page.locator('.shop-readonly:not([hidden])').waitFor();
  assert.deepEqual(await outboxIds(phone.page), [id], 'the report waits in the outbox');
  const device = await shopDevice(phone.page);
  assert.deepEqual(storedIds(device), []);

  await startServer(DIST, server.port);
  await phone.context.setOffline(false);
  await eventually('the outbox to drain', async () =>
    (await outboxIds(phone.page)).length === 0 || (await outboxIds(phone.page)).length);
  assert.deepEqual(storedIds(device), [id]);
  assert.deepEqual(realErrors(phone.errors), []);
  await phone.context.close();
});

/// Serve a copy of the build through our own server and a proxy; return
/// the copy's folder, the proxy, and a function that deploys "a new build"
/// (the same files with a new build id in sw.js).
async function deployable() {
  const dir = mkdtempSync(join(tmpdir(), 'branchpulse-dist-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(DIST, dir, { recursive: true });
  const server = await startServer(dir);
  const proxy = await startProxy(server.url);
  cleanups.push(() => proxy.close());
  const oldId = readFileSync(join(dir, 'sw.js'), 'utf8').match(/const BUILD_ID = '([0-9a-f]+)'/)[1];
  const newId = 'f'.repeat(16) === oldId ? 'e'.repeat(16) : 'f'.repeat(16);
  const deploy = () => {
    const sw = readFileSync(join(dir, 'sw.js'), 'utf8').replace(`'${oldId}'`, `'${newId}'`);
    writeFileSync(join(dir, 'sw.js'), sw);
    for (const ext of ['br', 'gz']) if (existsSync(join(dir, `sw.js.${ext}`))) unlinkSync(join(dir, `sw.js.${ext}`));
  };
  return { proxy, oldId, newId, deploy };
}

test('a new version replaces the old cache; the outbox and drafts survive the update', async () => {
  // The proxy can refuse uploads, so the outbox keeps what we put in it.
  const { proxy, oldId, newId, deploy } = await deployable();
  const { context, page, errors } = await openControlled(proxy.url, '/shop');
  assert.deepEqual(await cacheNames(page), [`branchpulse-shell-${oldId}`]);

  proxy.set('down');
  const device = `e2e-sw-update-${randomUUID()}`;
  const given = kioskResponses(device, 3);
  await seedOutbox(page, given);
  // They are a lobby kiosk's: sent with the token of one for their branch.
  await storeEnrolment(page, await deviceToken({ branch: 'N01' }));
  const draftKey = `branchpulse.draft.e2e-${randomUUID()}`;
  const draft = JSON.stringify({ answers: { greeted: 'yes' }, note: 'kept across the update' });
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [draftKey, draft]);
  assert.equal(await page.getByTestId('update-banner').isVisible(), false, 'no banner before a new version exists');

  deploy();

  // The app looks for a new version now and then; ask at once, and again
  // every few seconds as a browser would on navigations, until it shows.
  const banner = page.getByTestId('update-banner');
  await eventually('the update banner', async () => {
    if (await banner.getByText('New version available').isVisible()) return true;
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()).catch(() => {}));
    return 'not yet';
  }, { timeout: 60_000, every: 2_000 });
  assert.deepEqual((await cacheNames(page)).sort(), [`branchpulse-shell-${newId}`, `branchpulse-shell-${oldId}`].sort(),
    'both versions cached while the new one waits');

  await Promise.all([page.waitForEvent('load'), banner.getByRole('button', { name: 'Reload' }).click()]);
  await page.getByRole('heading', { level: 1, name: 'Mystery shopper' }).waitFor();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  assert.deepEqual(await cacheNames(page), [`branchpulse-shell-${newId}`], 'the old cache is gone');
  assert.equal(await page.getByTestId('update-banner').isVisible(), false);
  assert.deepEqual(new Set(await outboxIds(page)), new Set(given.map((r) => r.id)), 'the outbox is intact');
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), draftKey), draft, 'the draft is intact');
  assert.ok(await page.evaluate(() => localStorage.getItem('branchpulse.api:/api/v1/questionnaires') !== null),
    'the questionnaires kept on the device are intact');

  proxy.set('pass');
  await page.getByTestId('sync-now').click();
  await eventually('the outbox to drain', async () => (await outboxIds(page)).length === 0 || (await outboxIds(page)).length);
  assert.deepEqual(new Set(storedIds(device)), new Set(given.map((r) => r.id)));
  await page.evaluate((k) => localStorage.removeItem(k), draftKey);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test('the kiosk switches to a new version only between customers', async () => {
  const { proxy, oldId, newId, deploy } = await deployable();
  const { context, page, errors } = await openControlled(proxy.url, '/kiosk');
  await setUp(page, { branch: 'N04' });
  const device = await deviceId(page);
  await screenOf(page, 'overall').locator('.face[data-value="4"]').click();
  await question(page, 'staff_care');
  // Marks this document: a reload would drop it.
  await page.evaluate(() => { window.__sameCustomer = true; });

  deploy();
  await eventually('the new version to be installed and waiting', async () =>
    page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      if (reg.waiting) return true;
      await reg.update().catch(() => {});
      return 'not yet';
    }), { timeout: 60_000, every: 2_000 });
  // The app notices a waiting version within a couple of seconds; give it
  // several, and the customer must still be where they were.
  await page.waitForTimeout(6_000);
  assert.equal(await page.evaluate(() => window.__sameCustomer), true, 'no reload in the middle of a customer');
  await question(page, 'staff_care');
  assert.equal(await page.getByTestId('update-banner').isVisible(), false, 'no banner on the kiosk');
  await page.getByRole('button', { name: 'Back' }).click();
  await question(page, 'overall');
  assert.equal(await screenOf(page, 'overall').locator('.face[data-value="4"]').getAttribute('aria-pressed'), 'true');
  await screenOf(page, 'overall').locator('.kiosk-next').click();
  await answerRest(page, { from: 1 });

  // After this customer: the new version takes over, and the kiosk is ready for the next.
  // The thank-you screen (with its offer to be contacted) stays its time,
  // then the waiting worker takes over and the page reloads: on a loaded
  // machine all of it can take a while. If it never comes, say where the
  // kiosk and its service worker stand.
  const reloaded = page.waitForEvent('load', { timeout: 90_000 });
  await page.getByRole('button', { name: 'Done' }).click();
  await reloaded.catch(async (e) => {
    const state = await page
      .evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration();
        return {
          sameCustomer: window.__sameCustomer,
          waiting: reg?.waiting?.state,
          active: reg?.active?.state,
          controlled: navigator.serviceWorker.controller !== null,
          screen: [...document.querySelectorAll('main section')].map((s) => s.className),
        };
      })
      .catch((err) => String(err));
    assert.fail(`the kiosk did not reload after its customer (${e.message}); page: ${JSON.stringify(state)}`);
  });
  await question(page, 'overall');
  assert.equal(await page.evaluate(() => window.__sameCustomer), undefined, 'the page reloaded');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  assert.deepEqual(await cacheNames(page), [`branchpulse-shell-${newId}`], `the old cache (${oldId}) is gone`);
  await eventually('the response to reach the server', () => storedIds(device).length === 1 || storedIds(device));
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test('Chromium finds the app installable', async () => {
  // Chromium never offers to install from an incognito profile, which is
  // what a plain browser context is: use a real (temporary) profile.
  const profile = mkdtempSync(join(tmpdir(), 'branchpulse-profile-'));
  cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    baseURL: BASE_URL,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto('/');
  await page.getByRole('heading', { level: 1, name: 'BranchPulse' }).waitFor();
  const cdp = await context.newCDPSession(page);
  const manifest = await cdp.send('Page.getAppManifest');
  assert.deepEqual(manifest.errors, [], 'the manifest parses cleanly');
  const parsed = JSON.parse(manifest.data);
  assert.equal(parsed.name, 'BranchPulse');
  assert.equal(parsed.display, 'standalone');
  assert.ok(parsed.icons.some((i) => i.purpose === 'maskable'), 'a maskable icon');
  for (const icon of parsed.icons) {
    const resp = await fetch(new URL(icon.src, BASE_URL));
    assert.equal(resp.status, 200, icon.src);
    assert.equal(resp.headers.get('content-type'), 'image/png', icon.src);
  }
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, []);
  await context.close();
});
