// Kiosk mode end to end: a manager sets the lobby tablet up once, customers
// answer in their language, every response reaches the real server (read
// back from its SQLite file), and nothing of one customer is left for the
// next. Idle timeouts, reloads, the PIN and accessibility on every screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { eventually, launch, openPage, seriousViolations, TABLET_LANDSCAPE, TABLET_PORTRAIT } from './lib.js';
import { answerRest, deviceId, next, PIN, question, RATINGS, setUp } from './kiosk-steps.js';

const DATABASE_PATH = process.env.DATABASE_PATH;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Rows the server stored for `device`: id, locale and answers.
function stored(device) {
  assert.ok(DATABASE_PATH, 'DATABASE_PATH names the server database (set by cargo xtask test)');
  const script =
    'import sqlite3, sys, json\n' +
    "c = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)\n" +
    "rows = c.execute('SELECT id, locale, branch, channel, payload FROM responses WHERE device_id = ? ORDER BY submitted_at', (sys.argv[2],))\n" +
    "print(json.dumps([{'id': r[0], 'locale': r[1], 'branch': r[2], 'channel': r[3], 'answers': json.loads(r[4])['answers']} for r in rows]))";
  return JSON.parse(execFileSync('python3', ['-c', script, DATABASE_PATH, device]).toString());
}


test('a complete response in each language reaches the server', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: TABLET_PORTRAIT });
  await setUp(page, { branch: 'N02' });
  const device = await deviceId(page);
  assert.match(device, /^[0-9a-f-]{36}$/);
  // The navigation is hidden while the kiosk is locked.
  assert.equal(await page.locator('header.topbar').isVisible(), false);
  const expect = [
    { name: '中文', tag: 'zh-CN', next: '下一题', face: '非常满意' },
    { name: 'English', tag: 'en', next: 'Next', face: 'Very satisfied' },
    { name: 'Español', tag: 'es', next: 'Siguiente', face: 'Muy satisfecho' },
  ];
  for (const [n, lang] of expect.entries()) {
    await page.locator('.kiosk-start').waitFor();
    await page.getByRole('button', { name: new RegExp(lang.name) }).click();
    await question(page, 'overall');
    assert.equal(await page.getAttribute('html', 'lang'), lang.tag);
    await page.getByRole('button', { name: lang.next }).waitFor();
    await page.getByRole('button', { name: lang.face }).waitFor();
    await answerRest(page, { ratings: [5, 4, 3, 2, 1 + n], nps: 8 + n, comment: n === 1 ? 'Quick and friendly' : undefined });
    await page.getByRole('button', { name: /Done|完成|Listo/ }).click();
  }
  await eventually('three responses stored', () => stored(device).length === 3 || stored(device));
  const rows = stored(device);
  assert.deepEqual(rows.map((r) => r.locale).sort(), ['en', 'es', 'zh-CN']);
  for (const r of rows) {
    assert.equal(r.branch, 'N02');
    assert.equal(r.channel, 'kiosk');
    assert.deepEqual(r.answers.overall, { type: 'rating', value: 5 });
  }
  assert.deepEqual(rows.find((r) => r.locale === 'en').answers.comment, { type: 'text', value: 'Quick and friendly' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a required item without an answer gets a friendly message', async () => {
  const { context, page } = await openPage(browser, { viewport: TABLET_LANDSCAPE });
  await setUp(page);
  await page.getByRole('button', { name: /English/ }).click();
  await question(page, 'overall');
  await next(page);
  const alert = page.getByRole('alert').filter({ hasText: 'Please choose an answer to continue.' });
  await alert.waitFor();
  await question(page, 'overall');
  await page.locator('.face[data-value="4"]').click();
  assert.equal(await alert.count(), 0, 'the message goes once answered');
  await next(page);
  await question(page, 'staff_care');
  // Back within the questionnaire keeps the answer given.
  await page.getByRole('button', { name: 'Back' }).click();
  await question(page, 'overall');
  assert.equal(await page.locator('.face[data-value="4"]').getAttribute('aria-pressed'), 'true');
  await context.close();
});

