// Mystery-shopper mode end to end, on phones (360×740, and 390×844): the
// visit assigned through the real API, the timing taps and the stopwatch
// across a reload, every stage of the questionnaire, the review's scores
// from crates/core (critical failures, N-A), drafts kept apart, and a
// submitted report that turns read-only and is stored once on the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, PHONE, eventually, launch, openPage, queryServer, seriousViolations, storedIds } from './lib.js';
import { answerAll, answerStage, asShopperPhone, assign, countCall, deviceId, openTab, reportId, savedDraft, startAdHoc, tap } from './shop-steps.js';

const TALL_PHONE = { width: 390, height: 844 };

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function overall(page) {
  await openTab(page, 'review');
  return (await page.locator('[data-testid="overall"]').textContent()).trim();
}

/// The stopwatch's reading in seconds ("1:05" → 65).
async function stopwatchSeconds(page) {
  const text = (await page.locator('[data-testid="stopwatch"]').textContent()).trim();
  const parts = text.split(':').map(Number);
  assert.ok(parts.every(Number.isFinite), `stopwatch reads ${text}`);
  return parts.reduce((a, b) => a * 60 + b, 0);
}

test('a full assigned visit with timestamps is submitted, read-only, and stored once', async () => {
  const visit = await assign('N04', 'Ask about a fixed-term deposit');
  const { context, page, errors } = await openPage(browser, { viewport: PHONE });
  await asShopperPhone(context);
  await page.goto('/shop');
  const card = page.locator(`.shop-card[data-visit="${visit.id}"]`);
  await card.waitFor();
  assert.match(await card.textContent(), /Ask about a fixed-term deposit/);
  assert.match(await card.textContent(), new RegExp(visit.due));
  assert.match(await card.textContent(), /To do/);
  assert.deepEqual(await seriousViolations(page), [], 'axe on the visit list');

  await card.getByRole('button', { name: 'Start visit' }).click();
  await page.locator('.shop-timing').waitFor();
  const id = reportId(page);
  await tap(page, 'arrived');
  await tap(page, 'joined');
  await page.waitForTimeout(2200);
  await tap(page, 'served');
  await tap(page, 'left');
  for (const mark of ['arrived', 'joined', 'served', 'left']) {
    assert.match(await page.locator(`[data-testid="time-${mark}"]`).textContent(), /^\d\d:\d\d:\d\d$/);
  }
  const draft = await savedDraft(page, id);
  const waited = Math.round((draft.marks.served - draft.marks.joined) / 1000);
  assert.ok(waited >= 2 && waited <= 4, `waited ${waited} s`);
  // Stopped at served: the stopwatch shows served − joined and stays.
  assert.equal(await stopwatchSeconds(page), Math.floor((draft.marks.served - draft.marks.joined) / 1000));

  await openTab(page, 'waiting');
  assert.equal((await page.locator('[data-testid="wait-value"]').textContent()).trim(), `${waited} seconds`);
  assert.deepEqual(await seriousViolations(page), [], 'axe on a stage of the form');
  // Editable only with a reason.
  await page.getByRole('button', { name: 'Change the waiting time' }).click();
  assert.ok(await page.locator('input[name="wait-seconds"]').isDisabled(), 'no reason yet: the time cannot be typed');
  await page.fill('textarea[name="wait-reason"]', 'Tapped "served" late');
  await page.fill('input[name="wait-seconds"]', '1');
  assert.equal((await page.locator('[data-testid="wait-value"]').textContent()).trim(), '1 seconds');

  await answerAll(page, { hall_cleanliness: 'acceptable' });
  await openTab(page, 'service');
  await page.locator('.shop-item[data-item="name_badge"] summary').click();
  await page.locator('.shop-item[data-item="name_badge"] textarea').fill('Badge was on the desk.');
  await page.locator('.shop-stage-comment textarea').fill('Friendly counter.');

  await openTab(page, 'review');
  assert.equal(await page.locator('[data-testid="missing"]').count(), 0, 'nothing missing');
  assert.match(await page.locator('[data-testid="verdict"]').textContent(), /Passed/);
  const score = Number((await page.locator('[data-testid="overall"]').textContent()).trim());
  assert.ok(score > 90 && score < 100, `overall ${score}: one choice scored 60`);
  assert.equal((await page.locator('[data-testid="stage-scores"] tr[data-section="service"] td').textContent()).trim(), '100');
  assert.deepEqual(await seriousViolations(page), [], 'axe on the review');
  assert.match(await page.locator('[data-testid="visit-status"]').textContent(), /Ready to submit/);

  await page.locator('.shop-submit').click();
  await page.locator('.shop-readonly:not([hidden])').waitFor();
  assert.equal(await page.locator('.shop-submit').count(), 0, 'no second submit');
  await openTab(page, 'arrival');
  assert.ok(await page.locator('.shop-item[data-item="hours_displayed"] button[data-answer="no"]').isDisabled(), 'read-only');
  await page.locator('[data-testid="visit-status"]', { hasText: 'Sent' }).waitFor({ timeout: 60_000 });

  const device = await deviceId(page);
  await eventually('the report on the server', async () => storedIds(device).includes(id));
  // Reload and sync again: still one row, and the report stays readable.
  await page.reload();
  await page.locator('[data-testid="visit-status"]', { hasText: 'Sent' }).waitFor({ timeout: 60_000 });
  assert.ok(await page.locator('.shop-item[data-item="hours_displayed"] button[data-answer="yes"][aria-pressed="true"]').isDisabled());
  const rows = queryServer('SELECT payload FROM responses WHERE id = ?', id);
  assert.equal(rows.length, 1);
  const stored = JSON.parse(rows[0][0]);
  assert.equal(stored.channel, 'mystery_shop');
  assert.equal(stored.assignment, visit.id);
  assert.equal(stored.branch, 'N04');
  assert.deepEqual(stored.answers.wait_seconds, { type: 'seconds', value: 1 });
  assert.equal(stored.visit.wait_override_reason, 'Tapped "served" late');
  for (const t of ['arrived_at', 'queue_joined_at', 'served_at', 'left_at']) assert.ok(stored.visit[t], t);
  assert.equal(stored.comments.name_badge, 'Badge was on the desk.');
  assert.equal(stored.comments.service, 'Friendly counter.');

  await page.goto('/shop');
  await page.locator(`.shop-card[data-visit="${visit.id}"] .status.sent`).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a reload mid-visit resumes the draft with the stopwatch right', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: PHONE });
  await asShopperPhone(context);
  await startAdHoc(page, 'N03', 'Change a card PIN');
  const id = reportId(page);
  await tap(page, 'joined');
  assert.ok(await page.locator('.shop-mark[data-mark="arrived"] .shop-tap').isDisabled(),
    'a moment before one already tapped cannot be tapped out of order');
  await page.locator('.shop-mark[data-mark="joined"] .shop-clear').click();
  await tap(page, 'arrived');
  await tap(page, 'joined');
  await openTab(page, 'arrival');
  await page.locator('.shop-item[data-item="hours_displayed"] button[data-answer="no"]').click();
  await page.waitForTimeout(3000);

  await page.reload();
  await page.locator('.shop-stage[data-section="arrival"]').waitFor();
  assert.equal(await page.locator('.shop-item[data-item="hours_displayed"] button[data-answer="no"]').getAttribute('aria-pressed'), 'true');
  await openTab(page, 'timing');
  const { marks } = await savedDraft(page, id);
  const expected = (Date.now() - marks.joined) / 1000;
  const shown = await stopwatchSeconds(page);
  assert.ok(shown >= 3 && Math.abs(shown - expected) <= 2, `stopwatch ${shown} s, expected about ${expected} s`);
  // Still running from the stored time, not from the reload.
  await page.waitForTimeout(2100);
  const later = await stopwatchSeconds(page);
  assert.ok(later >= shown + 1, `stopwatch moved from ${shown} to ${later}`);

  // A hidden tab (a locked screen) does not stop it either: time is read, not counted.
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await tap(page, 'served');
  const served = (await savedDraft(page, id)).marks;
  assert.equal(await stopwatchSeconds(page), Math.floor((served.served - served.joined) / 1000));
  assert.deepEqual(errors, []);
  await context.close();
});

