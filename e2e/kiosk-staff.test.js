// The lobby kiosk's staff side end to end (issue 17), against the release
// build and the real server: the staff PIN is the admin's, set in /admin
// and never on the tablet; wrong PINs make the prompt wait, across a
// reload; a new PIN reaches the kiosk with its status report; the report
// reaches /admin; a new version of the kiosk's questionnaire is taken
// between customers, never in the middle of one.
//
// Time is moved on in the page, never slept; the reports' interval is
// shortened the way the sync tests shorten theirs. Not with Playwright's
// clock: its timer ids start at 1e12, web-sys reads them as i32, so the
// app's `clearInterval` misses and every cleared timer keeps firing, which
// no real browser does. The tablet's wall clock is moved instead
// (`Date.now`, what the PIN's wait is measured by); its timers stay real.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ADMIN, eventually, launch, openPage, queryServer, seriousViolations } from './lib.js';
import { asAdmin, ENROLMENT_KEY, enrolPage, newDevice } from './access-steps.js';
import { signInPage } from './admin-steps.js';
import { answerRest, deviceId, PIN, question, screenOf, setUp } from './kiosk-steps.js';

const TAG = randomUUID().slice(0, 6);
const PIN_KEY = 'branchpulse.kiosk.pin';
const LOCKOUT_KEY = 'branchpulse.kiosk.pin_lockout';
const REPORT_MS_KEY = 'branchpulse.kiosk.report_ms';
// A kiosk questionnaire of this file's own: its versions are told apart by
// their titles and by a third item only version 2 has.
const QID = `e2e_staff_${TAG}`;

let browser;
before(async () => {
  browser = await launch();
  const resp = await asAdmin('POST', '/api/v1/questionnaires', questionnaire(1));
  assert.ok([200, 201].includes(resp.status), `upload: ${resp.status} ${await resp.clone().text()}`);
});
after(async () => { await browser?.close(); });

function questionnaire(version) {
  const text = (en) => ({ 'zh-CN': `${en}（中文）`, en, es: `${en} (es)` });
  const items = ['first', 'second', ...(version > 1 ? ['third'] : [])].map((id) => ({
    id,
    type: 'rating',
    text: text(`Question ${id}`),
    required: true,
  }));
  return {
    id: QID,
    version,
    kind: 'kiosk',
    title: text(`Staff test v${version} ${TAG}`),
    languages: ['zh-CN', 'en', 'es'],
    sections: [{ id: 'only', title: text('Your visit'), items }],
  };
}

/// A tablet whose status reports come every second.
async function tablet() {
  const opened = await openPage(browser);
  await opened.context.addInitScript((k) => localStorage.setItem(k, '1000'), REPORT_MS_KEY);
  return opened;
}

const keptPin = (page) => page.evaluate((k) => localStorage.getItem(k), PIN_KEY);
const enrolledId = (page) => page.evaluate((k) => JSON.parse(localStorage.getItem(k)).device.id, ENROLMENT_KEY);

const SHIFT_KEY = 'e2e.clock.shift';

/// Every page of `context` reads its wall clock with a shift that
/// [`later`] moves on and a reload keeps (sessionStorage: the tab's).
async function shiftableClock(context) {
  await context.addInitScript((key) => {
    const real = Date.now.bind(Date);
    Date.now = () => real() + Number(sessionStorage.getItem(key) || 0);
  }, SHIFT_KEY);
}

/// `ms` later on the tablet's clock, as if that time had passed.
async function later(page, ms) {
  await page.evaluate(([key, ms]) => sessionStorage.setItem(key, String(Number(sessionStorage.getItem(key) || 0) + ms)), [SHIFT_KEY, ms]);
}

async function staffPrompt(page) {
  await page.getByRole('button', { name: 'Staff' }).click();
  await page.getByLabel('Enter the PIN').waitFor();
}

async function tryPin(page, pin) {
  await page.getByLabel('Enter the PIN').fill(pin);
  await page.getByRole('button', { name: 'OK' }).click();
}

async function staffMenuOpens(page) {
  await page.locator('.kiosk-staff-menu').waitFor();
}

async function staysLocked(page, why) {
  await page.getByRole('alert').filter({ hasText: why }).waitFor();
  assert.equal(await page.locator('.kiosk-staff-menu').count(), 0, 'the staff menu stays closed');
}

