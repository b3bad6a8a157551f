// The mystery-shop programme end to end, across three people: a
// coordinator (the admin) plans a weekday-lunchtime visit and changes it;
// the shopper's phone (360×740) sees its window in words, starts it and
// submits the report; a reviewer returns it with a note; the phone,
// offline, shows the returned report with the note, is corrected and
// resubmitted, and syncs when back online; the reviewer approves the
// correction; the dashboard's figures and the CSV export count it once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ADMIN, PHONE, eventually, launch, seriousViolations } from './lib.js';
import { addUser, apiSignIn, open, signInPage } from './admin-steps.js';
import { asAdmin, deviceToken, keepEnrolment } from './access-steps.js';
import { answerAll, day, openTab, reportId, savedDraft, tap } from './shop-steps.js';

const TAG = randomUUID().slice(0, 6);
const BRANCH = 'N03';
const SHOPPER = `e2e programme shopper ${TAG}`;
const SCENARIO = `Lunchtime queue ${TAG}: ask about a transfer`;
const NOTE = `Time the wait again ${TAG}: joined and served are the same minute`;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Errors a page may show on purpose here: the server's refusals the test
/// provokes, and the offline phone's failed requests.
function realErrors(errors) {
  return errors.filter((e) => !/Failed to load resource|net::ERR_INTERNET_DISCONNECTED|status of (401|409|422)/.test(e));
}

async function visitNow(id) {
  const resp = await asAdmin('GET', `/api/v1/visits?branch=${BRANCH}`);
  assert.equal(resp.status, 200);
  return (await resp.json()).find((v) => v.id === id);
}

async function reportNow(id) {
  const resp = await asAdmin('GET', `/api/v1/reports/${id}`);
  assert.equal(resp.status, 200, await resp.clone().text());
  return resp.json();
}

/// Mystery-shop visits of the branch in the dashboard's figures.
async function countedVisits() {
  const resp = await asAdmin('GET', `/api/v1/aggregates?channel=mystery_shop&branches=${BRANCH}`);
  assert.equal(resp.status, 200, await resp.clone().text());
  const body = await resp.json();
  return body.branches.find((b) => b.code === BRANCH)?.figures?.mystery?.visits ?? 0;
}

async function csvRows(id) {
  const resp = await asAdmin('GET', `/api/v1/export/responses.csv?channel=mystery_shop&branches=${BRANCH}`);
  assert.equal(resp.status, 200);
  return (await resp.text()).split('\n').filter((line) => line.startsWith(id)).length;
}

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