test('the ring counter counts a call: four rings then answered misses three rings, and "answered" follows the taps', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: PHONE });
  await asShopperPhone(context);
  await startAdHoc(page, 'N05', 'Ask by phone about a loan');
  const id = reportId(page);
  await openTab(page, 'phone');
  const call = page.locator('.shop-item[data-item="phone_rings"]');
  const status = call.locator('[data-testid="call-status"]');
  const button = (action) => call.locator(`.shop-call button[data-action="${action}"]`);
  assert.equal(await status.getAttribute('aria-live'), 'polite');
  assert.match(await status.textContent(), /No ring counted yet/);
  assert.ok(await button('answered').isDisabled(), 'no answer before a ring');
  // Nothing to tap on the item filled from the call: it waits for the counter.
  const answered = page.locator('.shop-item[data-item="phone_answered"]');
  await answered.locator('[data-testid="from-call"]').waitFor();
  assert.ok(await answered.locator('button[data-answer="yes"]').isDisabled());
  assert.ok(await answered.locator('button[data-answer="no"]').isDisabled());

  // Three taps, one undone, then two more: the last by keyboard.
  for (let n = 1; n <= 3; n++) {
    await button('ring').click();
    await status.filter({ hasText: `Rings: ${n}` }).waitFor();
  }
  await call.locator('[data-testid="call-timer"]', { hasText: 's since the first ring' }).waitFor();
  await button('undo').click();
  await status.filter({ hasText: 'Rings: 2' }).waitFor();
  await button('ring').click();
  await button('ring').focus();
  await page.keyboard.press('Enter');
  await status.filter({ hasText: 'Rings: 4' }).waitFor();
  assert.equal((await call.locator('.shop-ring-count').textContent()).trim(), '4');
  // The count in progress is saved with the draft: a reload keeps it.
  await page.waitForTimeout(1100);
  await page.reload();
  await page.locator('.shop-stage[data-section="phone"]').waitFor();
  await status.filter({ hasText: 'Rings: 4' }).waitFor();
  const { rings } = await savedDraft(page, id);
  assert.equal(rings.phone_rings.length, 4);

  await button('answered').click();
  await status.filter({ hasText: /Answered after 4 rings \(\d+ s\)/ }).waitFor();
  assert.ok(await button('ring').isDisabled(), 'a counted call takes no more rings');
  await answered.locator('button[data-answer="yes"][aria-pressed="true"]').waitFor();
  const draft = await savedDraft(page, id);
  assert.equal(draft.answers.phone_rings.type, 'call');
  assert.equal(draft.answers.phone_rings.value.rings, 4);
  assert.equal(draft.answers.phone_rings.value.answered, true);
  assert.ok(draft.answers.phone_rings.value.seconds >= 1, JSON.stringify(draft.answers.phone_rings));
  assert.deepEqual(draft.answers.phone_answered, { type: 'yes_no', value: 'yes' });
  assert.equal(draft.rings, undefined, 'the taps are dropped once the call is counted');
  assert.deepEqual(await seriousViolations(page), [], 'axe on the phone stage');

  // Four rings miss the three-ring promise: the call scores 0 (weight 2),
  // answered 100 (2), greeting 100 (1), resolved 100 (3): 600 / 8 = 75.
  await answerStage(page);
  await openTab(page, 'review');
  const phoneScore = page.locator('[data-testid="stage-scores"] tr[data-section="phone"] td');
  assert.equal((await phoneScore.textContent()).trim(), '75');
  // Counted again within three rings, the stage scores 100.
  await openTab(page, 'phone');
  await countCall(call, 3);
  await status.filter({ hasText: /Answered after 3 rings/ }).waitFor();
  await openTab(page, 'review');
  assert.equal((await phoneScore.textContent()).trim(), '100');
  // Nobody answers: "answered" turns to no, and the follow-ups go.
  await openTab(page, 'phone');
  await countCall(call, { rings: 6, answered: false });
  await status.filter({ hasText: /No answer: hung up after 6 rings/ }).waitFor();
  await answered.locator('button[data-answer="no"][aria-pressed="true"]').waitFor();
  assert.equal(await page.locator('.shop-item[data-item="phone_greeting"]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a critical "no" fails the visit and names the item', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: PHONE });
  await asShopperPhone(context);
  await startAdHoc(page, 'S02', 'Ask for a balance');
  await answerAll(page, { identity_verified: 'no' });
  await openTab(page, 'service');
  await page.locator('.shop-item[data-item="identity_verified"].failed .shop-failed:not([hidden])').waitFor();
  await openTab(page, 'review');
  assert.match(await page.locator('[data-testid="verdict"]').textContent(), /Failed: a critical item was answered “no”/);
  const failure = page.locator('.shop-critical li[data-critical="identity_verified"] a');
  assert.match(await failure.textContent(), /identity/i);
  await failure.click();
  await page.locator('.shop-stage[data-section="service"]').waitFor();
  await eventually('focus on the item', async () =>
    (await page.evaluate(() => document.activeElement?.id)) === 'item-identity_verified');
  assert.deepEqual(errors, []);
  await context.close();
});

