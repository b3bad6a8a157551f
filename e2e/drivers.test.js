// Key drivers (issue 19), end to end on the shared e2e server: kiosk
// responses in which the staff's care (empathy) drives overall satisfaction
// and scores lowest, so the dashboard names it "important and weak: fix
// first"; the chart, its table and its texts in English and Spanish, the
// too-few text for a week with fewer than 30 responses, the performance
// mark `dashboard:drivers`, and the answer's figures as the server sent them.
//
// Its data sit in April 2024, apart from every other test's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ADMIN, BASE_URL, launch, openPage } from './lib.js';
import { apiSignIn, postAsDevices, signInPage } from './admin-steps.js';

const RANGE = 'from=2024-04-01&to=2024-04-28&channel=kiosk&branches=N01,N02';
const FEW = 'from=2024-04-01&to=2024-04-07&channel=kiosk&branches=N01';

let browser;
let session;

/// A fixed pseudo-random sequence (a linear congruential generator), so the
/// data are the same on every run.
function sequence(seed) {
  let state = seed;
  return (m) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 16) % m;
  };
}

/// 120 responses over four weeks at N01 and N02: empathy rated 1–4, the other
/// faces 3–5; overall satisfaction is the empathy rating give or take one.
function responses() {
  const next = sequence(2024);
  const out = [];
  for (let k = 0; k < 120; k++) {
    const care = 1 + next(4);
    const others = [3 + next(3), 3 + next(3), 3 + next(3)];
    const overall = Math.min(5, Math.max(1, care + [-1, 0, 0, 1][next(4)]));
    const branch = k % 2 ? 'N02' : 'N01';
    const day = `2024-04-${String(1 + Math.floor(k / 5)).padStart(2, '0')}`;
    const minute = String(k % 60).padStart(2, '0');
    const rating = (value) => ({ type: 'rating', value });
    out.push({
      id: randomUUID(),
      questionnaire_id: 'lobby',
      questionnaire_version: 2,
      branch,
      device_id: `e2e-drivers-${branch}`,
      channel: 'kiosk',
      locale: 'en',
      started_at: `${day}T10:${minute}:00+08:00`,
      submitted_at: `${day}T10:${minute}:30+08:00`,
      answers: {
        overall: rating(overall),
        staff_care: rating(care),
        ease: rating(others[0]),
        fees_worth: rating(others[1]),
        confidence: rating(others[2]),
        recommend: { type: 'nps', value: Math.min(10, 2 * others[1] + next(3) - 1) },
      },
    });
  }
  return out;
}

before(async () => {
  browser = await launch();
  session = await apiSignIn(ADMIN);
  await postAsDevices(session, responses());
});

after(async () => {
  await browser?.close();
});

async function drivers(query) {
  const resp = await fetch(`${BASE_URL}/api/v1/drivers?${query}`, { headers: { cookie: session.cookie } });
  assert.equal(resp.status, 200);
  return resp.json();
}

async function open(path) {
  const opened = await openPage(browser, { baseURL: BASE_URL });
  await signInPage(opened.page, ADMIN, path);
  return opened;
}

test('the dashboard names empathy important and weak, with its interval and data table', async () => {
  const answer = await drivers(RANGE);
  assert.equal(answer.read, 120);
  assert.equal(answer.satisfaction.n, 120);
  const empathy = answer.satisfaction.drivers[0];
  assert.equal(empathy.dimension, 'empathy');
  for (const other of answer.satisfaction.drivers.slice(1)) {
    assert.ok(empathy.share.low > other.share.high, JSON.stringify(answer.satisfaction));
  }

  const { context, page, errors } = await open(`/dashboard?${RANGE}`);
  const fig = page.locator('#drivers-satisfaction');
  await fig.locator('.chart-svg svg').waitFor();
  assert.equal((await fig.locator('h3').textContent()).trim(), 'Key drivers of overall satisfaction');
  const svg = await fig.locator('.chart-svg').innerHTML();
  assert.match(svg, /Important and weak: fix first/);
  const label = await fig.locator('.chart-svg').getAttribute('aria-label');
  assert.match(label, /from 120 responses\. Fix first: Empathy\./);
  // The table: the share of R² as the server computed it, rounded.
  await fig.locator('summary').click();
  const first = await fig.locator('tbody tr').first().locator('th, td').allTextContents();
  assert.equal(first[0], 'Empathy');
  assert.ok(first[1].startsWith(`${Math.round(empathy.share.value)} [`), first[1]);
  assert.equal(first[5], 'Important and weak: fix first');
  assert.equal(await fig.locator('tbody tr').count(), 4);
  // NPS has its own chart.
  await page.locator('#drivers-nps .chart-svg svg').waitFor();
  // The benchmark's mark.
  const marks = await page.evaluate(() => performance.getEntriesByName('dashboard:drivers').length);
  assert.ok(marks >= 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('in Spanish, and a week with too few responses says so', async () => {
  const answer = await drivers(FEW);
  assert.equal(answer.satisfaction.reason, 'too_few');
  const n = answer.satisfaction.n;
  assert.ok(n < 30 && n > 0, `${n}`);

  const { context, page, errors } = await open(`/dashboard?${RANGE}`);
  await page.locator('.language-switch button[lang="es"]').click();
  const fig = page.locator('#drivers-satisfaction');
  await fig.locator('.chart-svg svg').waitFor();
  await page.waitForFunction(() => document.querySelector('#drivers-satisfaction h3')?.textContent.includes('Factores clave'));
  assert.match(await fig.locator('.chart-svg').innerHTML(), /Importante y débil: corregir primero/);

  await page.goto(`/dashboard?${FEW}`);
  const few = page.locator('#drivers-satisfaction .no-data');
  await few.waitFor();
  assert.match(await few.textContent(), new RegExp(`\\(${n}; se necesitan al menos 30\\)`));
  assert.deepEqual(errors, []);
  await context.close();
});
