// The customer's choice to be contacted, end to end: the thank-you screen
// offers it (a switch of the kiosk's setup, on by default); only after
// "Yes" does the kiosk ask how, then the number or address with what it is
// for. Checked on the tablet, kept apart from the answers (IndexedDB
// `branchpulse-contacts`), it survives a reload offline and reaches the
// server after its response, where it raises the contact-request alert.
// The idle countdown drops a half-typed contact: the next customer finds
// nothing of it. Accessibility on every screen of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, launch, openPage, queryServer, seriousViolations, storedIds, TABLET_PORTRAIT } from './lib.js';
import { answerRest, assertClean, deviceId, question, setUp } from './kiosk-steps.js';

// src/pages/kiosk/flow.rs
const THANKS_OFFER_MS = 12_000;
// src/pages/kiosk/contact.rs
const RETENTION_DAYS = 30;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// The contact requests kept on the tablet, read from IndexedDB itself
/// (without creating the database when the app has not).
async function kept(page) {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes('branchpulse-contacts')) return [];
    const db = await new Promise((ok, fail) => {
      const open = indexedDB.open('branchpulse-contacts');
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    const all = await new Promise((ok, fail) => {
      const req = db.transaction('contacts').objectStore('contacts').getAll();
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    db.close();
    return all;
  });
}

/// The ids in the outbox.
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

/// The server's contact rows for `response`: [way, value, locale, branch].
const contactsOf = (response) =>
  queryServer('SELECT way, value, locale, branch FROM contacts WHERE response_id = ?', response);

/// Chromium's line for each request that found no network: the point here.
const realErrors = (errors) => errors.filter((e) => !/Failed to load resource/.test(e));

async function noViolations(page, what) {
  assert.deepEqual(await seriousViolations(page), [], `axe on ${what}`);
}

/// At least the kiosk's 64 px, far larger in fact.
async function assertLarge(locator, what) {
  const box = await locator.boundingBox();
  assert.ok(box && box.height >= 64 && box.width >= 160, `${what} is ${box?.width}×${box?.height}`);
}

test('a customer asks to be called back offline; after a reload and the network, the request reaches the server after its response', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: TABLET_PORTRAIT });
  // A short back-off, so that a retry never waits long.
  await context.addInitScript(() => localStorage.setItem('branchpulse.sync.retry_ms', '200'));
  await setUp(page, { branch: 'N04' });
  const device = await deviceId(page);
  // The service worker starts the kiosk again without network.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
  await context.setOffline(true);

  await answerRest(page, { ratings: [2, 2, 3, 2, 2], nps: 3 });
  const [response] = await outboxIds(page);
  assert.ok(response, 'the response waits in the outbox');
  const offer = page.locator('.kiosk-contact-offer');
  await offer.getByRole('heading', { name: 'Would you like us to contact you about this visit?' }).waitFor();
  await noViolations(page, 'the thank-you screen with the offer');
  const yes = offer.getByRole('button', { name: 'Yes, please contact me' });
  await assertLarge(yes, '"Yes"');
  await yes.click();

  // Phone or e-mail: two large choices, and a way out.
  await page.getByRole('heading', { name: 'How should we contact you?' }).waitFor();
  await noViolations(page, 'phone or e-mail');
  for (const name of ['By phone', 'By e-mail', 'No, thanks']) await assertLarge(page.getByRole('button', { name }), name);
  await page.getByRole('button', { name: 'By phone' }).click();

  // The number, with what it is for; the tablet's number pad.
  const field = page.getByLabel('Your phone number');
  await field.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'kiosk-contact-value', 'the field has the focus');
  assert.equal(await field.getAttribute('type'), 'tel');
  assert.equal(await field.getAttribute('inputmode'), 'tel');
  assert.equal(await field.getAttribute('autocomplete'), 'off', 'no browser keeps or suggests a number on a shared tablet');
  const note = await page.locator('#kiosk-contact-use').innerText();
  assert.match(note, /only to contact you about this visit/);
  assert.match(note, /Only the branch staff who handle it can see it/);
  assert.match(note, new RegExp(`deleted ${RETENTION_DAYS} days after`));
  assert.equal(await field.getAttribute('aria-describedby'), 'kiosk-contact-use kiosk-contact-problem');
  await noViolations(page, 'the phone number');

  // Checked on the tablet with the server's rule.
  await field.fill('12 34');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByRole('alert').filter({ hasText: 'This does not look like a phone number' }).waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  await noViolations(page, 'the phone number refused');
  assert.deepEqual(await kept(page), [], 'nothing kept before it is right');

  const number = '+44 20 7946 0123';
  await field.fill(` ${number} `);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByText('We will contact you about this visit.').waitFor();
  await noViolations(page, 'the thanks for the request');
  let records = await kept(page);
  assert.equal(records.length, 1, 'kept on the tablet before the customer is thanked');
  assert.equal(records[0].response, response);
  assert.deepEqual(
    { ...records[0].request, id: undefined },
    { id: undefined, response, way: 'phone', value: number, locale: 'en' },
  );

  // A reload without network: the kiosk starts clean, the request stays.
  await page.reload();
  await assertClean(page, { secrets: [number, '7946'] });
  records = await kept(page);
  assert.equal(records.length, 1, 'the request survives the reload');
  assert.deepEqual(await outboxIds(page), [response]);
  assert.deepEqual(contactsOf(response), []);

  // Back online: the response goes, then its contact; both leave the tablet.
  await context.setOffline(false);
  await eventually('the response stored', () => storedIds(device).includes(response) || storedIds(device));
  await eventually('the request sent', async () => (await kept(page)).length === 0 || (await kept(page)).length);
  assert.deepEqual(contactsOf(response), [['phone', number, 'en', 'N04']]);
  // Apart from the answers.
  const [[payload]] = queryServer('SELECT payload FROM responses WHERE id = ?', response);
  assert.ok(!payload.includes('7946'), 'the number is not in the response');
  // The contact-request alert about the response, without the number.
  // (Once the inbox API is in, the lead reads it through GET /api/v1/alerts.)
  const alerts = queryServer('SELECT kind, dedup_key, branch, finding FROM alerts WHERE response_id = ?', response);
  assert.deepEqual(alerts, [['contact_request', `contact:${response}`, 'N04', '{"kind":"contact_request"}']]);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test('the idle countdown drops a half-typed contact; the next customer starts clean and may be asked again', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: TABLET_PORTRAIT });
  await context.clock.install();
  await setUp(page, { idle: 3, branch: 'N05' });
  const device = await deviceId(page);
  const dialog = page.getByRole('alertdialog');

  await answerRest(page, { ratings: [1, 1, 1, 1, 1], nps: 0 });
  const [first] = await outboxIds(page);
  await page.getByRole('button', { name: 'Yes, please contact me' }).click();
  await page.getByRole('button', { name: 'By e-mail' }).click();
  const field = page.getByLabel('Your e-mail address');
  assert.equal(await field.getAttribute('type'), 'email');
  assert.equal(await field.getAttribute('inputmode'), 'email');
  const half = 'ana.lopez@exam';
  await field.fill(half);
  // Walked away: the countdown, then nothing of them for the next one.
  await page.clock.fastForward(3_500);
  await dialog.waitFor();
  await noViolations(page, 'the idle countdown over the contact');
  await page.clock.fastForward(3_500);
  await assertClean(page, { secrets: [half] });
  assert.deepEqual(await kept(page), [], 'a half-typed contact is never kept');

  // The next customer: the offer comes again, from nothing.
  await answerRest(page, { ratings: [4, 4, 4, 4, 4], nps: 8 });
  await page.getByRole('button', { name: 'Yes, please contact me' }).click();
  await page.getByRole('button', { name: 'By e-mail' }).click();
  assert.equal(await page.getByLabel('Your e-mail address').inputValue(), '', 'the field is empty');
  // Back, then "No, thanks": the next customer, and nothing kept.
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('button', { name: 'No, thanks' }).click();
  await assertClean(page, { secrets: [half] });

  // A customer who does not answer the offer: it goes by itself.
  await answerRest(page, { ratings: [5, 5, 5, 5, 5], nps: 10 });
  await page.locator('.kiosk-contact-offer').waitFor();
  await page.clock.fastForward(THANKS_OFFER_MS + 1000);
  await assertClean(page);
  assert.deepEqual(await kept(page), []);

  await eventually('three responses stored', () => storedIds(device).length === 3 || storedIds(device));
  assert.deepEqual(contactsOf(first), []);
  assert.deepEqual(queryServer('SELECT COUNT(*) FROM contacts c JOIN responses r ON r.id = c.response_id WHERE r.device_id = ?', device), [[0]]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a kiosk set up without the offer thanks the customer and asks nothing', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: TABLET_PORTRAIT });
  await setUp(page, { branch: 'N06', offerContact: false });
  await answerRest(page);
  await page.locator('.kiosk-thanks').getByRole('button', { name: 'Done' }).waitFor();
  assert.equal(await page.locator('.kiosk-contact-offer').count(), 0);
  await page.getByRole('button', { name: 'Done' }).click();
  await question(page, 'overall');
  assert.deepEqual(errors, []);
  await context.close();
});