/// One customer giving 4 to every item of `items`: each face moves on by
/// itself, the last one sends.
async function customer(page, items) {
  for (const item of items) {
    await question(page, item);
    await screenOf(page, item).locator('.face[data-value="4"]').click();
  }
  await page.locator('.kiosk-thanks').waitFor();
}

/// The first question of this file's questionnaire at `version`: version 1
/// has two screens, version 2 three.
async function firstOf(page, version) {
  await screenOf(page, 'first').locator('.kiosk-progress-text', { hasText: `Question 1 of ${version + 1}` }).waitFor();
}

test('an admin makes a kiosk with a PIN in /admin; the enrolled tablet has no PIN field and opens the staff menu with that PIN only', async () => {
  const admin = await openPage(browser);
  await signInPage(admin.page, ADMIN, '/admin?s=devices');
  await admin.page.locator('#device-branch option[value="N04"]').waitFor({ state: 'attached' });
  const label = `e2e staff kiosk ${TAG}`;
  await admin.page.fill('#device-label', label);
  await admin.page.selectOption('#device-branch', 'N04');
  await admin.page.fill('#device-pin', '73915');
  await admin.page.locator('#add-device button[type="submit"]').click();
  await admin.page.locator('#enrolment').waitFor();
  const url = (await admin.page.locator('.enrol-url code').textContent()).trim();
  const row = admin.page.locator('#device-list tbody tr', { hasText: label });
  await row.waitFor();
  assert.equal(await row.locator('.pin-state').getAttribute('data-set'), 'true', '/admin says the PIN is set');
  const id = await row.getAttribute('data-id');
  await admin.context.close();

  const { context, page, errors } = await openPage(browser);
  await enrolPage(page, { url, device: { id } });
  await page.locator('#kiosk-questionnaire option[value="lobby"]').waitFor({ state: 'attached' });
  assert.equal(await page.locator('.kiosk-setup input[type="password"]').count(), 0, 'the setup form asks no PIN');
  assert.equal(await page.getByLabel(/PIN/).count(), 0, 'nor anything labelled PIN');
  await page.selectOption('#kiosk-questionnaire', 'lobby');
  await page.selectOption('#kiosk-home', 'en');
  await page.getByRole('button', { name: 'Start kiosk mode' }).click();
  await question(page, 'overall');
  // The hash came with the enrolment: kept apart from the setup, never the PIN itself.
  const kept = JSON.parse(await keptPin(page));
  assert.match(kept.salt, /^[0-9a-f]{32}$/);
  assert.match(kept.hash, /^[0-9a-f]{64}$/);
  const all = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  assert.ok(!all.includes('73915'), 'the PIN itself is nowhere on the tablet');
  await staffPrompt(page);
  assert.deepEqual(await seriousViolations(page), [], 'axe on the PIN prompt');
  // Another kiosk's PIN is no key to this one.
  await tryPin(page, PIN);
  await staysLocked(page, 'Wrong PIN.');
  await tryPin(page, '73915');
  await staffMenuOpens(page);
  // Offline the kept hash still opens it (the staff page, a bundle of its
  // own, then comes from the service worker's cache).
  await page.getByRole('button', { name: 'Back to customers' }).click();
  // The customers' page reports its status after its first sync, which
  // follows its load: the network goes once that is answered, not in the
  // middle of it, where the browser would log the cut request as an error.
  const reported = page.waitForResponse((r) => r.url().endsWith('/api/v1/device/status'), { timeout: 60_000 });
  await question(page, 'overall');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
  await reported;
  await page.waitForLoadState('networkidle');
  await context.setOffline(true);
  await staffPrompt(page);
  await tryPin(page, '73915');
  await staffMenuOpens(page);
  assert.deepEqual(errors, []);
  await context.close();
});

/// None of the staff's screens: enrolment, setup, staff menu, kiosk mode off.
async function noStaffScreen(page, where) {
  for (const screen of ['.kiosk-staff-menu', '.kiosk-setup', 'form.enrol', '.kiosk-off']) {
    assert.equal(await page.locator(screen).count(), 0, `${where}: no ${screen}`);
  }
}

