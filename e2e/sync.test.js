// Offline-first sync, end to end: responses put in the device's outbox reach
// the real server exactly once, whatever the network and the server do.
// The browser talks to a fault-injecting proxy (proxy.js) in front of the
// server; what the server stored is read straight from its SQLite file.
//
// The tests write responses straight into the app's IndexedDB outbox, in
// the schema documented in src/storage/outbox.rs, as the kiosk and shopper
// screens do: "made offline" means exactly that. The app sends them with
// the token of a lobby kiosk of branch N01, enrolled through the real API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BASE_URL, eventually, launch, openPage, seedOutbox, storedIds } from './lib.js';
import { startProxy } from './proxy.js';
import { deviceToken, keepEnrolment } from './access-steps.js';
import { answerRest, deviceId, PIN, question, setUp } from './kiosk-steps.js';

let browser;
let proxy;
let kiosk;
before(async () => {
  browser = await launch();
  proxy = await startProxy(BASE_URL);
  kiosk = await deviceToken({ branch: BRANCH });
});
after(async () => {
  await browser?.close();
  await proxy?.close();
});


/// The enrolled kiosk's branch: its token may submit only for it.
const BRANCH = 'N01';

function kioskResponse(device, n) {
  const rating = (k) => ({ type: 'rating', value: 1 + ((n * 7 + k) % 5) });
  const minute = String(n % 60).padStart(2, '0');
  return {
    id: randomUUID(),
    questionnaire_id: 'lobby',
    questionnaire_version: 2,
    branch: BRANCH,
    device_id: device,
    channel: 'kiosk',
    locale: ['en', 'zh-CN', 'es'][n % 3],
    started_at: `2026-03-01T09:${minute}:00Z`,
    submitted_at: `2026-03-01T09:${minute}:40Z`,
    answers: {
      overall: rating(0),
      staff_care: rating(1),
      ease: rating(2),
      fees_worth: rating(3),
      confidence: rating(4),
      recommend: { type: 'nps', value: n % 11 },
    },
  };
}

function responses(device, count) {
  return Array.from({ length: count }, (_, n) => kioskResponse(device, n));
}


/// How many records the outbox holds, read from IndexedDB itself.
async function outboxCount(page) {
  return page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open('branchpulse');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const n = await new Promise((resolve) => {
      const req = db.transaction('outbox').objectStore('outbox').count();
      req.onsuccess = () => resolve(req.result);
    });
    db.close();
    return n;
  });
}

async function waiting(page) {
  return Number((await page.getByTestId('waiting').innerText()).trim());
}


/// Open the app through the proxy, on the enrolled kiosk, with its outbox
/// ready and empty of ours.
async function openApp(init = {}) {
  const opened = await openPage(browser, { baseURL: proxy.url });
  await keepEnrolment(opened.context, kiosk);
  if (init.localStorage) {
    await opened.context.addInitScript((entries) => {
      for (const [k, v] of Object.entries(entries)) localStorage.setItem(k, v);
    }, init.localStorage);
  }
  await opened.page.goto('/');
  await opened.page.getByTestId('waiting').waitFor();
  return opened;
}

/// The server holds exactly `given` for `device`, the outbox is empty, and the
/// status bar says so.
async function assertExactlyStored(page, device, given) {
  // Records written behind the app's back are counted on its next pass, so
  // wait on IndexedDB itself, then on the status bar catching up.
  await eventually('the outbox to drain', async () => (await outboxCount(page)) === 0 || (await outboxCount(page)));
  await eventually('the status bar to show 0 waiting', async () => (await waiting(page)) === 0);
  const stored = storedIds(device);
  assert.equal(stored.length, given.length, 'one row per response given');
  assert.deepEqual(new Set(stored), new Set(given.map((r) => r.id)), 'the same ids on both sides');
}

