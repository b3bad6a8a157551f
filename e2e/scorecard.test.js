// What managers came for (issue 18), end to end on the shared e2e server:
// headline CSAT with its change since the previous period, the
// service-commitment scorecard, waits per branch and by hour × weekday,
// the drill-down from a score to its items and comments, critical failures
// by text, in the reader's language, for an admin and for a branch
// manager (who is never given the mystery-shop questionnaire), and the CSV.
//
// Its data sit in September and October 2025, apart from every other
// test's. Expected figures are worked by hand in the comments (Wilson:
// centre (p + z²/2n)/(1 + z²/n), half-width z·√(p(1−p)/n + z²/4n²)/(1 + z²/n)).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ADMIN, BASE_URL, launch, openPage } from './lib.js';
import { addUser, apiSignIn, postAsDevices, signInPage, unexpected } from './admin-steps.js';

const SHOP = JSON.parse(readFileSync(new URL('../questionnaires/mystery_shop.json', import.meta.url)));
const RANGE = 'from=2025-10-06&to=2025-10-19&branches=N01,N02,S01';
const THREE_RINGS = 'Calls answered within three rings';

let browser;

/// A lobby response at `branch` on `day`: `overall` and `care` as given,
/// every other required face a 4, a 9 to recommend.
function lobby(branch, day, overall, care, comment) {
  const rating = (value) => ({ type: 'rating', value });
  const answers = {
    overall: rating(overall),
    staff_care: rating(care),
    ease: rating(4),
    fees_worth: rating(4),
    confidence: rating(4),
    recommend: { type: 'nps', value: 9 },
  };
  if (comment) answers.comment = { type: 'text', value: comment };
  return {
    id: randomUUID(),
    questionnaire_id: 'lobby',
    questionnaire_version: 2,
    branch,
    device_id: `e2e-scorecard-${branch}`,
    channel: 'kiosk',
    locale: 'en',
    started_at: `${day}T10:00:00+08:00`,
    submitted_at: `${day}T10:01:00+08:00`,
    answers,
  };
}

/// A mystery-shop visit arriving at `arrived` (local time, +08:00): every
/// yes/no a yes, the first option of every choice, `wait` seconds in the
/// queue, the call answered after `rings` rings; `privacy` false fails
/// the critical privacy item.
function visit(branch, arrived, { wait, rings, privacy = true }) {
  const answers = {};
  for (const section of SHOP.sections) {
    for (const item of section.items) {
      if (item.type === 'yes_no') answers[item.id] = { type: 'yes_no', value: 'yes' };
      else if (item.type === 'choice') answers[item.id] = { type: 'choice', value: item.options[0].id };
    }
  }
  answers.wait_seconds = { type: 'seconds', value: wait };
  // Counted on the ring counter: a ring every 5 s or so.
  answers.phone_rings = { type: 'call', value: { rings, answered: true, seconds: rings * 5 } };
  answers.privacy_respected = { type: 'yes_no', value: privacy ? 'yes' : 'no' };
  // Stamped in the branch's own offset, as the shopper's phone does.
  const local = (minutes) => {
    const t = new Date(Date.parse(`${arrived}+08:00`) + (8 * 60 + minutes) * 60_000);
    return `${t.toISOString().slice(0, 19)}+08:00`;
  };
  const at = { toISOString: () => local(0) };
  const later = local;
  return {
    id: randomUUID(),
    questionnaire_id: SHOP.id,
    questionnaire_version: SHOP.version,
    branch,
    device_id: 'e2e-scorecard-shopper',
    channel: 'mystery_shop',
    locale: 'en',
    started_at: at.toISOString(),
    submitted_at: later(60),
    visit: { arrived_at: at.toISOString(), left_at: later(50) },
    answers,
  };
}

function repeat(n, make) {
  return Array.from({ length: n }, (_, k) => make(k));
}

const minute = (k) => String(k % 50).padStart(2, '0');

