// A kiosk's steps as a manager and a customer take them, shared by the
// kiosk, offline, sync and enrolment end-to-end tests.
import assert from 'node:assert/strict';
import { seriousViolations } from './lib.js';
import { kioskOf, KIOSK_PIN } from './access-steps.js';

// Set by the admin when the tests make a kiosk (`newDevice`), not on the tablet.
export const PIN = KIOSK_PIN;
// The lobby questionnaire (questionnaires/kiosk.json, version 2): six items
// one by one, the five ratings then the 0–10, then the optional "more"
// section on one screen.
export const RATINGS = ['overall', 'staff_care', 'ease', 'fees_worth', 'confidence'];
export const ONE_BY_ONE = [...RATINGS, 'recommend'];
export const TOGETHER = 'more';
export const DRAFT_KEY = 'branchpulse.draft.kiosk';

export async function deviceId(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('branchpulse.device_id')));
}

/// The manager's setup, in English, on a tablet enrolled as a kiosk of
/// `branch` (see `kioskOf`), through the setup form (the branch comes with
/// the enrolment). `home`: the language each customer starts in (`null`
/// leaves the form's choice, the first language offered); `offerContact`:
/// the contact offer's switch (left as the form has it when undefined).
export async function setUp(page, { idle = 120, languages = ['zh-CN', 'en', 'es'], home = 'en', branch = 'N02', axe = false, questionnaire = 'lobby', offerContact } = {}) {
  await kioskOf(page, branch);
  await page.locator(`#kiosk-questionnaire option[value="${questionnaire}"]`).waitFor({ state: 'attached' });
  assert.equal(await page.locator('#kiosk-branch').getAttribute('data-branch'), branch, 'the enrolled branch is shown');
  if (axe) assert.deepEqual(await seriousViolations(page), [], 'axe on the setup form');
  await page.selectOption('#kiosk-questionnaire', questionnaire);
  for (const tag of ['zh-CN', 'en', 'es']) {
    await page.locator(`.kiosk-setup input[type="checkbox"][value="${tag}"]`).setChecked(languages.includes(tag));
  }
  if (home) await page.selectOption('#kiosk-home', home);
  await page.fill('#kiosk-idle', String(idle));
  // The offer to contact customers is on unless a test turns it off.
  if (offerContact !== undefined) await page.locator('#kiosk-offer-contact').setChecked(offerContact);
  await page.getByRole('button', { name: 'Start kiosk mode' }).click();
  if (questionnaire === 'lobby') await question(page, 'overall');
  else await page.locator('section.kiosk-question').first().waitFor();
}

/// The screen of one-by-one item `item`.
export function screenOf(page, item) {
  return page.locator(`section.kiosk-question[data-item="${item}"]`);
}

export async function question(page, item) {
  await screenOf(page, item).waitFor();
}

/// The screen of the "more" section.
export function together(page) {
  return page.locator(`section.kiosk-question[data-section="${TOGETHER}"]`);
}

/// Counts every click the test makes as a customer's tap.
export function tapCounter() {
  const counter = {
    n: 0,
    async tap(locator) {
      counter.n += 1;
      await locator.click();
    },
    async type(locator, text) {
      // Typing starts with a tap on the field.
      counter.n += 1;
      await locator.fill(text);
    },
  };
  return counter;
}

/// Answer from one-by-one item `from` (an index into ONE_BY_ONE) to the
/// thank-you screen: a tap per item (each moves on by itself), the optional
/// ones in `more`, then "Send". `ratings[3]` may be 'na' ("does not
/// apply"). Returns the tap counter.
export async function answerRest(page, { from = 0, ratings = [5, 4, 4, 3, 5], nps = 9, more = {}, comment, taps = tapCounter() } = {}) {
  for (let i = from; i < RATINGS.length; i++) {
    const screen = screenOf(page, RATINGS[i]);
    await screen.waitFor();
    await taps.tap(ratings[i] === 'na' ? screen.locator('.kiosk-na') : screen.locator(`.face[data-value="${ratings[i]}"]`));
  }
  if (from < ONE_BY_ONE.length) {
    const screen = screenOf(page, 'recommend');
    await screen.waitFor();
    await taps.tap(screen.locator(`.number-scale button[data-value="${nps}"]`));
  }
  await answerMore(page, { ...more, comment }, taps);
  await taps.tap(together(page).locator('.kiosk-next'));
  await page.locator('.kiosk-thanks').waitFor();
  return taps;
}

/// On the "more" screen: `wait` and `reason` are option ids, `resolved`
/// yes/no/na (by position), `comment` typed.
export async function answerMore(page, { wait, resolved, reason, comment } = {}, taps = tapCounter()) {
  const screen = together(page);
  await screen.waitFor();
  const item = (id) => screen.locator(`.kiosk-item[data-item="${id}"]`);
  const option = (id, n) => item(id).locator('.kiosk-choices button').nth(n);
  const waits = ['under_5', '5_to_10', '10_to_20', 'over_20'];
  const reasons = ['cash', 'account', 'loan', 'advice', 'other'];
  if (wait) await taps.tap(option('wait', waits.indexOf(wait)));
  if (resolved) await taps.tap(option('resolved', ['yes', 'no', 'na'].indexOf(resolved)));
  if (reason) await taps.tap(option('reason', reasons.indexOf(reason)));
  if (comment) await taps.type(item('comment').locator('textarea.kiosk-comment'), comment);
  return taps;
}

/// Nothing of the previous customer: the first question, in `home`, no
/// answer pressed, no text, normal size, no draft stored, the focus on the
/// first question's heading (or nowhere), and none of `secrets` in the page.
export async function assertClean(page, { home = 'en', secrets = [] } = {}) {
  await question(page, 'overall');
  const state = await page.evaluate((key) => {
    const active = document.activeElement;
    return {
      lang: document.documentElement.lang,
      pressed: [...document.querySelectorAll('.kiosk [aria-pressed="true"]')]
        .filter((b) => !b.closest('.kiosk-language-switch'))
        .map((b) => b.outerHTML.slice(0, 80)),
      language: [...document.querySelectorAll('.kiosk-language-switch [aria-pressed="true"]')].map((b) => b.lang),
      large: document.querySelector('.kiosk').classList.contains('kiosk-large'),
      typed: [...document.querySelectorAll('.kiosk textarea, .kiosk input')].map((f) => f.value).filter((v) => v !== ''),
      draft: localStorage.getItem(key),
      savedLocale: localStorage.getItem('branchpulse.locale'),
      focus: active === document.body || active === null ? 'body'
        : active.matches('section.kiosk-question[data-item="overall"] h1') ? 'heading' : active.outerHTML.slice(0, 80),
      html: document.documentElement.outerHTML,
    };
  }, DRAFT_KEY);
  assert.equal(state.lang, home, 'the kiosk\'s language');
  assert.deepEqual(state.language, [home], 'the switch shows the kiosk\'s language');
  assert.deepEqual(state.pressed, [], 'no answer pressed');
  assert.equal(state.large, false, 'normal text');
  assert.deepEqual(state.typed, [], 'nothing in any field');
  assert.equal(state.draft, null, 'no draft stored');
  assert.equal(state.savedLocale, null, 'no customer\'s language remembered');
  assert.ok(['heading', 'body'].includes(state.focus), `focus on the first question or nowhere, not ${state.focus}`);
  for (const s of secrets) assert.ok(!state.html.includes(s), `"${s}" is not in the page`);
}
