// Kiosk mode end to end: a manager sets the lobby tablet up once; every
// customer starts on the first question, a tap on a one-item screen moves
// on by itself, the closing optional section is one screen; every response
// reaches the real server (read back from its SQLite file), a customer who
// walks away (idle timeout, reload, power cut) has exactly what they gave
// sent as partial, and nothing of one customer is left for the next.
// Accessibility on every screen, at tablet and phone sizes, in every language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { eventually, launch, openPage, PHONE, seriousViolations, TABLET_LANDSCAPE, TABLET_PORTRAIT } from './lib.js';
import {
  answerMore, answerRest, assertClean, deviceId, DRAFT_KEY, ONE_BY_ONE, PIN, question, RATINGS, screenOf, setUp, tapCounter, together,
} from './kiosk-steps.js';

const DATABASE_PATH = process.env.DATABASE_PATH;
// src/pages/kiosk/question.rs
const CONFIRM_MS = 600;
// src/pages/kiosk/flow.rs: the thank-you screen, longer when it offers to
// contact the customer (on by default).
const THANKS_OFFER_MS = 12_000;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Rows the server stored for `device`: id, locale, partial and answers.
function stored(device) {
  assert.ok(DATABASE_PATH, 'DATABASE_PATH names the server database (set by cargo xtask test)');
  const script =
    'import sqlite3, sys, json\n' +
    "c = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)\n" +
    "rows = c.execute('SELECT id, locale, branch, channel, payload FROM responses WHERE device_id = ? ORDER BY submitted_at', (sys.argv[2],))\n" +
    "print(json.dumps([{'id': r[0], 'locale': r[1], 'branch': r[2], 'channel': r[3], 'partial': json.loads(r[4]).get('partial', False), 'answers': json.loads(r[4])['answers']} for r in rows]))";
  return JSON.parse(execFileSync('python3', ['-c', script, DATABASE_PATH, device]).toString());
}

async function storedCount(device, n) {
  await eventually(`${n} responses stored`, () => stored(device).length === n || stored(device));
  return stored(device);
}

const rating = (value) => ({ type: 'rating', value });