test('idle timeout discards the partial answers when set to discard', async () => {
  const { context, page } = await openPage(browser);
  await setUp(page, { idle: 3, keep: false });
  await page.getByRole('button', { name: /English/ }).click();
  await question(page, 'overall');
  await page.locator('.face[data-value="2"]').click();
  await next(page);
  await question(page, 'staff_care');
  const dialog = page.getByRole('alertdialog', { name: 'Are you still there?' });
  await dialog.waitFor({ timeout: 10_000 });
  assert.match(await page.getByTestId('idle-countdown').innerText(), /Starting over in \d+ s/);
  // A modal: the keyboard cannot leave it, and Escape means "continue".
  // (From its last control, Tab goes to the browser's own UI — in headless
  // Chromium, nowhere — and the next Tab comes back; never behind it.)
  const places = [];
  for (const key of ['Tab', 'Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    places.push(await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return 'none';
      return el.closest('.kiosk-idle') ? 'dialog' : el.outerHTML.slice(0, 80);
    }));
  }
  assert.ok(places.every((p) => p === 'dialog' || p === 'none'), `the focus never goes behind the dialog: ${places}`);
  assert.ok(places.includes('dialog'), `Tab comes back to the dialog: ${places}`);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await question(page, 'staff_care');
  // "Continue" keeps the customer where they were.
  await dialog.waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: 'Continue' }).click();
  await question(page, 'staff_care');
  // Then nobody touches it: back to the start, nothing kept.
  await dialog.waitFor({ timeout: 10_000 });
  await page.locator('.kiosk-start').waitFor({ timeout: 15_000 });
  assert.equal(await page.evaluate(() => localStorage.getItem('branchpulse.draft.kiosk')), null);
  await page.getByRole('button', { name: /English/ }).click();
  await question(page, 'overall');
  assert.equal(await page.locator('.face[aria-pressed="true"]').count(), 0);
  await context.close();
});

test('idle timeout keeps the partial answers when set to keep', async () => {
  const { context, page } = await openPage(browser);
  await setUp(page, { idle: 3, keep: true });
  await page.getByRole('button', { name: /English/ }).click();
  await question(page, 'overall');
  await page.locator('.face[data-value="2"]').click();
  await next(page);
  await question(page, 'staff_care');
  await page.locator('.kiosk-start').waitFor({ timeout: 20_000 });
  // The start screen shows nothing of it …
  assert.equal(await page.locator('.face, .kiosk-question').count(), 0);
  // … and the next start resumes it where it stopped.
  await page.getByRole('button', { name: /Español/ }).click();
  await question(page, 'staff_care');
  await page.getByRole('button', { name: 'Atrás' }).click();
  await question(page, 'overall');
  assert.equal(await page.locator('.face[data-value="2"]').getAttribute('aria-pressed'), 'true');
  await context.close();
});

test('a reload in the middle keeps the partial answers when set to keep', async () => {
  const { context, page } = await openPage(browser);
  await setUp(page, { keep: true });
  const device = await deviceId(page);
  await page.getByRole('button', { name: /English/ }).click();
  await question(page, 'overall');
  await page.locator('.face[data-value="1"]').click();
  await next(page);
  await question(page, 'staff_care');
  await page.locator('.face[data-value="3"]').click();
  await page.reload();
  await question(page, 'staff_care');
  assert.equal(await page.locator('.face[data-value="3"]').getAttribute('aria-pressed'), 'true');
  await next(page);
  await answerRest(page, { from: 2 });
  await eventually('the response stored', () => stored(device).length === 1 || stored(device));
  const [row] = stored(device);
  assert.deepEqual(row.answers.overall, { type: 'rating', value: 1 });
  assert.deepEqual(row.answers.staff_care, { type: 'rating', value: 3 });
  await context.close();
});

test('a reload in the middle discards the partial answers when set to discard', async () => {
  const { context, page } = await openPage(browser);
  await setUp(page, { keep: false });
  await page.getByRole('button', { name: /English/ }).click();
  await question(page, 'overall');
  await page.locator('.face[data-value="1"]').click();
  await next(page);
  await question(page, 'staff_care');
  await page.reload();
  await page.locator('.kiosk-start').waitFor();
  await page.getByRole('button', { name: /English/ }).click();
  await question(page, 'overall');
  assert.equal(await page.locator('.face[aria-pressed="true"]').count(), 0);
  await context.close();
});

test('two customers in a row: two responses, nothing of the first left for the second', async () => {
  const { context, page } = await openPage(browser, { viewport: TABLET_PORTRAIT });
  await setUp(page);
  const device = await deviceId(page);
  const secret = 'first customer was here';
  await page.getByRole('button', { name: /English/ }).click();
  await answerRest(page, { ratings: [2, 2, 2, 2, 2], nps: 3, comment: secret });
  // The thank-you screen goes back to the start by itself.
  await page.locator('.kiosk-start').waitFor({ timeout: 15_000 });
  let html = await page.content();
  assert.ok(!html.includes(secret), 'no comment of the first customer in the DOM');
  assert.equal(await page.locator('.kiosk [aria-pressed="true"]').count(), 0);
  await page.getByRole('button', { name: /English/ }).click();
  for (const item of RATINGS) {
    await question(page, item);
    assert.equal(await page.locator('.face[aria-pressed="true"]').count(), 0, `no answer shown on ${item}`);
    await page.locator('.face[data-value="5"]').click();
    await next(page);
  }
  await question(page, 'recommend');
  assert.equal(await page.locator('.number-scale [aria-pressed="true"]').count(), 0);
  await page.locator('.number-scale button[data-value="10"]').click();
  await next(page);
  await question(page, 'comment');
  assert.equal(await page.locator('textarea.kiosk-comment').inputValue(), '');
  html = await page.content();
  assert.ok(!html.includes(secret));
  await next(page);
  await page.locator('.kiosk-thanks').waitFor();
  await eventually('two responses stored', () => stored(device).length === 2 || stored(device));
  const rows = stored(device);
  assert.notEqual(rows[0].id, rows[1].id);
  assert.deepEqual(rows.map((r) => r.answers.recommend.value).sort((a, b) => a - b), [3, 10]);
  assert.equal(rows.filter((r) => r.answers.comment).length, 1);
  await context.close();
});