test('1,000 responses made offline all arrive exactly once when back online', async () => {
  proxy.set('pass');
  const { context, page } = await openApp();
  await context.setOffline(true);
  const device = `e2e-offline-${randomUUID()}`;
  const given = responses(device, 1000);
  await seedOutbox(page, given);
  assert.equal(await outboxCount(page), 1000);
  await page.getByRole('status').getByText('Offline').waitFor();
  await context.setOffline(false);
  await assertExactlyStored(page, device, given);
  await context.close();
});

test('server down: the error is shown, nothing is lost, all arrive once it is back', async () => {
  proxy.set('down');
  const { context, page } = await openApp();
  const device = `e2e-down-${randomUUID()}`;
  const given = responses(device, 120);
  await seedOutbox(page, given);
  await page.getByTestId('sync-now').click();
  await eventually('an error in the status bar', async () => (await page.getByTestId('last-error').innerText()).trim().length > 0);
  assert.equal(await outboxCount(page), 120, 'every response kept');
  assert.equal(storedIds(device).length, 0);
  proxy.set('pass');
  await page.getByTestId('sync-now').click();
  await assertExactlyStored(page, device, given);
  await context.close();
});

test('500 on some batches: retried until all are stored once', async () => {
  proxy.set('fail-odd', { times: 3 });
  const { context, page } = await openApp();
  const device = `e2e-500-${randomUUID()}`;
  const given = responses(device, 350);
  await seedOutbox(page, given);
  await page.getByTestId('sync-now').click();
  await assertExactlyStored(page, device, given);
  await context.close();
});

test('the reply lost after the commit: the resend is a duplicate, no double rows', async () => {
  proxy.set('drop-reply', { times: 2 });
  const { context, page } = await openApp();
  const device = `e2e-lost-${randomUUID()}`;
  const given = responses(device, 150);
  await seedOutbox(page, given);
  const before = proxy.uploaded.length;
  await page.getByTestId('sync-now').click();
  await assertExactlyStored(page, device, given);
  const sent = proxy.uploaded.slice(before).filter((id) => given.some((r) => r.id === id));
  assert.ok(sent.length > given.length, 'some responses were sent again after a lost reply');
  await context.close();
});

test('replies slower than the client timeout: resent, stored once', async () => {
  proxy.set('slow', { times: 2, slowMs: 3_000 });
  const { context, page } = await openApp({ localStorage: { 'branchpulse.sync.timeout_ms': '1000' } });
  const device = `e2e-slow-${randomUUID()}`;
  const given = responses(device, 150);
  await seedOutbox(page, given);
  await page.getByTestId('sync-now').click();
  await assertExactlyStored(page, device, given);
  await context.close();
});

test('the page reloaded mid-sync: the rest goes after the reload, stored once', async () => {
  proxy.set('slow', { times: 1, slowMs: 2_000 });
  const { context, page } = await openApp();
  const device = `e2e-reload-${randomUUID()}`;
  const given = responses(device, 300);
  await seedOutbox(page, given);
  const batches = proxy.batches;
  await page.getByTestId('sync-now').click();
  await eventually('a batch in flight', async () => proxy.batches > batches);
  await page.reload();
  await page.getByTestId('waiting').waitFor();
  await assertExactlyStored(page, device, given);
  await context.close();
});

test('two tabs syncing at once: one at a time, each response sent once', async () => {
  proxy.set('pass');
  const { context, page } = await openApp();
  const second = await context.newPage();
  await second.goto('/');
  await second.getByTestId('waiting').waitFor();
  const device = `e2e-tabs-${randomUUID()}`;
  const given = responses(device, 500);
  await seedOutbox(page, given);
  const before = proxy.uploaded.length;
  await Promise.all([page.getByTestId('sync-now').click(), second.getByTestId('sync-now').click()]);
  await assertExactlyStored(page, device, given);
  await eventually('the second tab to see an empty outbox', async () => (await waiting(second)) === 0);
  const ids = new Set(given.map((r) => r.id));
  const sent = proxy.uploaded.slice(before).filter((id) => ids.has(id));
  assert.equal(sent.length, given.length, 'no response was uploaded twice');
  await context.close();
});