test('a complete response takes 7 taps from the first screen, and reaches the server', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: TABLET_PORTRAIT });
  await setUp(page, { branch: 'N02' });
  const device = await deviceId(page);
  assert.match(device, /^[0-9a-f-]{36}$/);
  // The navigation is hidden while the kiosk is locked; no start screen.
  assert.equal(await page.locator('header.topbar').isVisible(), false);
  assert.equal(await page.getByRole('button', { name: 'Tap to start' }).count(), 0);
  // Each rating speaks its own scale.
  const words = { overall: 'Very satisfied', staff_care: 'Excellent', ease: 'Very easy', fees_worth: 'Completely worth it', confidence: 'Completely confident' };
  const taps = tapCounter();
  for (const [i, item] of RATINGS.entries()) {
    const screen = screenOf(page, item);
    await screen.waitFor();
    assert.equal(await screen.locator('.face[data-value="5"] .face-label').innerText(), words[item]);
    // A required item waiting for its tap offers no way past it.
    assert.equal(await screen.locator('.kiosk-next').isVisible(), false, `no Next on ${item}`);
    await taps.tap(screen.locator(`.face[data-value="${[5, 4, 4, 3, 5][i]}"]`));
  }
  await answerRest(page, { from: RATINGS.length, nps: 9, taps });
  console.log(`kiosk taps to complete: ${taps.n}`);
  assert.ok(taps.n <= 7, `${taps.n} taps`);
  const [row] = await storedCount(device, 1);
  assert.equal(row.branch, 'N02');
  assert.equal(row.channel, 'kiosk');
  assert.equal(row.locale, 'en');
  assert.equal(row.partial, false);
  assert.deepEqual(row.answers, {
    overall: rating(5), staff_care: rating(4), ease: rating(4), fees_worth: rating(3), confidence: rating(5),
    recommend: { type: 'nps', value: 9 },
  });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a tap is marked for a moment, then the next question comes by itself; Back keeps the answer', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: TABLET_LANDSCAPE });
  await context.clock.install();
  await setUp(page);
  // Time stands still: the confirmation stays until the clock moves.
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1000));
  await screenOf(page, 'overall').locator('.face[data-value="4"]').click();
  const marked = page.locator('section.kiosk-question.confirming[data-item="overall"] .face[data-value="4"][aria-pressed="true"]');
  await marked.waitFor();
  await page.clock.runFor(CONFIRM_MS - 50);
  assert.equal(await marked.count(), 1, 'still on the tapped answer before the delay ends');
  await page.clock.runFor(50);
  await question(page, 'staff_care');
  await page.clock.resume();
  // Back: the answer given is there, and Next goes on without a new tap.
  await screenOf(page, 'staff_care').getByRole('button', { name: 'Back' }).click();
  await question(page, 'overall');
  assert.equal(await screenOf(page, 'overall').locator('.face[data-value="4"]').getAttribute('aria-pressed'), 'true');
  await screenOf(page, 'overall').getByRole('button', { name: 'Next' }).click();
  await question(page, 'staff_care');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the kiosk opens in its default language; switching keeps the answers; each language reaches the server', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: TABLET_PORTRAIT });
  // The form's default: the first language offered.
  await setUp(page, { home: null, languages: ['zh-CN', 'en', 'es'] });
  const device = await deviceId(page);
  const expect = [
    { name: '中文', tag: 'zh-CN', face: '非常满意', ease: '非常容易', send: '提交' },
    { name: 'English', tag: 'en', face: 'Very satisfied', ease: 'Very easy', send: 'Send' },
    { name: 'Español', tag: 'es', face: 'Muy satisfecho', ease: 'Muy fácil', send: 'Enviar' },
  ];
  for (const [n, lang] of expect.entries()) {
    await assertClean(page, { home: 'zh-CN' });
    const first = screenOf(page, 'overall');
    await first.getByRole('button', { name: '非常满意' }).waitFor();
    await first.locator('.face[data-value="2"]').click();
    await question(page, 'staff_care');
    // Switch after an answer: the language changes, the answer stays.
    await screenOf(page, 'staff_care').getByRole('button', { name: lang.name }).click();
    assert.equal(await page.getAttribute('html', 'lang'), lang.tag);
    await screenOf(page, 'staff_care').locator('.kiosk-back').click();
    await question(page, 'overall');
    await screenOf(page, 'overall').getByRole('button', { name: lang.face }).waitFor();
    assert.equal(await screenOf(page, 'overall').locator('.face[data-value="2"]').getAttribute('aria-pressed'), 'true');
    await screenOf(page, 'overall').locator('.kiosk-next').click();
    await question(page, 'staff_care');
    await screenOf(page, 'staff_care').locator('.face[data-value="5"]').click();
    await screenOf(page, 'ease').getByRole('button', { name: lang.ease }).waitFor();
    await answerRest(page, { from: 2, nps: 8 + n, comment: n === 1 ? 'Quick and friendly' : undefined });
    await page.locator('.kiosk-thanks button').click();
  }
  await assertClean(page, { home: 'zh-CN', secrets: ['Quick and friendly'] });
  const rows = await storedCount(device, 3);
  assert.deepEqual(rows.map((r) => r.locale).sort(), ['en', 'es', 'zh-CN']);
  for (const r of rows) {
    assert.deepEqual(r.answers.overall, rating(2));
    assert.deepEqual(r.answers.staff_care, rating(5));
    assert.equal(r.partial, false);
  }
  assert.deepEqual(rows.find((r) => r.locale === 'en').answers.comment, { type: 'text', value: 'Quick and friendly' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('"does not apply" and the together screen are recorded; Done leaves nothing for the next customer', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: TABLET_LANDSCAPE });
  await context.clock.install();
  await setUp(page);
  const device = await deviceId(page);
  const secret = 'first customer was here';
  await screenOf(page, 'overall').getByRole('button', { name: 'Larger text' }).click();
  await page.locator('.kiosk.kiosk-large').waitFor();
  await answerRest(page, { ratings: [2, 2, 2, 'na', 2], nps: 3, more: { wait: '10_to_20', resolved: 'no', reason: 'loan' }, comment: secret });
  // The thank-you screen goes by itself.
  await page.clock.fastForward(THANKS_OFFER_MS + 1000);
  await assertClean(page, { secrets: [secret] });
  // The second customer: "Done" on the thank-you screen.
  await answerRest(page, { ratings: [5, 5, 5, 5, 5], nps: 10 });
  await page.getByRole('button', { name: 'Done' }).click();
  await assertClean(page, { secrets: [secret] });
  const rows = await storedCount(device, 2);
  const first = rows.find((r) => r.answers.recommend.value === 3);
  assert.deepEqual(first.answers, {
    overall: rating(2), staff_care: rating(2), ease: rating(2), fees_worth: { type: 'not_applicable' }, confidence: rating(2),
    recommend: { type: 'nps', value: 3 },
    wait: { type: 'choice', value: '10_to_20' }, resolved: { type: 'yes_no', value: 'no' }, reason: { type: 'choice', value: 'loan' },
    comment: { type: 'text', value: secret },
  });
  assert.equal(first.partial, false);
  const second = rows.find((r) => r.answers.recommend.value === 10);
  assert.deepEqual(Object.keys(second.answers).sort(), [...ONE_BY_ONE].sort());
  assert.notEqual(first.id, second.id);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the idle timeout sends what was given as partial and starts the next customer clean', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: TABLET_PORTRAIT });
  await context.clock.install();
  await setUp(page, { idle: 3 });
  const device = await deviceId(page);
  const dialog = page.getByRole('alertdialog');
  const idle = async () => {
    await page.clock.fastForward(3_500);
    await dialog.waitFor();
  };
  // Nobody there: the first question waits without a countdown.
  await page.clock.fastForward(10_000);
  await question(page, 'overall');
  assert.equal(await dialog.count(), 0, 'no countdown for an untouched kiosk');

  // A customer answers two items, turns on larger text, switches to Spanish, and goes.
  await screenOf(page, 'overall').locator('.face[data-value="2"]').click();
  await screenOf(page, 'staff_care').locator('.face[data-value="4"]').click();
  await question(page, 'ease');
  await screenOf(page, 'ease').getByRole('button', { name: 'Larger text' }).click();
  await screenOf(page, 'ease').getByRole('button', { name: 'Español' }).click();
  await idle();
  assert.match(await page.getByTestId('idle-countdown').innerText(), /Se empezará de nuevo en \d+ s/);
  // A modal: the keyboard cannot leave it, and Escape means "continue".
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
  await question(page, 'ease');
  // "Continue" keeps the customer where they were.
  await idle();
  await page.getByRole('button', { name: 'Continuar' }).click();
  await question(page, 'ease');
  assert.notEqual(await page.evaluate((k) => localStorage.getItem(k), DRAFT_KEY), null, 'the draft is kept while they are there');
  // Then nobody touches it: sent, and the next customer starts clean.
  await idle();
  await page.clock.fastForward(3_500);
  await assertClean(page);

  // A customer who only switches the language: counted down, nothing sent.
  await screenOf(page, 'overall').getByRole('button', { name: '中文' }).click();
  await idle();
  await page.clock.fastForward(3_500);
  await assertClean(page);

  // A customer who answers every required item and one optional one, then goes: not partial.
  await answerRestUntilMore(page);
  await answerMore(page, { resolved: 'yes' });
  await idle();
  await page.clock.fastForward(3_500);
  await assertClean(page);

  const rows = await storedCount(device, 2);
  const [walked, whole] = rows;
  assert.equal(walked.partial, true);
  assert.equal(walked.locale, 'es');
  assert.deepEqual(walked.answers, { overall: rating(2), staff_care: rating(4) });
  assert.equal(whole.partial, false);
  assert.deepEqual(Object.keys(whole.answers).sort(), [...ONE_BY_ONE, 'resolved'].sort());
  assert.deepEqual(errors, []);
  await context.close();
});