before(async () => {
  browser = await launch();
  const admin = await apiSignIn(ADMIN, BASE_URL);
  await postAsDevices(admin, [
    // N01 before (2025-09-22 – 10-05): 40 overall 2s, CSAT 0/40.
    ...repeat(40, () => lobby('N01', '2025-09-24', 2, 4)),
    // N01 now: 30 fives and 10 ones (CSAT 30/40); care 5 (20) and 3 (20).
    ...repeat(40, (k) => lobby('N01', '2025-10-08', k < 30 ? 5 : 1, k < 20 ? 5 : 3, k === 0 ? 'The queue was slow today' : undefined)),
    // N02: 40 fours in both periods (CSAT 40/40 then and now).
    ...repeat(40, () => lobby('N02', '2025-09-24', 4, 4)),
    ...repeat(40, () => lobby('N02', '2025-10-08', 4, 4)),
    // N01: 30 visits on Tuesday 2025-10-07 at 09:xx waiting 300 s, and 10
    // on Monday 2025-10-06 at 12:xx waiting 1200 s; 38 calls answered in
    // 10 s, 2 in 30 s.
    ...repeat(30, (k) => visit('N01', `2025-10-07T09:${minute(k)}:00`, { wait: 300, rings: k < 28 ? 2 : 6 })),
    ...repeat(10, (k) => visit('N01', `2025-10-06T12:${minute(k)}:00`, { wait: 1200, rings: 2 })),
    // N02: 30 visits on Wednesday at 10:xx waiting 400 s; 12 calls within
    // three rings, 18 not; privacy failed twice.
    ...repeat(30, (k) => visit('N02', `2025-10-08T10:${minute(k)}:00`, { wait: 400, rings: k < 12 ? 2 : 8, privacy: k >= 2 })),
    // S01: 10 visits, all within: too few to judge.
    ...repeat(10, (k) => visit('S01', `2025-10-09T11:${minute(k)}:00`, { wait: 200, rings: 1 })),
  ]);
});

after(async () => {
  await browser?.close();
});

async function open(user, path) {
  const opened = await openPage(browser, { baseURL: BASE_URL });
  await signInPage(opened.page, user, path);
  await opened.page.locator('.dash-data .chart-svg svg').first().waitFor();
  return opened;
}

/// The row of `table` (a locator) whose heading starts with `label`.
function row(table, label) {
  return table.locator('tbody tr').filter({ has: table.page().locator('th', { hasText: label }) });
}