test('N-A leaves the score as if unanswered, and missing items link to themselves', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: PHONE });
  await asShopperPhone(context);
  await startAdHoc(page, 'S03', 'Open a savings account');
  await tap(page, 'joined');
  await tap(page, 'served');
  await answerAll(page, { hall_cleanliness: 'acceptable' });
  // Unanswer signage_clear: only possible through storage, as the form has no "clear".
  const id = reportId(page);
  await page.evaluate((id) => {
    const key = `branchpulse.draft.shop.${id}`;
    const d = JSON.parse(localStorage.getItem(key));
    delete d.answers.signage_clear;
    localStorage.setItem(key, JSON.stringify(d));
  }, id);
  await page.reload();
  await page.locator('.shop-visit').waitFor();
  const unanswered = await overall(page);
  const missing = page.locator('[data-testid="missing"] li[data-missing="signage_clear"] a');
  await missing.waitFor();
  assert.match(await page.locator('[data-testid="visit-status"]').textContent(), /Draft/);
  assert.ok(await page.locator('.shop-submit').isDisabled(), 'nothing is submitted with a required item missing');
  await missing.click();
  await eventually('focus on the missing item', async () =>
    (await page.evaluate(() => document.activeElement?.id)) === 'item-signage_clear');
  await page.locator('.shop-item[data-item="signage_clear"] button[data-answer="na"]').click();
  assert.equal(await overall(page), unanswered, 'N-A scores like no answer');
  assert.match(await page.locator('[data-testid="visit-status"]').textContent(), /Ready to submit/);
  await openTab(page, 'arrival');
  await page.locator('.shop-item[data-item="signage_clear"] button[data-answer="no"]').click();
  assert.ok(Number(await overall(page)) < Number(unanswered), '"no" lowers the score');
  assert.deepEqual(errors, []);
  await context.close();
});

