// A kiosk's steps as a manager and a customer take them, shared by the
// kiosk and offline end-to-end tests.
import assert from 'node:assert/strict';
import { seriousViolations } from './lib.js';
import { kioskOf, KIOSK_PIN } from './access-steps.js';

// Set by the admin when the tests make a kiosk (`newDevice`), not on the tablet.
export const PIN = KIOSK_PIN;
// The lobby questionnaire's items, in order (questionnaires/kiosk.json).
export const RATINGS = ['overall', 'staff_care', 'ease', 'worth_it', 'confidence'];

export async function deviceId(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('branchpulse.device_id')));
}

/// The manager's setup, in English, on a tablet enrolled as a kiosk of
/// `branch` (see `kioskOf`), through the setup form (the branch comes with
/// the enrolment).
export async function setUp(page, { idle = 120, keep = false, languages = ['zh-CN', 'en', 'es'], branch = 'N02', axe = false, questionnaire = 'lobby' } = {}) {
  await kioskOf(page, branch);
  await page.locator(`#kiosk-questionnaire option[value="${questionnaire}"]`).waitFor({ state: 'attached' });
  assert.equal(await page.locator('#kiosk-branch').getAttribute('data-branch'), branch, 'the enrolled branch is shown');
  if (axe) assert.deepEqual(await seriousViolations(page), [], 'axe on the setup form');
  await page.selectOption('#kiosk-questionnaire', questionnaire);
  for (const tag of ['zh-CN', 'en', 'es']) {
    await page.locator(`.kiosk-setup input[type="checkbox"][value="${tag}"]`).setChecked(languages.includes(tag));
  }
  await page.fill('#kiosk-idle', String(idle));
  await page.getByLabel(keep ? /Keep the partial answers/ : /Discard the partial answers/).check();
  await page.getByRole('button', { name: 'Start kiosk mode' }).click();
  await page.locator('.kiosk-start').waitFor();
}

export async function question(page, item) {
  await page.locator(`section.kiosk-question[data-item="${item}"]`).waitFor();
}

export async function next(page) {
  await page.locator('.kiosk-next').click();
}

/// Answer from the current item to the end; `comment` optional.
export async function answerRest(page, { from = 0, ratings = [5, 4, 4, 3, 5], nps = 9, comment } = {}) {
  for (let i = from; i < RATINGS.length; i++) {
    await question(page, RATINGS[i]);
    await page.locator(`.face[data-value="${ratings[i]}"]`).click();
    await next(page);
  }
  await question(page, 'recommend');
  await page.locator(`.number-scale button[data-value="${nps}"]`).click();
  await next(page);
  await question(page, 'comment');
  if (comment) await page.locator('textarea.kiosk-comment').fill(comment);
  await next(page);
  await page.locator('.kiosk-thanks').waitFor();
}

