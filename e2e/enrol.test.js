// Device enrolment end to end: an admin makes a device and its one-time
// code through the real API; the kiosk or the shopper's phone takes it from
// the QR code's address or as typed, keeps the token, and sends with it. A
// bad, used or unreachable code gets a clear, translated message; a revoked
// device keeps what it has not sent, asks to be enrolled again, and sends
// it once given a new code (read back from the server's SQLite file).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, launch, openPage, PHONE, seriousViolations, storedIds } from './lib.js';
import { answerRest, deviceId, PIN, setUp } from './kiosk-steps.js';
import { assign, answerAll, deviceId as shopDevice, openTab, startAdHoc, tap } from './shop-steps.js';
import { enrolCode, enrolPage, ENROLMENT_KEY, kioskCode, revoke, shopperCode, submitCode } from './access-steps.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

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

const kept = (page) => page.evaluate((k) => JSON.parse(localStorage.getItem(k)), ENROLMENT_KEY);

/// Chromium's own console line for each refused request (401) is the point
/// of some tests; anything else is an error.
const realErrors = (errors) => errors.filter((e) => !/Failed to load resource/.test(e));

test('the QR address enrols a kiosk at once, for its branch, and the code cannot be used again', async () => {
  const { context, page, errors } = await openPage(browser);
  const enrolment = await kioskCode('S03');
  assert.match(enrolment.url, /^\/kiosk\?enrol=/);
  const enrolled = await enrolPage(page, enrolment);
  assert.equal(new URL(page.url()).search, '', 'the code is gone from the address bar');
  assert.equal(enrolled.device.kind, 'kiosk');
  assert.equal(enrolled.device.branch, 'S03');
  assert.ok(enrolled.token.length >= 20, 'a token is kept');
  // The setup shows the enrolled branch; there is nothing to choose.
  await page.locator('#kiosk-branch[data-branch="S03"]').waitFor();
  assert.equal(await page.locator('select#kiosk-branch').count(), 0);
  // One time only: the same code, again, is refused.
  const again = await fetch(new URL('/api/v1/devices/enrol', page.url()), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: enrolment.code }),
  });
  assert.equal(again.status, 401);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a typed code: malformed, used and offline each get their message; a good one in any form enrols', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto('/kiosk');
  await page.getByRole('heading', { name: 'Enrol this device' }).waitFor();
  const error = page.getByTestId('enrol-error');

  await submitCode(page, 'ABCDE-FGHJ0');
  await error.getByText('That is not an enrolment code').waitFor();

  const used = await kioskCode('N05');
  await enrolCode(used.code);
  // Lower case with a space: the same code as far as the app is concerned.
  await submitCode(page, used.code.replace('-', ' ').toLowerCase());
  await error.getByText('This code is unknown, already used or expired.').waitFor();

  const good = await kioskCode('N05');
  await context.setOffline(true);
  await submitCode(page, good.code);
  await error.getByText('The server cannot be reached.').waitFor();
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), ENROLMENT_KEY), null, 'not enrolled');

  await context.setOffline(false);
  await submitCode(page, good.code.replace('-', '').toLowerCase());
  await page.locator('#kiosk-branch[data-branch="N05"]').waitFor();
  assert.equal((await kept(page)).device.id, good.device.id);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test('an unreadable enrolment is set aside and the device asks for a new code', async () => {
  const { context, page } = await openPage(browser, { viewport: PHONE });
  await page.goto('/shop');
  await page.evaluate((k) => localStorage.setItem(k, '{"token": 12'), ENROLMENT_KEY);
  await page.reload();
  await page.getByText("This device's saved enrolment could not be read").waitFor();
  const [now, aside] = await page.evaluate((k) => [localStorage.getItem(k), localStorage.getItem(`${k}.corrupt`)], ENROLMENT_KEY);
  assert.equal(now, null);
  assert.equal(aside, '{"token": 12', 'the old value is kept aside as it was');
  await context.close();
});

test('the enrolment screen is translated (zh-CN, es) and has no serious accessibility violations', async () => {
  const cases = [
    { locale: 'zh-CN', path: '/kiosk', heading: '登记本设备', malformed: '这不是有效的登记码', refused: '此登记码无效、已被使用或已过期' },
    { locale: 'es-ES', path: '/shop', heading: 'Registrar este dispositivo', malformed: 'Eso no es un código de registro', refused: 'Este código no existe, ya se usó o venció' },
    { locale: 'en-US', path: '/shop', heading: 'Enrol this device', malformed: 'That is not an enrolment code', refused: 'This code is unknown' },
  ];
  // One used code for every language: enrolling is rate-limited.
  const used = await shopperCode();
  await enrolCode(used.code);
  for (const c of cases) {
    const { context, page } = await openPage(browser, { locale: c.locale, viewport: PHONE });
    await page.goto(c.path);
    await page.getByRole('heading', { level: 2, name: c.heading }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], `axe on ${c.path} in ${c.locale}`);
    await submitCode(page, 'nope');
    await page.getByTestId('enrol-error').getByText(c.malformed).waitFor();
    assert.deepEqual(await seriousViolations(page), [], `axe with the error in ${c.locale}`);
    await submitCode(page, used.code);
    await page.getByTestId('enrol-error').getByText(c.refused).waitFor();
    await context.close();
  }
});

