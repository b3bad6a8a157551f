// A mystery shopper's steps as they take them on the phone, shared by the
// shopper and offline end-to-end tests.
import assert from 'node:assert/strict';
import { asAdmin, deviceToken, keepEnrolment } from './access-steps.js';

export const STAGES = ['arrival', 'waiting', 'service', 'needs', 'closing', 'phone'];

/// `YYYY-MM-DD` of today (UTC) plus `days`.
export function day(days = 0) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/// A visit assigned through the real API, by the admin; to `shopper`, or
/// to no one (every shopper's phone lists it). Its window: any day from
/// today to 30 days on (the due day).
export async function assign(branch, scenario, shopper, window = { from: day(0), to: day(30) }) {
  const body = { branch, scenario, questionnaire_id: 'branch_visit', window };
  if (shopper) body.shopper = shopper;
  const resp = await asAdmin('POST', '/api/v1/visits', body);
  assert.equal(resp.status, 201, await resp.clone().text());
  return resp.json();
}

let phone;
/// Every page of `context` is a shopper's phone enrolled earlier (one
/// shopper for the whole test file).
export async function asShopperPhone(context) {
  phone ??= await deviceToken({ shopper: 'e2e shopper' });
  await keepEnrolment(context, phone);
  return phone;
}

export async function deviceId(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('branchpulse.device_id')));
}

/// The report id of the visit page open now.
export function reportId(page) {
  return new URL(page.url()).pathname.split('/').pop();
}

/// The saved draft of report `id`, as the app keeps it.
export async function savedDraft(page, id) {
  return page.evaluate((id) => JSON.parse(localStorage.getItem(`branchpulse.draft.shop.${id}`)), id);
}

export async function startAdHoc(page, branch, scenario) {
  await page.goto('/shop');
  await page.locator(`select[name="branch"] option[value="${branch}"]`).waitFor({ state: 'attached' });
  await page.selectOption('select[name="branch"]', branch);
  await page.fill('input[name="scenario"]', scenario);
  await page.getByRole('button', { name: 'Start ad-hoc visit' }).click();
  await page.locator('.shop-visit').waitFor();
}

export async function openTab(page, tab) {
  await page.locator(`.shop-stages button[data-tab="${tab}"]`).click();
  await page.locator(tab === 'timing' ? '.shop-timing' : tab === 'review' ? '.shop-review' : `.shop-stage[data-section="${tab}"]`).waitFor();
}

export async function tap(page, mark) {
  await page.locator(`.shop-mark[data-mark="${mark}"] .shop-tap`).click();
  await page.locator(`.shop-mark[data-mark="${mark}"] .shop-tap[aria-pressed="true"]`).waitFor();
}

/// Count a call on the ring counter of `item`: `rings` taps of "Ring", then
/// "Answered" (a number), or `{ rings, answered: false }` for a call nobody
/// answered. Once counted, the counter says so.
export async function countCall(item, want) {
  const { rings, answered } = typeof want === 'number' ? { rings: want, answered: true } : want;
  if (await item.locator('.shop-call button[data-action="reset"]:not([disabled])').count()) {
    await item.locator('.shop-call button[data-action="reset"]').click();
  }
  for (let n = 1; n <= rings; n++) {
    await item.locator('.shop-call button[data-action="ring"]').click();
    await item.locator('.shop-ring-count', { hasText: String(n) }).waitFor();
  }
  await item.locator(`.shop-call button[data-action="${answered ? 'answered' : 'no-answer'}"]`).click();
  await item.locator('.shop-call button[data-action="ring"][disabled]').waitFor();
}

/// Answer every item shown on the open stage: yes, the first option, 10
/// seconds, a call answered after 2 rings; `answers` overrides by item id
/// (`yes`, `no`, `na`, an option id, a ring count or `{ rings, answered }`).
export async function answerStage(page, answers = {}) {
  // Twice: answers may show follow-up items (show_if).
  for (let round = 0; round < 2; round++) {
    for (const item of await page.locator('.shop-stage .shop-item').all()) {
      const id = await item.getAttribute('data-item');
      const want = answers[id];
      if (await item.locator('[data-testid="from-call"]').count()) {
        // Filled from the ring counter: nothing to tap.
      } else if (await item.locator('.shop-call').count()) {
        // A call already counted stays as counted unless told otherwise.
        const counted = await item.locator('.shop-call button[data-action="ring"][disabled]').count();
        if (want !== undefined || !counted) await countCall(item, want ?? 2);
      } else if (await item.locator('.shop-yesno').count()) {
        await item.locator(`.shop-yesno button[data-answer="${want ?? 'yes'}"]`).click();
      } else if (await item.locator('.shop-choices').count()) {
        const button = want ? item.locator(`.shop-choices button[data-answer="${want}"]`) : item.locator('.shop-choices button').first();
        await button.click();
      } else if (await item.locator('.shop-seconds input').count()) {
        await item.locator('.shop-seconds input').fill(String(want ?? 10));
      }
    }
  }
}

export async function answerAll(page, answers = {}) {
  for (const stage of STAGES) {
    await openTab(page, stage);
    await answerStage(page, answers);
  }
}