/// The six one-by-one items, up to the "more" screen.
async function answerRestUntilMore(page) {
  for (const item of RATINGS) await screenOf(page, item).locator('.face[data-value="4"]').click();
  await screenOf(page, 'recommend').locator('.number-scale button[data-value="7"]').click();
  await together(page).waitFor();
}

test('a reload in the middle sends the answers given as partial and starts clean', async () => {
  const { context, page, errors } = await openPage(browser);
  await setUp(page);
  const device = await deviceId(page);
  await screenOf(page, 'overall').locator('.face[data-value="1"]').click();
  await screenOf(page, 'staff_care').locator('.face[data-value="3"]').click();
  await question(page, 'ease');
  await screenOf(page, 'ease').getByRole('button', { name: 'Larger text' }).click();
  await page.reload();
  await assertClean(page);
  const [row] = await storedCount(device, 1);
  assert.equal(row.partial, true);
  assert.deepEqual(row.answers, { overall: rating(1), staff_care: rating(3) });
  // A reload with nothing answered sends nothing.
  await page.reload();
  await assertClean(page);
  assert.equal(stored(device).length, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a power cut in the middle: the next start sends the answers given as partial and starts clean', async () => {
  const { context, page } = await openPage(browser);
  await setUp(page);
  const device = await deviceId(page);
  await answerRestUntilPowerCut(page);
  // No unload handler runs: the page is simply gone.
  await page.close({ runBeforeUnload: false });
  const again = await context.newPage();
  const errors = [];
  again.on('pageerror', (e) => errors.push(e.message));
  await again.goto('/kiosk');
  await assertClean(again);
  const [row] = await storedCount(device, 1);
  assert.equal(row.partial, true);
  assert.deepEqual(row.answers, {
    overall: rating(2), staff_care: rating(2), ease: rating(2), fees_worth: { type: 'not_applicable' },
  });
  assert.deepEqual(errors, []);
  await context.close();
});

async function answerRestUntilPowerCut(page) {
  for (const item of ['overall', 'staff_care', 'ease']) await screenOf(page, item).locator('.face[data-value="2"]').click();
  await screenOf(page, 'fees_worth').getByRole('button', { name: 'Does not apply' }).click();
  await question(page, 'confidence');
}

test('leaving kiosk mode needs the PIN; the setup survives a restart', async () => {
  const { context, page } = await openPage(browser);
  await setUp(page);
  // Another address (or the back button) comes back to the kiosk.
  await page.goto('/dashboard');
  await question(page, 'overall');
  assert.equal(new URL(page.url()).pathname, '/kiosk');
  // A restart: a new page in the same profile finds the kiosk set up.
  const again = await context.newPage();
  await again.goto('/');
  await question(again, 'overall');
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

test('a setup and a draft stored by the previous version still load; the draft is sent as partial', async () => {
  const { context, page } = await openPage(browser);
  await setUp(page, { home: 'es' });
  const device = await deviceId(page);
  const id = await page.evaluate(([key]) => {
    const s = JSON.parse(localStorage.getItem('branchpulse.kiosk.setup'));
    delete s.default_language;
    s.keep_partial = true;
    s.languages = ['en', 'es'];
    localStorage.setItem('branchpulse.kiosk.setup', JSON.stringify(s));
    // A customer parked by the old "keep" setting.
    const id = crypto.randomUUID();
    localStorage.setItem(key, JSON.stringify({
      id, locale: 'es', started_at: Date.now() - 60_000, step: 1, parked: true,
      answers: { overall: { type: 'rating', value: 3 } },
    }));
    return id;
  }, [DRAFT_KEY]);
  await page.reload();
  // No default language stored: the first one offered.
  await assertClean(page, { home: 'en' });
  const [row] = await storedCount(device, 1);
  assert.equal(row.id, id);
  assert.equal(row.partial, true);
  assert.deepEqual(row.answers, { overall: rating(3) });
  await context.close();
});

test('no serious accessibility violations: question and together screens, tablet and phone, every language', async () => {
  for (const viewport of [TABLET_PORTRAIT, TABLET_LANDSCAPE, PHONE]) {
    const { context, page } = await openPage(browser, { viewport });
    const check = async (what) => assert.deepEqual(await seriousViolations(page), [], `axe on ${what} at ${viewport.width}×${viewport.height}`);
    await setUp(page, { axe: viewport === TABLET_PORTRAIT });
    for (const name of ['中文', 'English', 'Español']) {
      await screenOf(page, 'overall').getByRole('button', { name }).click();
      await check(`a rating in ${name}`);
      if (viewport !== PHONE) {
        // Faces: at least 48 px, far larger in fact.
        const box = await screenOf(page, 'overall').locator('.face[data-value="1"]').boundingBox();
        assert.ok(box.width >= 96 && box.height >= 96, `face is ${box.width}×${box.height}`);
      }
      for (const item of RATINGS) await screenOf(page, item).locator('.face[data-value="4"]').click();
      await question(page, 'recommend');
      await check(`the 0–10 scale in ${name}`);
      const nps = await screenOf(page, 'recommend').locator('.number-scale button[data-value="0"]').boundingBox();
      assert.ok(nps.width >= 48 && nps.height >= 48, `NPS button is ${nps.width}×${nps.height}`);
      await screenOf(page, 'recommend').locator('.number-scale button[data-value="7"]').click();
      await together(page).waitFor();
      await check(`the together screen in ${name}`);
      await together(page).getByRole('button', { name: /Larger|Letra|大字/ }).click();
      await check(`the together screen with larger text in ${name}`);
      await together(page).locator('.kiosk-next').click();
      await page.locator('.kiosk-thanks').waitFor();
      await check(`thank you in ${name}`);
      await page.locator('.kiosk-thanks button').click();
      await question(page, 'overall');
    }
    await context.close();
  }
});

test('the idle countdown, the PIN prompt and the staff menu have no serious accessibility violations', async () => {
  const { context, page } = await openPage(browser, { viewport: TABLET_PORTRAIT });
  await context.clock.install();
  await setUp(page, { idle: 3 });
  const check = async (what) => assert.deepEqual(await seriousViolations(page), [], `axe on ${what}`);
  await screenOf(page, 'overall').locator('.face[data-value="4"]').click();
  await question(page, 'staff_care');
  await page.clock.fastForward(3_500);
  await page.getByRole('alertdialog').waitFor();
  await check('the idle countdown');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Staff' }).click();
  await page.getByLabel('Enter the PIN').waitFor();
  await check('the PIN prompt');
  await page.getByLabel('Enter the PIN').fill(PIN);
  await page.getByRole('button', { name: 'OK' }).click();
  await page.getByRole('heading', { name: 'Staff menu' }).waitFor();
  await check('the staff menu');
  await context.close();
});

test('the kiosk works with the keyboard alone', async () => {
  const { context, page } = await openPage(browser);
  await setUp(page);
  // Focus is on the first question; Tab reaches the faces.
  assert.equal(await page.evaluate(() => document.activeElement.closest('[data-item]')?.dataset.item + ' ' + document.activeElement.tagName), 'overall H1');
  for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.value), '5');
  await page.keyboard.press('Space');
  assert.equal(await screenOf(page, 'overall').locator('.face[data-value="5"]').getAttribute('aria-pressed'), 'true');
  // The next question takes the focus.
  await question(page, 'staff_care');
  await page.waitForFunction(() => document.activeElement.matches('section[data-item="staff_care"] h1'));
  await context.close();
});
