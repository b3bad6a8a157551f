// The kiosk's app shell (public/kiosk-shell.js, src/pages/kiosk/shell.rs):
// a set-up kiosk keeps a copy of its blank first question; at the next load
// the copy is on screen before the wasm has arrived, a tap on it counts once
// the app has started (and is sent like any answer), a tap on a copy of
// another questionnaire version is dropped, and a malformed or foreign copy
// is removed, never shown. The wasm is held back with `page.route` so that
// the test can see and tap the shell before the app starts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, launch, openPage, queryServer, TABLET_LANDSCAPE } from './lib.js';
import { ENROLMENT_KEY } from './access-steps.js';
import { answerRest, deviceId, DRAFT_KEY, screenOf, setUp } from './kiosk-steps.js';

const SHELL_KEY = 'branchpulse.kiosk.shell';
const SETUP_KEY = 'branchpulse.kiosk.setup';
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// A kiosk set up through its form; everything it keeps in localStorage
/// once the copy of its first question is taken.
async function keptKiosk(branch) {
  const { context, page, errors } = await openPage(browser, { viewport: TABLET_LANDSCAPE });
  await setUp(page, { branch });
  await page.waitForFunction((k) => localStorage.getItem(k) !== null, SHELL_KEY);
  const storage = await page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
  const device = await deviceId(page);
  assert.deepEqual(errors, []);
  await context.close();
  return { storage, device };
}

/// A fresh browser (no service worker, nothing cached) holding `storage`,
/// whose kiosk wasm waits until `release()`.
async function heldKiosk(storage) {
  const { context, page, errors } = await openPage(browser, { viewport: TABLET_LANDSCAPE });
  await context.addInitScript((s) => {
    if (!localStorage.length) for (const [k, v] of Object.entries(s)) localStorage.setItem(k, v);
  }, storage);
  let release;
  const held = new Promise((r) => { release = r; });
  let asked = 0;
  await page.route(/\/kiosk-[0-9a-f]+_bg\.wasm$/, async (route) => {
    asked += 1;
    await held;
    await route.continue();
  });
  // Not waiting for `load`: the wasm it would wait for is held.
  await page.goto('/kiosk', { waitUntil: 'commit' });
  return { context, page, errors, release, asked: () => asked };
}

const appStarted = (page) => page.evaluate(() => document.getElementById('main') !== null);