test('the staff page asks the PIN at every load, and the customers\' own bundle, without it, serves customers', async () => {
  const { context, page, errors } = await tablet();
  await setUp(page, { branch: 'N03' });
  const device = await deviceId(page);
  // The customer's page is kiosk.html's bundle, which names nothing of the staff page's.
  assert.equal(new URL(page.url()).pathname, '/kiosk');
  const named = await page.evaluate(() => [...document.querySelectorAll('link[href], script[src]')].map((e) => e.getAttribute('href') ?? e.getAttribute('src')));
  assert.ok(named.some((a) => /\/kiosk-[0-9a-f]+_bg\.wasm$/.test(a)), `the kiosk's wasm (${named})`);
  assert.ok(!named.some((a) => a.includes('kiosk_staff')), `no staff bundle (${named})`);
  await noStaffScreen(page, 'the customers');
  // Typed by a customer: the PIN prompt, nothing behind it.
  await page.goto('/kiosk/staff');
  await page.getByLabel('Enter the PIN').waitFor();
  await noStaffScreen(page, 'the typed address');
  await tryPin(page, '0000');
  await staysLocked(page, 'Wrong PIN.');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await question(page, 'overall');
  assert.equal(new URL(page.url()).pathname, '/kiosk');
  // Staff open their menu; a reload asks the PIN again.
  await staffPrompt(page);
  assert.equal(new URL(page.url()).pathname, '/kiosk/staff');
  await tryPin(page, PIN);
  await staffMenuOpens(page);
  await page.reload();
  await page.getByLabel('Enter the PIN').waitFor();
  await noStaffScreen(page, 'a reload');
  await tryPin(page, PIN);
  await staffMenuOpens(page);
  // Back to customers takes the staff page's place: the back button does not reopen it.
  await page.getByRole('button', { name: 'Back to customers' }).click();
  await question(page, 'overall');
  await page.goBack();
  await page.waitForLoadState();
  assert.notEqual(new URL(page.url()).pathname, '/kiosk/staff', 'the back button is not the staff menu');
  await noStaffScreen(page, 'the back button');
  await page.goto('/kiosk');
  // The customers' bundle takes a customer from the first tap to the server.
  await question(page, 'overall');
  await answerRest(page, { comment: 'Served by the customers\' own bundle' });
  await eventually('the customer stored', () => queryServer('SELECT id FROM responses WHERE device_id = ?', device).length === 1 || 'not yet');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a response the tablet cannot store is kept aside, and staff are told on the customers\' page and in their menu', async () => {
  const { context, page, errors } = await tablet();
  await setUp(page, { branch: 'N03' });
  // From now on the tablet's database refuses every write, as when it is full.
  await page.evaluate(() => {
    const full = () => { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
    IDBObjectStore.prototype.add = full;
    IDBObjectStore.prototype.put = full;
  });
  // The customer is thanked as ever: it is not their fault.
  await answerRest(page, { comment: 'Kept aside on a full tablet' });
  const said = 'Staff: a response could not be saved on this device';
  await page.locator('.kiosk-warning', { hasText: said }).waitFor();
  // Nothing lost: the response waits in localStorage for staff.
  const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes('.unsaved.')).map((k) => localStorage.getItem(k)));
  assert.equal(kept.length, 1, `one response kept aside (${kept.length})`);
  assert.match(kept[0], /Kept aside on a full tablet/);
  // The staff page, a page load away, says it too.
  await staffPrompt(page);
  await tryPin(page, PIN);
  await staffMenuOpens(page);
  await page.locator('[data-testid="staff-warning"]', { hasText: 'could not be saved' }).waitFor();
  assert.deepEqual(errors.filter((e) => !e.includes('quota')), []);
  await context.close();
});