test('leaving kiosk mode needs the PIN; the setup survives a restart', async () => {
  const { context, page } = await openPage(browser);
  await setUp(page);
  // Another address (or the back button) comes back to the kiosk.
  await page.goto('/dashboard');
  await page.locator('.kiosk-start').waitFor();
  assert.equal(new URL(page.url()).pathname, '/kiosk');
  // A restart: a new page in the same profile finds the kiosk set up.
  const again = await context.newPage();
  await again.goto('/');
  await again.locator('.kiosk-start').waitFor();
  await again.close();
  await page.getByRole('button', { name: 'Staff' }).click();
  await page.getByLabel('Enter the PIN').fill('0000');
  await page.getByRole('button', { name: 'OK' }).click();
  await page.getByRole('alert').filter({ hasText: 'Wrong PIN.' }).waitFor();
  await page.getByLabel('Enter the PIN').fill(PIN);
  await page.getByRole('button', { name: 'OK' }).click();
  await page.getByRole('heading', { name: 'Staff menu' }).waitFor();
  const setup = await page.evaluate(() => localStorage.getItem('branchpulse.kiosk.setup'));
  assert.ok(!setup.includes(`"${PIN}"`), 'the PIN itself is not stored');
  await page.getByRole('button', { name: 'Leave kiosk mode' }).click();
  await page.getByRole('heading', { level: 1, name: 'BranchPulse' }).waitFor();
  assert.ok(await page.locator('header.topbar').isVisible());
  // Changing the setup asks for the PIN too.
  await page.goto('/kiosk');
  await page.getByRole('button', { name: 'Change setup' }).click();
  await page.getByLabel('Enter the PIN').waitFor();
  await context.close();
});

test('every kiosk screen has no serious accessibility violations', async () => {
  for (const viewport of [TABLET_PORTRAIT, TABLET_LANDSCAPE]) {
    const { context, page } = await openPage(browser, { viewport });
    const check = async (what) => assert.deepEqual(await seriousViolations(page), [], `axe on ${what} at ${viewport.width}×${viewport.height}`);
    await setUp(page, { idle: 3, keep: true, axe: true });
    await check('the start screen');
    await page.getByRole('button', { name: /English/ }).click();
    await question(page, 'overall');
    await check('a rating');
    await next(page);
    await page.getByRole('alert').filter({ hasText: 'Please choose' }).waitFor();
    await check('the required-item message');
    // Faces: at least 48 px, far larger in fact.
    const box = await page.locator('.face[data-value="1"]').boundingBox();
    assert.ok(box.width >= 96 && box.height >= 96, `face is ${box.width}×${box.height}`);
    await page.getByRole('alertdialog').waitFor({ timeout: 10_000 });
    await check('the idle countdown');
    await page.getByRole('button', { name: 'Continue' }).click();
    for (const item of RATINGS) {
      await question(page, item);
      await page.locator('.face[data-value="4"]').click();
      await next(page);
    }
    await question(page, 'recommend');
    await check('the 0–10 scale');
    const nps = await page.locator('.number-scale button[data-value="0"]').boundingBox();
    assert.ok(nps.width >= 48 && nps.height >= 48, `NPS button is ${nps.width}×${nps.height}`);
    await page.locator('.number-scale button[data-value="7"]').click();
    await next(page);
    await question(page, 'comment');
    await check('the comment');
    await next(page);
    await page.locator('.kiosk-thanks').waitFor();
    await check('thank you');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Staff' }).click();
    await page.getByLabel('Enter the PIN').waitFor();
    await check('the PIN prompt');
    await page.getByLabel('Enter the PIN').fill(PIN);
    await page.getByRole('button', { name: 'OK' }).click();
    await page.getByRole('heading', { name: 'Staff menu' }).waitFor();
    await check('the staff menu');
    await context.close();
  }
});

test('the kiosk works with the keyboard alone', async () => {
  const { context, page } = await openPage(browser);
  await setUp(page);
  await page.locator('.kiosk-language').first().focus();
  await page.keyboard.press('Tab'); // to English
  await page.keyboard.press('Enter');
  await question(page, 'overall');
  // Focus is on the question; Tab reaches the faces.
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
  for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.value), '5');
  await page.keyboard.press('Space');
  assert.equal(await page.locator('.face[data-value="5"]').getAttribute('aria-pressed'), 'true');
  await context.close();
});