test('a rejected response is kept aside with the reason and can be exported', async () => {
  proxy.set('pass');
  const { context, page } = await openApp();
  const device = `e2e-rejected-${randomUUID()}`;
  const good = responses(device, 3);
  const bad = kioskResponse(device, 99);
  bad.answers.staff_care = { type: 'rating', value: 9 };
  await seedOutbox(page, [...good, bad]);
  await page.getByTestId('sync-now').click();
  await eventually('the outbox to drain', async () => (await outboxCount(page)) === 0);
  assert.deepEqual(new Set(storedIds(device)), new Set(good.map((r) => r.id)));
  const attention = page.getByTestId('needs-attention');
  await eventually('the needs-attention list', async () => (await attention.innerText()).includes('1'));
  await attention.click();
  await page.getByText('answers.staff_care').first().waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /export/i }).click(),
  ]);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.ok(JSON.stringify(exported).includes(bad.id), 'the export holds the rejected response');
  await context.close();
});

/// The ids of the records in the outbox, read from IndexedDB itself.
async function outboxIds(page) {
  return page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open('branchpulse');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const keys = await new Promise((resolve) => {
      const req = db.transaction('outbox').objectStore('outbox').getAllKeys();
      req.onsuccess = () => resolve(req.result);
    });
    db.close();
    return keys;
  });
}

/// One customer's response on the kiosk, from the first question to "Done".
async function customer(page, nps) {
  await question(page, 'overall');
  await answerRest(page, { nps });
  await page.getByRole('button', { name: 'Done' }).click();
}

test('a response the server always fails on waits in needs attention; the five others arrive', async () => {
  const { context, page } = await openPage(browser, { baseURL: proxy.url });
  // The retry schedule shrunk 20 times (0–50 ms first), as an operator may.
  await context.addInitScript(() => localStorage.setItem('branchpulse.sync.retry_ms', '50'));
  await setUp(page, { branch: BRANCH });
  const device = await deviceId(page);
  // The first customer's response is the poison: kept while the server is
  // unreachable, then every batch that holds it fails with a 500.
  proxy.set('down');
  await customer(page, 0);
  await eventually('the first response in the outbox', async () => (await outboxIds(page)).length === 1);
  const [poison] = await outboxIds(page);
  proxy.set('poison', { poison });
  for (let n = 1; n <= 5; n++) await customer(page, n);

  const patience = { timeout: 180_000 };
  await eventually('the five others stored', async () => storedIds(device).length === 5 || storedIds(device), patience);
  await eventually('the poison set aside', async () => (await outboxCount(page)) === 0 || (await outboxIds(page)), patience);
  assert.ok(!storedIds(device).includes(poison), 'the poison is not stored');
  assert.ok(proxy.uploaded.filter((id) => id === poison).length >= 5, 'the poison was tried again and again');

  // The staff menu says so; the status bar outside kiosk mode lists it with the reason.
  await page.getByRole('button', { name: 'Staff' }).click();
  await page.getByLabel('Enter the PIN').fill(PIN);
  await page.getByRole('button', { name: 'OK' }).click();
  await page.getByRole('heading', { name: 'Staff menu' }).waitFor();
  assert.equal((await page.getByTestId('staff-waiting').innerText()).trim(), '0');
  assert.match(await page.getByTestId('staff-needs-attention').innerText(), /Needs attention: 1/);
  await page.getByRole('button', { name: 'Leave kiosk mode' }).click();
  const attention = page.getByTestId('needs-attention');
  // (textContent: the summary is a flex box, whose innerText breaks lines.)
  const summary = attention.locator('summary');
  await eventually('needs attention (1)', async () => (await summary.textContent()) === 'Needs attention (1)' || (await summary.textContent()));
  assert.equal(await waiting(page), 0);
  await summary.click();
  const item = attention.locator(`li[data-id="${poison}"]`);
  await item.waitFor();
  const reason = await item.innerText();
  assert.match(reason, /the server failed on it alone 5 times: HTTP 500: internal server error/);
  proxy.set('pass');
  await context.close();
});