test('until an admin sets a PIN the prompt says where, offers a new code, and takes the PIN with the next report', async () => {
  const { context, page, errors } = await tablet();
  const enrolment = await newDevice({ branch: 'N05', pin: null });
  await enrolPage(page, enrolment);
  await page.locator('#kiosk-questionnaire option[value="lobby"]').waitFor({ state: 'attached' });
  await page.selectOption('#kiosk-questionnaire', 'lobby');
  await page.selectOption('#kiosk-home', 'en');
  await page.getByRole('button', { name: 'Start kiosk mode' }).click();
  await question(page, 'overall');
  await page.getByRole('button', { name: 'Staff' }).click();
  const said = page.getByTestId('pin-not-set');
  await said.waitFor();
  assert.match(await said.textContent(), /administrator.*Devices/);
  assert.equal(await page.getByLabel('Enter the PIN').count(), 0, 'no PIN to enter');
  assert.deepEqual(await seriousViolations(page), [], 'axe on the no-PIN screen');
  await page.getByRole('button', { name: 'Enter a new code' }).click();
  await page.locator('#enrol-code').waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByTestId('pin-not-set').waitFor();
  // The admin sets one: the open prompt takes it from the kiosk's next report.
  const resp = await asAdmin('PUT', `/api/v1/devices/${enrolment.device.id}/pin`, { pin: '5150' });
  assert.ok([200, 204].includes(resp.status), `set PIN: ${resp.status} ${await resp.clone().text()}`);
  await tryPin(page, '5150');
  await staffMenuOpens(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('3 wrong PINs: a wait counted down, the right PIN refused meanwhile, across a reload; after it the right PIN works', async () => {
  const { context, page, errors } = await openPage(browser);
  await shiftableClock(context);
  await setUp(page, { branch: 'N06' });
  await staffPrompt(page);
  for (let i = 0; i < 3; i++) {
    await tryPin(page, '0000');
    await page.getByRole('alert').filter({ hasText: /Wrong PIN|Too many/ }).waitFor();
  }
  const wait = page.getByTestId('pin-wait');
  assert.equal((await wait.textContent()).trim(), 'Try again in 0:30.');
  assert.deepEqual(await seriousViolations(page), [], 'axe on the waiting prompt');
  await tryPin(page, PIN);
  await staysLocked(page, 'Too many wrong PINs');
  // A reload (the staff page's own address: its PIN prompt again) or a
  // restart (the customers' first question) does not end the wait.
  await later(page, 5_000);
  await page.reload();
  await page.getByLabel('Enter the PIN').waitFor();
  assert.match(await wait.textContent(), /^Try again in 0:2\d\.$/);
  await tryPin(page, PIN);
  await staysLocked(page, 'Too many wrong PINs');
  await page.goto('/kiosk');
  await question(page, 'overall');
  await staffPrompt(page);
  assert.match(await wait.textContent(), /^Try again in 0:2\d\.$/);
  await tryPin(page, PIN);
  await staysLocked(page, 'Too many wrong PINs');
  // The countdown follows the clock.
  await later(page, 10_000);
  await page.waitForFunction(() => /0:1\d\./.test(document.querySelector('[data-testid="pin-wait"]').textContent));
  await later(page, 20_000);
  await page.waitForFunction(() => document.querySelector('[data-testid="pin-wait"]').textContent.trim() === '');
  // One more wrong PIN waits twice as long.
  await tryPin(page, '0000');
  await page.waitForFunction(() => document.querySelector('[data-testid="pin-wait"]').textContent.trim() === 'Try again in 1:00.');
  await later(page, 61_000);
  await page.waitForFunction(() => document.querySelector('[data-testid="pin-wait"]').textContent.trim() === '');
  await tryPin(page, PIN);
  await staffMenuOpens(page);
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), LOCKOUT_KEY), null, 'the right PIN clears the count');
  assert.deepEqual(errors, []);
  await context.close();
});