test('a tap on the shell before the app starts is the first answer, and is sent like any other', async () => {
  const { storage, device } = await keptKiosk('N03');
  const copy = JSON.parse(storage[SHELL_KEY]);
  assert.equal(copy.v, 1);
  assert.match(copy.key, /^lobby\|2\|overall\|en\|/);
  assert.equal(copy.lang, 'en');
  // A blank screen: nothing chosen.
  assert.match(copy.html, /^<section class="kiosk-question" data-item="overall"/);
  assert.doesNotMatch(copy.html, /class="face[^"]*"[^>]*aria-pressed="true"/);
  assert.equal((copy.html.match(/aria-pressed="false"/g) ?? []).length >= 5, true);

  const { context, page, errors, release, asked } = await heldKiosk(storage);
  const face = page.locator('#kiosk-shell section.kiosk-question[data-item="overall"] .face[data-value="2"]');
  await face.waitFor();
  const shellLabel = await face.locator('.face-label').innerText();
  assert.ok(shellLabel.length > 0);
  // The shell is on screen while the wasm is held: the app has not started.
  await eventually('the wasm asked for', () => asked() > 0);
  assert.equal(await appStarted(page), false);
  await face.click();
  assert.equal(await face.getAttribute('aria-pressed'), 'true');
  assert.deepEqual(await page.evaluate(() => window.branchpulseShell.tap), { item: 'overall', value: '2' });
  assert.equal(await appStarted(page), false, 'the tap was on the shell');

  release();
  // The app takes the tap as its own: the next question comes by itself.
  await screenOf(page, 'staff_care').waitFor();
  assert.equal(await page.locator('#kiosk-shell').count(), 0, 'the shell is gone');
  const draft = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), DRAFT_KEY));
  assert.deepEqual(draft.answers, { overall: { type: 'rating', value: 2 } });
  // Back shows the answer chosen in the app.
  await page.locator('section.kiosk-question[data-item="staff_care"] .kiosk-back').click();
  const chosen = screenOf(page, 'overall').locator('.face[data-value="2"]');
  assert.equal(await chosen.getAttribute('aria-pressed'), 'true');
  assert.equal(await chosen.locator('.face-label').innerText(), shellLabel, 'the shell showed the app\'s screen');
  await screenOf(page, 'overall').locator('.kiosk-next').click();
  await answerRest(page, { from: 1, ratings: [2, 4, 4, 3, 5], nps: 7 });
  await eventually('the response on the server', () => queryServer('SELECT COUNT(*) FROM responses WHERE device_id = ?', device)[0][0] === 1);
  const [[payload]] = queryServer('SELECT payload FROM responses WHERE device_id = ?', device);
  const answers = JSON.parse(payload).answers;
  assert.deepEqual(answers.overall, { type: 'rating', value: 2 });
  assert.deepEqual(answers.recommend, { type: 'nps', value: 7 });
  assert.equal(JSON.parse(payload).partial ?? false, false);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a tap on the shell of another questionnaire version is dropped', async () => {
  const { storage } = await keptKiosk('N03');
  // The questionnaire changed since the copy was taken.
  const setup = JSON.parse(storage[SETUP_KEY]);
  const questionnaire = JSON.parse(setup.questionnaire_json);
  assert.equal(questionnaire.version, 2);
  setup.questionnaire_json = JSON.stringify({ ...questionnaire, version: 3 });
  const { context, page, errors, release } = await heldKiosk({ ...storage, [SETUP_KEY]: JSON.stringify(setup) });
  const face = page.locator('#kiosk-shell .face[data-value="4"]');
  await face.click();
  assert.deepEqual(await page.evaluate(() => window.branchpulseShell.tap), { item: 'overall', value: '4' });
  release();
  // The app started on a blank first question: it copies it under the new
  // version's key, which it does only while nothing is chosen.
  await page.waitForFunction((k) => /^lobby\|3\|overall\|/.test(JSON.parse(localStorage.getItem(k) ?? '{}').key ?? ''), SHELL_KEY);
  assert.equal(await page.locator('#kiosk-shell').count(), 0);
  const screen = screenOf(page, 'overall');
  assert.equal(await screen.count(), 1);
  assert.equal(await screen.locator('.face[aria-pressed="true"]').count(), 0);
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), DRAFT_KEY), null);
  assert.equal(await page.evaluate(() => window.branchpulseShell), undefined);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a malformed, foreign or unenrolled copy is removed and never shown', async () => {
  const { storage } = await keptKiosk('N03');
  const good = JSON.parse(storage[SHELL_KEY]);
  const noEnrolment = { ...storage };
  delete noEnrolment[ENROLMENT_KEY];
  const cases = [
    ['not JSON', { ...storage, [SHELL_KEY]: '{"v":1,"key":' }],
    ['another shape', { ...storage, [SHELL_KEY]: JSON.stringify({ key: good.key, screen: good.html }) }],
    ['another version of the copy', { ...storage, [SHELL_KEY]: JSON.stringify({ ...good, v: 2 }) }],
    ['not a question screen', { ...storage, [SHELL_KEY]: JSON.stringify({ ...good, html: '<div class="kiosk-question"><button data-value="1">x</button></div>' }) }],
    ['an event handler', { ...storage, [SHELL_KEY]: JSON.stringify({ ...good, html: good.html.replace('<h1 ', '<h1 onclick="window.hit=1" ') }) }],
    ['an image', { ...storage, [SHELL_KEY]: JSON.stringify({ ...good, html: good.html.replace('</h1>', '<img src="/x.png"></h1>') }) }],
    ['an answer chosen', { ...storage, [SHELL_KEY]: JSON.stringify({ ...good, html: good.html.replace(/(class="face face-3"[^>]*aria-pressed=)"false"/, '$1"true"') }) }],
    ['no enrolment', noEnrolment],
  ];
  for (const [what, kept] of cases) {
    if (what !== 'no enrolment') assert.notEqual(kept[SHELL_KEY], storage[SHELL_KEY], what);
    const { context, page, errors, release, asked } = await heldKiosk(kept);
    // Only the shell's script can remove it while the wasm is held.
    await page.waitForFunction((k) => localStorage.getItem(k) === null, SHELL_KEY);
    await eventually('the wasm asked for', () => asked() > 0);
    assert.equal(await appStarted(page), false, what);
    assert.equal(await page.locator('#kiosk-shell').count(), 0, what);
    assert.equal(await page.locator('.face').count(), 0, what);
    assert.equal(await page.evaluate(() => window.branchpulseShell), undefined, what);
    release();
    if (what === 'no enrolment') {
      await page.getByRole('heading', { level: 1, name: 'Lobby kiosk' }).waitFor();
      assert.equal(await page.evaluate((k) => localStorage.getItem(k), SHELL_KEY), null);
    } else {
      await screenOf(page, 'overall').waitFor();
    }
    assert.deepEqual(errors, [], what);
    await context.close();
  }
});