test('a shopper\'s phone enrolled by its QR address lists its own shopper\'s visits', async () => {
  const mine = await assign('N06', 'Enrolled phone: ask about savings', 'Shopper Ana');
  const theirs = await assign('N06', 'Someone else: ask about loans', 'Shopper Ben');
  const { context, page, errors } = await openPage(browser, { viewport: PHONE });
  const enrolled = await enrolPage(page, await shopperCode('Shopper Ana'));
  assert.equal(enrolled.device.kind, 'shopper');
  await page.locator(`.shop-card[data-visit="${mine.id}"]`).waitFor();
  assert.equal(await page.locator(`.shop-card[data-visit="${theirs.id}"]`).count(), 0, 'not another shopper\'s visit');
  await page.getByText('Shopper Ana').first().waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a kiosk code does not enrol the shopper\'s screens', async () => {
  const { context, page } = await openPage(browser, { viewport: PHONE });
  const code = await kioskCode('N01');
  await page.goto('/shop');
  await submitCode(page, code.code);
  await page.getByTestId('enrol-error').getByText('This code is for a lobby kiosk').waitFor();
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), ENROLMENT_KEY), null);
  await context.close();
});

test('a revoked kiosk keeps its outbox, asks to be enrolled again, and sends after a new code', async () => {
  const { context, page, errors } = await openPage(browser);
  await setUp(page, { branch: 'N05' });
  const device = await deviceId(page);
  await revoke((await kept(page)).device.id);

  await answerRest(page, { comment: 'Answered while revoked' });
  const waiting = await outboxIds(page);
  assert.equal(waiting.length, 1);
  await page.getByRole('button', { name: 'Done' }).click();
  // The server refused the token: a note for staff, and nothing was lost.
  await page.getByTestId('kiosk-enrol-again').waitFor();
  assert.deepEqual(await outboxIds(page), waiting, 'the response stays in the outbox');
  assert.deepEqual(storedIds(device), []);
  // No fast retry: at most the periodic tick (every 30 s) tries again.
  let tries = 0;
  const count = (request) => { if (request.url().endsWith('/api/v1/responses')) tries += 1; };
  page.on('request', count);
  await page.waitForTimeout(8_000);
  page.off('request', count);
  assert.ok(tries <= 1, `${tries} sends in 8 s after a refused token`);

  await page.getByRole('button', { name: 'Staff' }).click();
  await page.getByLabel('Enter the PIN').fill(PIN);
  await page.getByRole('button', { name: 'OK' }).click();
  await page.getByTestId('staff-enrol-again').getByText('This device must be enrolled again').waitFor();
  await page.getByRole('button', { name: 'Enter a new code' }).click();
  const fresh = await kioskCode('N05');
  await submitCode(page, fresh.code);
  await page.getByRole('heading', { name: 'Staff menu' }).waitFor();
  assert.equal((await kept(page)).device.id, fresh.device.id);

  await eventually('the waiting response to reach the server', () => storedIds(device).length === 1 || storedIds(device));
  assert.deepEqual(storedIds(device), waiting);
  assert.deepEqual(await outboxIds(page), []);
  assert.equal(await page.getByTestId('staff-enrol-again').isVisible(), false, 'the note goes once sent');
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test('a revoked shopper\'s phone: the status bar links to a new code, then the report is sent', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: PHONE });
  const enrolled = await enrolPage(page, await shopperCode('Shopper Cruz'));
  await revoke(enrolled.device.id);
  await startAdHoc(page, 'S06', 'Revoked phone: open an account');
  for (const mark of ['arrived', 'joined', 'served', 'left']) await tap(page, mark);
  await answerAll(page);
  await openTab(page, 'review');
  await page.locator('.shop-submit').click();
  await page.locator('.shop-readonly:not([hidden])').waitFor();
  const status = page.getByRole('status');
  await status.getByText('This device must be enrolled again').waitFor();
  const device = await shopDevice(page);
  const waiting = await outboxIds(page);
  assert.equal(waiting.length, 1);
  assert.deepEqual(storedIds(device), []);

  await page.getByTestId('enrol-again').click();
  await page.getByRole('heading', { name: 'Enrol this device' }).waitFor();
  assert.equal(new URL(page.url()).search, '', 'the bare ?enrol is gone from the address too');
  await submitCode(page, (await shopperCode('Shopper Cruz')).code);
  await page.getByRole('heading', { name: 'Assigned visits' }).waitFor();
  await eventually('the report to reach the server', () => storedIds(device).length === 1 || storedIds(device));
  assert.deepEqual(storedIds(device), waiting);
  await eventually('the status bar to clear', async () => (await page.getByTestId('enrol-again').count()) === 0);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});