test('a visit planned, made, returned, corrected offline, approved and counted once', async () => {
  const counted = await countedVisits();

  // The coordinator plans a weekday visit between 12:00 and 14:00, then
  // changes it to begin at 11:00.
  const admin = await open(browser, null);
  await signInPage(admin.page, ADMIN, '/admin?s=visits');
  const a = admin.page;
  await a.locator(`#visit-branch option[value="${BRANCH}"]`).waitFor({ state: 'attached' });
  await a.locator('#visit-questionnaire_id option[value="branch_visit"]').waitFor({ state: 'attached' });
  await a.selectOption('#visit-branch', BRANCH);
  await a.fill('#visit-scenario', SCENARIO);
  await a.selectOption('#visit-questionnaire_id', 'branch_visit');
  await a.fill('[id="visit-window.from"]', day(0));
  await a.fill('[id="visit-window.to"]', day(30));
  await a.getByRole('button', { name: 'Monday to Friday' }).click();
  await a.selectOption('#visit-hours-from', '12');
  await a.selectOption('#visit-hours-to', '14');
  await a.locator('.window-preview', { hasText: 'Mon–Fri, 12:00–14:00' }).waitFor();
  await a.fill('#visit-shopper', SHOPPER);
  assert.deepEqual(await seriousViolations(a), [], 'axe on the visit form');
  await a.locator('#assign-visit button[type="submit"]').click();
  const row = a.locator('#visit-list tbody tr', { hasText: SCENARIO });
  await row.waitFor();
  assert.match(await row.textContent(), /Mon–Fri, 12:00–14:00/);
  assert.match(await row.textContent(), /Assigned/);
  const id = await row.getAttribute('data-visit');
  let visit = await visitNow(id);
  assert.deepEqual(visit.window, { from: day(0), to: day(30), weekdays: [1, 2, 3, 4, 5], hours: { from: 12, to: 14 } });

  await row.getByRole('button', { name: 'Edit' }).click();
  await a.locator('#visit-form-title', { hasText: 'Change the visit' }).waitFor();
  assert.equal(await a.inputValue('#visit-scenario'), SCENARIO, 'the form is prefilled');
  await a.selectOption('#visit-hours-from', '11');
  await a.getByRole('button', { name: 'Save changes' }).click();
  await a.locator('#visit-list tbody tr', { hasText: 'Mon–Fri, 11:00–14:00' }).waitFor();
  visit = await visitNow(id);
  assert.deepEqual(visit.window.hours, { from: 11, to: 14 });
  assert.equal(visit.status, 'assigned');

  // The shopper's phone lists it with its window in words, starts it and
  // submits the report.
  const phone = await open(browser, null, { viewport: PHONE });
  await keepEnrolment(phone.context, await deviceToken({ shopper: SHOPPER }));
  const p = phone.page;
  await p.goto('/shop');
  const card = p.locator(`.shop-card[data-visit="${id}"]`);
  await card.waitFor();
  assert.match(await card.textContent(), /Mon–Fri, 11:00–14:00/);
  assert.match(await card.textContent(), new RegExp(`Due: ${day(30)}`));
  assert.match(await card.textContent(), /To do/);
  await card.getByRole('button', { name: 'Start visit' }).click();
  await p.locator('.shop-timing').waitFor();
  const first = reportId(p);
  await eventually('the server to hear of the start', async () => (await visitNow(id)).status === 'in_progress' || (await visitNow(id)).status);
  for (const mark of ['arrived', 'joined', 'served', 'left']) await tap(p, mark);
  await answerAll(p);
  await openTab(p, 'review');
  await p.locator('.shop-submit').click();
  await p.locator('.shop-readonly:not([hidden])').waitFor();
  await eventually('the report to reach the server', async () => (await visitNow(id)).status === 'submitted' || (await visitNow(id)).status);
  assert.equal(await countedVisits(), counted, 'a report awaiting review counts nowhere');

  // A reviewer reads it in full and returns it; the note is required.
  const session = await apiSignIn(ADMIN);
  const reviewer = await addUser(session, { role: 'reviewer' });
  const rev = await open(browser, null);
  await signInPage(rev.page, reviewer, '/admin?s=reports');
  const r = rev.page;
  const queued = r.locator(`#report-queue tr[data-report="${first}"]`);
  await queued.waitFor();
  assert.match(await queued.textContent(), new RegExp(SCENARIO));
  await queued.getByRole('link', { name: 'Read' }).click();
  await r.locator('#report-title').waitFor();
  assert.ok(await r.locator('.answers dt').count() > 5, 'every item, by its text');
  // A reviewer reads the items by their words, and the ring counter's count in words.
  const answers = (await r.locator('.answers').allTextContents()).join('\n');
  assert.match(answers, /was the call answered\?/);
  assert.match(answers, /Answered after 2 rings \(\d+ s\)\./);
  assert.match(await r.locator('.timings .wait').textContent(), /^\d+:\d\d$/);
  assert.deepEqual(await seriousViolations(r), [], 'axe on the report page');
  await r.locator('#review-return').click();
  await r.locator('[id="review-note-error"]').waitFor();
  await r.fill('[id="review-note"]', NOTE);
  await r.locator('#review-return').click();
  await r.locator('#report-queue, .empty').first().waitFor();
  await eventually('the report to leave the queue', async () => (await r.locator(`#report-queue tr[data-report="${first}"]`).count()) === 0);
  assert.equal((await reportNow(first)).summary.status, 'returned');

  // The phone learns of it online, keeps it, then goes offline.
  await p.goto('/shop');
  await card.locator('[data-testid="review-note"]', { hasText: NOTE }).waitFor();
  await eventually('the returned report to be kept on the phone', async () =>
    (await p.evaluate((k) => localStorage.getItem(k) !== null, `branchpulse.api:/api/v1/reports/${first}`)) || 'not yet');
  await phone.context.setOffline(true);
  await p.reload();
  await card.waitFor();
  await p.locator('.shop-note', { hasText: 'as of' }).waitFor();
  assert.match(await card.textContent(), /Returned for correction/);
  assert.match(await card.textContent(), new RegExp(NOTE));
  assert.deepEqual(await seriousViolations(p), [], 'axe on the returned visit');
  await card.getByRole('button', { name: 'Correct and resubmit' }).click();
  await p.locator('[data-testid="returned-note"]', { hasText: NOTE }).waitFor();
  const second = reportId(p);
  assert.notEqual(second, first);
  const draft = await savedDraft(p, second);
  assert.equal(draft.revises, first);
  assert.equal(draft.assignment, id);
  const old = (await reportNow(first)).response;
  assert.deepEqual(draft.answers, old.answers, 'the returned answers to start from');
  // The correction: the wait timed again.
  await openTab(p, 'timing');
  await p.locator('.shop-mark[data-mark="left"] .shop-clear').click();
  await p.locator('.shop-mark[data-mark="served"] .shop-clear').click();
  await p.waitForTimeout(1100);
  await tap(p, 'served');
  await tap(p, 'left');
  await openTab(p, 'review');
  await p.locator('.shop-submit').click();
  await p.locator('.shop-readonly:not([hidden])').waitFor();
  assert.deepEqual(await outboxIds(p), [second], 'the correction waits on the phone');

  await phone.context.setOffline(false);
  await eventually('the correction to sync', async () => (await outboxIds(p)).length === 0 || (await outboxIds(p)).length);
  const corrected = await reportNow(second);
  assert.equal(corrected.summary.revises, first);
  assert.equal(corrected.summary.status, 'submitted');
  assert.equal((await visitNow(id)).status, 'submitted');
  assert.equal(await countedVisits(), counted, 'nothing counts before approval');

  // The reviewer sees both versions and what changed, and approves.
  await r.goto('/admin?s=reports');
  const again = r.locator(`#report-queue tr[data-report="${second}"]`);
  await again.waitFor();
  await again.getByRole('link', { name: 'Read' }).click();
  await r.locator('#report-title').waitFor();
  assert.equal(await r.locator('.versions li').count(), 2);
  await r.locator('#review-approve').click();
  await eventually('the approval', async () => (await reportNow(second)).summary.status === 'approved' || 'not yet');
  assert.equal((await visitNow(id)).status, 'approved');

  // Counted once: in the figures and in the CSV, the approved version only.
  assert.equal(await countedVisits(), counted + 1);
  assert.equal(await csvRows(second), 1);
  assert.equal(await csvRows(first), 0);

  // The phone, online again, shows it approved.
  await p.goto('/shop');
  await card.locator('.badge.st-approved').waitFor();

  assert.deepEqual(realErrors(admin.errors), []);
  assert.deepEqual(realErrors(rev.errors), []);
  assert.deepEqual(realErrors(phone.errors), []);
  for (const o of [admin, phone, rev]) await o.context.close();
});