test('two drafts are kept apart, and a draft is deleted only after confirmation (390×844, Spanish)', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: TALL_PHONE });
  await asShopperPhone(context);
  await startAdHoc(page, 'N01', 'Scenario A: open an account');
  const a = reportId(page);
  await openTab(page, 'arrival');
  await page.locator('.shop-item[data-item="hours_displayed"] button[data-answer="yes"]').click();
  await startAdHoc(page, 'S01', 'Scenario B: transfer abroad');
  const b = reportId(page);
  assert.notEqual(a, b);
  await openTab(page, 'arrival');
  await page.locator('.shop-item[data-item="hours_displayed"] button[data-answer="no"]').click();

  await page.goto('/shop');
  await page.locator(`.shop-card[data-report="${a}"]`).waitFor();
  assert.match(await page.locator(`.shop-card[data-report="${a}"]`).textContent(), /Scenario A/);
  assert.match(await page.locator(`.shop-card[data-report="${b}"]`).textContent(), /Scenario B/);
  await page.goto(`/shop/visit/${a}`);
  await page.locator('.shop-item[data-item="hours_displayed"] button[data-answer="yes"][aria-pressed="true"]').waitFor();
  await page.goto(`/shop/visit/${b}`);
  await page.locator('.shop-item[data-item="hours_displayed"] button[data-answer="no"][aria-pressed="true"]').waitFor();

  await page.goto('/shop');
  const cardB = page.locator(`.shop-card[data-report="${b}"]`);
  await cardB.getByRole('button', { name: 'Delete' }).click();
  await cardB.getByRole('button', { name: 'Cancel' }).click();
  assert.ok(await savedDraft(page, b), 'kept after Cancel');
  await cardB.getByRole('button', { name: 'Delete' }).click();
  await cardB.getByRole('button', { name: 'Yes, delete' }).click();
  await cardB.waitFor({ state: 'detached' });
  assert.equal(await savedDraft(page, b), null);
  assert.ok(await savedDraft(page, a), 'the other draft is untouched');

  // The same screens in Spanish and Chinese.
  await page.locator('.language-switch button[lang="es"]').click();
  await page.getByRole('heading', { name: 'Cliente misterioso' }).waitFor();
  await page.getByRole('heading', { name: 'Visita no programada' }).waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'axe on the list in Spanish');
  await page.goto(`/shop/visit/${a}`);
  await page.locator('.shop-stages button[data-tab="review"]', { hasText: 'Revisión' }).waitFor();
  await page.locator('.language-switch button[lang="zh-CN"]').click();
  await page.locator('.shop-stages button[data-tab="timing"]', { hasText: '计时' }).waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'axe on the form in Chinese');
  // A dark room: the phone's dark scheme, contrast checked by axe.
  await page.emulateMedia({ colorScheme: 'dark' });
  await openTab(page, 'arrival');
  assert.deepEqual(await seriousViolations(page), [], 'axe on the form in the dark scheme');
  await openTab(page, 'review');
  assert.deepEqual(await seriousViolations(page), [], 'axe on the review in the dark scheme');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the assigned visits stay listed from the device when the server cannot be reached', async () => {
  const visit = await assign('S04', 'Ask about mortgage fees');
  const { context, page, errors } = await openPage(browser, { viewport: PHONE });
  await asShopperPhone(context);
  await page.goto('/shop');
  await page.locator(`.shop-card[data-visit="${visit.id}"]`).waitFor();
  // The server answers 503 from now on, as when it is down behind a proxy.
  await page.route('**/api/v1/visits', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"down"}' }));
  await page.reload();
  await page.locator(`.shop-card[data-visit="${visit.id}"]`).waitFor();
  await page.locator('.shop-note', { hasText: 'Offline: this is the list kept on this phone.' }).waitFor();
  assert.deepEqual(errors.filter((e) => !e.includes('503')), []);
  await context.close();
});

test('a corrupt draft is set aside and the list still works', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: PHONE });
  await asShopperPhone(context);
  await page.goto('/shop');
  // The first start must have read its drafts before the broken one is
  // planted: otherwise it sets it aside itself, and the reload finds none.
  await page.getByRole('heading', { name: 'Ad-hoc visit' }).waitFor();
  await page.evaluate(() => localStorage.setItem('branchpulse.draft.shop.broken', '{"id": 12'));
  await page.reload();
  await page.getByText('A saved report could not be read and was set aside').waitFor();
  await page.getByRole('heading', { name: 'Ad-hoc visit' }).waitFor();
  const kept = await page.evaluate(() => [localStorage.getItem('branchpulse.draft.shop.broken'), localStorage.getItem('branchpulse.draft.shop.broken.corrupt')]);
  assert.deepEqual(kept, [null, '{"id": 12'], 'moved aside, not lost');
  await page.goto('/shop/visit/broken');
  await page.getByText('This visit is not on this phone.').waitFor();
  // The page errors are the console warnings of the move, nothing else.
  assert.deepEqual(errors.filter((e) => !e.includes('could not be read')), []);
  await context.close();
});