test('the kiosk headline: CSAT with n and interval, and a change only where the intervals show one', async () => {
  const { context, page, errors } = await open(ADMIN, `/dashboard?${RANGE}`);
  const kiosk = page.locator('#section-kiosk');
  const table = kiosk.locator('#chart-headline');
  // N01: 30/40 = 75 [59.81–85.81]; before 0/40 = 0.0 [0.0–8.76];
  // difference 75, MOVER interval 75 − √(15.19² + 8.76²) = 57.5 to
  // 75 + √(10.81² + 0²) = 85.8: up.
  const n01 = await row(table, 'N01').textContent();
  assert.match(n01, /75 \[60–86\] · n=40/);
  assert.match(n01, /▲ Up \+75 \(95% interval \+57 to \+86\) since 2025-09-22 – 2025-10-05 \(then 0\.0 \[0\.0–8\.8\]\)/);
  // N02: 40/40 both times, 100 [91.24–100]: no clear change.
  assert.match(await row(table, 'N02').textContent(), /No clear change since 2025-09-22 – 2025-10-05/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the scorecard: each commitment per branch with n, interval and standing, the target met only when the interval says so', async () => {
  const { context, page, errors } = await open(ADMIN, `/dashboard?${RANGE}`);
  const card = page.locator('#section-mystery_shop #scorecard');
  const rings = await row(card, THREE_RINGS).textContent();
  // Target 90 %. Network 60/80 = 75 [64.52–83.19]: missed. N01 38/40 =
  // 95 [83.50–98.62]: the interval spans 90, not clear yet. N02 12/30 =
  // 40 [24.59–57.68]: missed. S01 10/10 = 100 [72.25–100], n < 30.
  assert.match(rings, /≥ 90%/);
  assert.match(rings, /75 \[65–83\] · n=80 · missed/);
  assert.match(rings, /95 \[83–99\] · n=40 · not clear yet/);
  assert.match(rings, /40 \[25–58\] · n=30 · missed/);
  assert.match(rings, /100 \[72–100\] · n=10 · too few responses/);
  assert.match(await card.locator('.chart-svg').getAttribute('aria-label'), new RegExp(`N02: ${THREE_RINGS}`));
  // Critical failures by the item's text, never its id.
  const mystery = page.locator('#chart-mystery');
  assert.match(await mystery.textContent(), /Was privacy respected/);
  assert.doesNotMatch(await mystery.textContent(), /privacy_respected/);
  // In Spanish, from the questionnaire's own words.
  await page.locator('.language-switch button[lang="es"]').click();
  await card.getByText('Llamadas contestadas en tres tonos o menos').first().waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('waiting time per branch against the target, and by hour and weekday for one branch', async () => {
  const { context, page, errors } = await open(ADMIN, `/dashboard?${RANGE}`);
  // N01: 30 waits of 300 s and 10 of 1200 s: median 300 s = 5.0 min;
  // p90 (type 7) at rank 0.9·39 = 35.1 → 1200 s = 20 min; within 600 s:
  // 30/40 = 75 [60–86].
  const waits = await row(page.locator('#chart-wait-branches'), 'N01').textContent();
  assert.match(waits, /5\.0 min/);
  assert.match(waits, /20 min/);
  assert.match(waits, /75 \[60–86\]/);
  // One branch chosen: its heat map. Monday 12:00 holds the 10 long waits.
  await page.goto(`/dashboard?from=2025-10-06&to=2025-10-19&branches=N01`);
  const heat = page.locator('#heatmap');
  await heat.locator('.chart-svg svg').waitFor();
  assert.match(await page.locator('#heatmap-title').textContent(), /N01/);
  assert.match(await heat.locator('.chart-svg').getAttribute('aria-label'), /Mon 12:00–13:00 \(20 min, n=10\)/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a dimension score leads to the items behind it, named by their text, and to the latest comments', async () => {
  const { context, page, errors } = await open(ADMIN, `/dashboard?${RANGE}`);
  // The table of the dimension chart is open: its scores are the way in.
  const dims = page.locator('#section-kiosk #chart-dimensions');
  await dims.getByText('Choose a score in the table').waitFor();
  await row(dims, 'N01').locator('a.drill-link').first().click();
  const panel = page.locator('#drill');
  await panel.waitFor();
  assert.match(decodeURIComponent(page.url()), /drill=N01~empathy~kiosk/);
  // Care: 20 fives (100) and 20 threes (50): mean 75, s² = 25000/39,
  // half-width t(0.975, 39)·s/√40 = 2.0227 · 4.0032 = 8.10: [66.9–83.1].
  const care = panel.locator('tr[data-item="staff_care"]');
  assert.match(await care.textContent(), /How well did our staff look after you\?/);
  assert.match(await care.textContent(), /75 \[67–83\]/);
  assert.doesNotMatch(await panel.textContent(), /staff_care/);
  const comments = panel.locator('#drill-comments');
  await comments.getByText('The queue was slow today').waitFor();
  assert.match(await comments.textContent(), /Is there anything we could do better\?/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a branch manager, never given the mystery-shop questionnaire, reads the scorecard and the items by their text', async () => {
  const admin = await apiSignIn(ADMIN, BASE_URL);
  const manager = await addUser(admin, { role: 'manager', branch: 'N02' });
  const { context, page, errors } = await open(manager, '/dashboard?from=2025-10-06&to=2025-10-19');
  const card = page.locator('#section-mystery_shop #scorecard');
  await card.getByText(THREE_RINGS).first().waitFor();
  assert.match(await row(card, THREE_RINGS).textContent(), /40 \[25–58\] · n=30 · missed/);
  assert.match(await page.locator('#chart-mystery').textContent(), /Was privacy respected/);
  // The drill-down into the shop's empathy items.
  await row(page.locator('#chart-shop-dimensions'), 'N02').locator('a.drill-link').first().click();
  const greeted = page.locator('#drill tr[data-item="greeted_on_arrival"]');
  await greeted.waitFor();
  assert.match(await greeted.textContent(), /Did a member of staff greet you within one minute/);
  assert.deepEqual(unexpected(errors, [401, 403]), []);
  await context.close();
});

test('the CSV holds the scorecard, per channel', async () => {
  const admin = await apiSignIn(ADMIN, BASE_URL);
  const resp = await fetch(`${BASE_URL}/api/v1/export/aggregates.csv?${RANGE}`, { headers: { cookie: admin.cookie } });
  assert.equal(resp.status, 200);
  // One row per channel and branch (none mixing the two); the commitment's
  // columns are named by its questionnaire and item, its label in a cell.
  const [head, ...rows] = (await resp.text()).replace(/^\uFEFF/, '').trim().split('\n').map((l) => l.split(','));
  const col = (name) => {
    const i = head.indexOf(name);
    assert.ok(i >= 0, `column ${name} in ${head.join(',')}`);
    return i;
  };
  const prefix = 'commitment_branch_visit_phone_rings';
  const find = (channel, code) => rows.find((r) => r[col('channel')] === channel && r[col('code')] === code);
  const n02 = find('mystery_shop', 'N02');
  assert.equal(n02[col(`${prefix}_label`)], THREE_RINGS);
  assert.equal(n02[col(`${prefix}_n`)], '30');
  assert.equal(n02[col(`${prefix}_standing`)], 'missed');
  assert.equal(Number(n02[col(`${prefix}_rate`)]), 40);
  assert.equal(find('kiosk', 'N02')[col(`${prefix}_n`)], '0', 'the kiosk rows hold no shop answers');
});