test("an admin changes the PIN: after the kiosk's next report the new PIN works and the old one does not", async () => {
  const { context, page, errors } = await tablet();
  await setUp(page, { branch: 'S04' });
  const id = await enrolledId(page);
  const old = await keptPin(page);
  assert.ok(old, 'the kiosk has its PIN');
  const admin = await openPage(browser);
  await signInPage(admin.page, ADMIN, '/admin?s=devices');
  const row = admin.page.locator(`#device-list tr[data-id="${id}"]`);
  await row.getByRole('button', { name: 'Set PIN' }).click();
  await row.getByLabel('New staff PIN').fill('12');
  await row.getByRole('button', { name: 'Save' }).click();
  await row.locator('.field-error').waitFor();
  await row.getByLabel('New staff PIN').fill('864200');
  await row.getByRole('button', { name: 'Save' }).click();
  await row.getByRole('status').filter({ hasText: 'PIN saved' }).waitFor();
  await admin.context.close();
  await eventually('the kiosk took the new PIN', async () => (await keptPin(page)) !== old || 'the old one');
  await staffPrompt(page);
  await tryPin(page, PIN);
  await staysLocked(page, 'Wrong PIN.');
  await tryPin(page, '864200');
  await staffMenuOpens(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the kiosk's report reaches /admin: its questionnaire and version, and what waits on it", async () => {
  const { context, page, errors } = await tablet();
  await setUp(page, { branch: 'S05', questionnaire: QID });
  const id = await enrolledId(page);
  // The responses' way to the server is cut; the reports' is not.
  await page.route('**/api/v1/responses', (route) => route.abort('internetdisconnected'));
  await customer(page, ['first', 'second']);
  await eventually('the report of one waiting response', async () => {
    const list = await (await asAdmin('GET', '/api/v1/devices')).json();
    const r = list.find((d) => d.id === id)?.report;
    return (r?.waiting === 1 && r.questionnaire_id === QID && r.questionnaire_version === 1) || r;
  });
  const admin = await openPage(browser);
  await signInPage(admin.page, ADMIN, '/admin?s=devices');
  const row = admin.page.locator(`#device-list tr[data-id="${id}"]`);
  await row.waitFor();
  assert.equal(await row.getByTestId('report-waiting').getAttribute('data-n'), '1');
  assert.equal(await row.getByTestId('report-questionnaire').getAttribute('data-version'), '1');
  assert.match(await row.getByTestId('report-questionnaire').textContent(), new RegExp(`${QID}, version 1`));
  assert.equal(await row.getAttribute('data-silent'), 'false');
  assert.equal(await row.getByTestId('device-silent').count(), 0);
  assert.deepEqual(await seriousViolations(admin.page), [], 'axe on the device list with reports');
  await admin.context.close();
  // Chromium logs the cut requests; nothing else went wrong.
  assert.deepEqual(errors.filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED')), []);
  await context.close();
});

test('a new version of the questionnaire is taken between customers, never in the middle of one', async () => {
  const { context, page, errors } = await tablet();
  await setUp(page, { branch: 'S06', questionnaire: QID });
  const device = await deviceId(page);
  await firstOf(page, 1);
  // A customer is half-way when the admin puts version 2 in use.
  await screenOf(page, 'first').locator('.face[data-value="4"]').click();
  await question(page, 'second');
  const fetched = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/questionnaires/${QID}` && r.ok());
  const up = await asAdmin('POST', '/api/v1/questionnaires', questionnaire(2));
  assert.ok([200, 201].includes(up.status), `upload v2: ${up.status} ${await up.clone().text()}`);
  const on = await asAdmin('POST', `/api/v1/questionnaires/${QID}/2/activate`);
  assert.ok([200, 204].includes(on.status), `activate v2: ${on.status} ${await on.clone().text()}`);
  assert.equal((await (await fetched).json()).version, 2, 'the kiosk fetched version 2 after its report');
  // The customer finishes version 1: no third question appears.
  await screenOf(page, 'second').locator('.face[data-value="5"]').click();
  await page.locator('.kiosk-thanks').waitFor();
  assert.equal(await page.locator('[data-item="third"]').count(), 0);
  await eventually('the first customer stored as version 1', async () => {
    const rows = queryServer('SELECT questionnaire_version FROM responses WHERE device_id = ?', device);
    return JSON.stringify(rows) === '[[1]]' || rows;
  });
  // Between customers the kiosk switches.
  await page.getByRole('button', { name: 'Done' }).click();
  await firstOf(page, 2);
  await customer(page, ['first', 'second', 'third']);
  await eventually('the second customer stored as version 2', async () => {
    const rows = queryServer('SELECT questionnaire_version FROM responses WHERE device_id = ? ORDER BY questionnaire_version', device);
    return JSON.stringify(rows) === '[[1],[2]]' || rows;
  });
  // Kept: a restart comes back with version 2.
  await page.reload();
  await firstOf(page, 2);
  assert.deepEqual(errors, []);
  await context.close();
});
