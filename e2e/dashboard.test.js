// The manager dashboard, end to end: figures posted to a real server by
// enrolled devices, the charts drawn in headless Chromium for a signed-in
// reader (a visitor is asked to sign in), the filter in the URL, hostile
// text shown as text, accessibility, and the offline fallbacks.
//
// The test starts a server of its own: it needs a branch whose NAME is
// hostile markup, so it points the server at a copy of questionnaires/ with
// such a branch added to branches.json (the shared e2e server keeps the
// real list). Its data sit in June 2025, apart from the other tests'.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ADMIN, launch, openPage, seriousViolations, seedOutbox, TABLET_PORTRAIT, TABLET_LANDSCAPE } from './lib.js';
import { kiosk, network } from './dashboard-data.js';
import { apiSignIn, postAsDevices, signInPage } from './admin-steps.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>window.__pwned = 1</script> the queue was slow';
const START = '2025-06-02';
const RANGE = 'from=2025-06-02&to=2025-06-29';
// Kiosk customers' and shoppers' figures are never averaged together: the
// "all channels" view has a section for each, side by side.
const KIOSK_CHARTS = ['chart-headline', 'chart-dimensions', 'chart-radar', 'chart-trend'];
const SHOP_CHARTS = ['chart-shop-dimensions', 'chart-mystery', 'chart-wait-branches', 'chart-wait', 'chart-shop-trend'];
const CHARTS = [...KIOSK_CHARTS, ...SHOP_CHARTS];

let browser;
let server;
let base;

/// The server binary built by `cargo xtask e2e` ($SERVER_BIN), on a copy of questionnaires/.
async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'bp-dashboard-'));
  const questionnaires = join(dir, 'questionnaires');
  mkdirSync(questionnaires);
  for (const f of ['kiosk.json', 'mystery_shop.json']) copyFileSync(join('..', 'questionnaires', f), join(questionnaires, f));
  const branches = JSON.parse(readFileSync('../questionnaires/branches.json', 'utf8'));
  branches.push({ code: 'X01', name: HOSTILE, region: 'North', active: true });
  writeFileSync(join(questionnaires, 'branches.json'), JSON.stringify(branches));
  const child = spawn(process.env.SERVER_BIN ?? '../target/release/branchpulse-server', [
    '--addr', '127.0.0.1:0', '--dist', '../dist', '--questionnaires', questionnaires,
    '--database-url', `sqlite://${join(dir, 'dashboard.db')}`,
  ], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BRANCHPULSE_ADMIN_PASSWORD: ADMIN.password } });
  const url = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = line.match(/^BranchPulse listening on (\S+)/);
      if (m) resolve(m[1]);
    });
  });
  return { child, dir, url };
}

before(async () => {
  server = await startServer();
  base = server.url;
  browser = await launch();
  const admin = await apiSignIn(ADMIN, base);
  await postAsDevices(admin, network({
    start: START,
    weeks: 4,
    visits: 40,
    branches: [
      { code: 'N01', level: 5, n: 60, shopped: true },
      { code: 'N02', level: 2, n: 60, shopped: true, partialEvery: 4 },
      { code: 'S01', level: 3, n: 12 },
      { code: 'X01', level: 4, n: 40, comment: SCRIPT, shopped: true },
    ],
  }));
});

after(async () => {
  await browser?.close();
  server?.child.kill();
  if (server) rmSync(server.dir, { recursive: true, force: true });
});

/// A page on our server, signed in as the admin (who reads every branch),
/// that fails the test on any dialog (an injected `alert`) and records
/// page errors; `signIn: false` for a visitor.
async function open(path, { signIn = true, ...options } = {}) {
  const opened = await openPage(browser, { baseURL: base, ...options });
  opened.page.on('dialog', (d) => {
    opened.errors.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  if (signIn) await signInPage(opened.page, ADMIN, path);
  else await opened.page.goto(path);
  return opened;
}

test('a visitor is asked to sign in, and comes back to the same view', async () => {
  const { context, page, errors } = await open(`/dashboard?${RANGE}`, { signIn: false });
  const prompt = page.locator('#dash-sign-in');
  await prompt.getByText('Sign in to see the figures.').waitFor();
  assert.equal(await page.locator('.charts').count(), 0);
  const link = prompt.getByRole('link', { name: 'Sign in' });
  assert.equal(await link.getAttribute('href'), `/login?next=${encodeURIComponent(`/dashboard?${RANGE}`)}`);
  await link.click();
  await page.fill('#login-username', ADMIN.username);
  await page.fill('#login-password', ADMIN.password);
  await page.locator('.login button[type="submit"]').click();
  await chartsFor(page, RANGE);
  assert.equal(new URL(page.url()).search, `?${RANGE}`);
  // Signing out leaves no figures on the device.
  await page.locator('#sign-out').click();
  await page.waitForURL(/\/login$/);
  const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes('/api/v1/aggregates?')));
  assert.deepEqual(kept, []);
  assert.deepEqual(errors, []);
  await context.close();
});

/// Wait until the charts for `query` are on the page (every section is
/// drawn at once).
async function chartsFor(page, query) {
  await page.locator(`.dash-data[data-query="${query}"] .chart-svg svg`).first().waitFor();
}

/// Each chart's SVG and table text.
async function snapshot(page) {
  return page.evaluate((ids) => Object.fromEntries(ids.map((id) => {
    const fig = document.getElementById(id);
    return [id, { svg: fig.querySelector('.chart-svg').innerHTML, table: fig.querySelector('table').textContent }];
  })), CHARTS);
}

test('every chart is drawn with a title, axis texts, a legend, a description and its data; n < 30 is greyed', async () => {
  const { context, page, errors } = await open(`/dashboard?${RANGE}`);
  await chartsFor(page, RANGE);
  for (const id of CHARTS) {
    const fig = page.locator(`#${id}`);
    assert.ok((await fig.locator('h3').textContent()).trim().length > 0, `${id} has a title`);
    const label = await fig.locator('.chart-svg[role="img"]').getAttribute('aria-label');
    assert.ok(label && label.length > 20, `${id} has a text description`);
    assert.ok(await fig.locator('.legend li').count() > 0, `${id} has a legend`);
    assert.ok(await fig.locator('table tbody tr').count() > 0, `${id} has a data table`);
  }
  const dims = page.locator('#chart-dimensions');
  // Axis description, drawn by plotters.
  assert.ok((await dims.locator('svg').textContent()).includes('Score 0–100'));
  // Every figure shows its n; S01 has 12 responses: greyed and said so.
  const s01 = dims.locator('tbody tr', { hasText: 'S01' });
  assert.equal(await s01.getAttribute('class'), 'too-few');
  assert.match(await s01.textContent(), /too few responses/);
  assert.match(await s01.textContent(), /n=12/);
  const s01Label = dims.locator('svg text', { hasText: 'S01' });
  assert.equal((await s01Label.getAttribute('fill')).toLowerCase(), '#6e6e6e');
  const n01Label = dims.locator('svg text', { hasText: 'N01' });
  assert.notEqual((await n01Label.getAttribute('fill')).toLowerCase(), '#6e6e6e');
  // Flags only where the interval excludes the network: N01 (all 4–5) is
  // better and N02 (1–3) worse; the greyed S01 is never flagged.
  assert.match(await dims.locator('tbody tr', { hasText: 'N01' }).textContent(), /better than the network/);
  assert.match(await dims.locator('tbody tr', { hasText: 'N02' }).textContent(), /worse than the network/);
  assert.doesNotMatch(await s01.textContent(), /(better|worse) than the network/);
  // The legend says what a flag means: the false-discovery rate held across
  // every comparison on screen.
  assert.match(await dims.locator('.chart-note').first().textContent(), /false-discovery rate is held at 5% across all \d+ comparisons on screen/);
  // Critical failures are marked on the mystery-shop chart, and named by
  // the item's text, never its id.
  assert.ok(await page.locator('#chart-mystery svg text', { hasText: '✕' }).count() > 0);
  const mystery = page.locator('#chart-mystery');
  assert.match(await mystery.locator('tbody tr', { hasText: 'Network' }).textContent(), /\(.+ × 8\)/);
  assert.doesNotMatch(await mystery.textContent(), /privacy_respected/);
  assert.match(await mystery.locator('.chart-svg').getAttribute('aria-label'), /critical items failed in the network: .+ × 8/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('each channel has its own section, and the kiosk\'s headline figures show n, interval and change', async () => {
  const { context, page, errors } = await open(`/dashboard?${RANGE}`);
  await chartsFor(page, RANGE);
  const kiosk = page.locator('#section-kiosk');
  const shop = page.locator('#section-mystery_shop');
  assert.equal(await kiosk.locator('h2').textContent(), 'Customers at the kiosk');
  assert.equal(await shop.locator('h2').textContent(), 'Mystery shopping');
  for (const id of KIOSK_CHARTS) assert.equal(await kiosk.locator(`#${id}`).count(), 1, id);
  for (const id of SHOP_CHARTS) assert.equal(await shop.locator(`#${id}`).count(), 1, id);
  // Shoppers' environment group on their chart only, with its note.
  assert.ok((await shop.locator('#chart-shop-dimensions thead').textContent()).includes('Environment'));
  assert.ok(!(await kiosk.locator('#chart-dimensions thead').textContent()).includes('Environment'));
  await shop.getByText('observed by mystery shoppers only').waitFor();
  // Hand-computed CSAT (answers 4–5 to the overall question): N01 60 of 60,
  // N02 0 of 60, S01 4 of 12, X01 26 of 40: 90 of 172 = 52.3%, Wilson
  // 95% interval [44.9, 59.7].
  const csat = kiosk.locator('.headline .tile[data-figure="csat"]');
  assert.equal(await csat.locator('.tile-value').textContent(), '52');
  assert.match(await csat.locator('.tile-detail').textContent(), /^\[45–60\] · n=172$/);
  // NPS: 80 promoters, 51 detractors of 157 answers: 18.5.
  assert.equal(await kiosk.locator('.tile[data-figure="nps"] .tile-value').textContent(), '18');
  // The previous four weeks have no responses: no change can be told.
  assert.equal(await csat.locator('.change').getAttribute('data-movement'), 'unknown');
  assert.match(await csat.locator('.change').textContent(), /^Too few responses to tell a change since 2025-05-05 – 2025-06-01/);
  const table = await kiosk.locator('#chart-headline tbody tr', { hasText: 'N01' }).textContent();
  assert.match(table, /100 \[94–100\] · n=60/);
  // Without a first and a last day there is no previous period.
  await page.goto('/dashboard?channel=kiosk');
  await chartsFor(page, 'channel=kiosk');
  assert.equal(await page.locator('#section-mystery_shop').count(), 0);
  await page.locator('.tile[data-figure="csat"] .change', { hasText: 'No change figure: choose a first and a last day' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('the completion rate: walk-aways counted per branch and for the network, with n and interval', async () => {
  const kioskOnly = `${RANGE}&channel=kiosk`;
  const { context, page, errors } = await open(`/dashboard?${kioskOnly}`);
  await chartsFor(page, kioskOnly);
  const dims = page.locator('#chart-dimensions');
  // Hand-computed: N02 answered 45 of its 60 to the end (every 4th left
  // part-way), the network 157 of 172 (60 + 60 + 12 + 40). Wilson 95%
  // intervals: 45/60 → [62.8, 84.2], 157/172 → [86.1, 94.6], 60/60 →
  // [94.0, 100]; shown rounded to whole percents.
  const head = await dims.locator('thead th').allTextContents();
  const col = head.indexOf('Answered to the end (%)');
  assert.ok(col > 0, `a completion column in ${head}`);
  const cellOf = async (label) => (await dims.locator('tbody tr', { hasText: label }).first().locator('td, th').nth(col).textContent()).trim();
  assert.equal(await cellOf('N02'), '75 [63–84] · n=60 · worse than the network');
  assert.match(await cellOf('N01'), /^100 \[94–100\] · n=60 · /);
  assert.match(await cellOf('Network'), /^91 \[86–95\] · n=172/);
  const note = await dims.locator('.chart-note', { hasText: 'Answered to the end' }).textContent();
  assert.match(note, /^Answered to the end: 91% \[86–95\] of n=172 in the network/);
  assert.match(note, /fewer than the network: N02\./);
  // In every language.
  await page.locator('.language-switch button[lang="zh-CN"]').click();
  await dims.locator('.chart-note', { hasText: '答完率：全网 n=172 份答卷中 91% [86–95]' }).waitFor();
  await page.locator('.language-switch button[lang="es"]').click();
  await dims.locator('.chart-note', { hasText: 'Respondidas hasta el final: 91% [86–95] de n=172' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('changing a filter changes every chart and table, and the view lives in the URL', async () => {
  const { context, page, errors } = await open(`/dashboard?${RANGE}`);
  await chartsFor(page, RANGE);
  const before = await snapshot(page);
  await page.fill('#dash-from', '2025-06-16');
  await page.locator('#dash-from').dispatchEvent('change');
  const narrowed = 'from=2025-06-16&to=2025-06-29';
  await chartsFor(page, narrowed);
  assert.match(page.url(), /from=2025-06-16/);
  const after = await snapshot(page);
  for (const id of CHARTS) {
    assert.notEqual(after[id].svg, before[id].svg, `${id} is redrawn`);
    assert.notEqual(after[id].table, before[id].table, `${id}'s table changes`);
  }
  // Export links follow the filter.
  assert.equal(await page.locator('#export-responses').getAttribute('href'), `/api/v1/export/responses.csv?${narrowed}`);
  assert.equal(await page.locator('#export-aggregates').getAttribute('href'), `/api/v1/export/aggregates.csv?${narrowed}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-responses').click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv.split('\n')[0], /response_id/);
  assert.ok(csv.includes('2025-06-2') && !csv.includes('2025-06-02T'), 'only the filtered days');
  // Reloading, or sharing the URL, gives the same view.
  await page.reload();
  await chartsFor(page, narrowed);
  assert.equal(await page.inputValue('#dash-from'), '2025-06-16');
  const reloaded = await snapshot(page);
  for (const id of CHARTS) assert.equal(reloaded[id].table, after[id].table);
  // The branches on the radar and the trend, and the trend's figure.
  await page.locator('.branch-choice summary', { hasText: 'radar' }).click();
  await page.fill('#pick-compare-q', 'northg');
  await page.locator('#pick-compare-list [role="option"]', { hasText: 'N02 Northgate' }).waitFor();
  assert.equal(await page.locator('#pick-compare-list [role="option"]').count(), 1, 'only the match is listed');
  await page.press('#pick-compare-q', 'Enter');
  await page.waitForURL(/compare=N02/);
  await page.locator('#pick-compare .chip[data-code="N02"]').waitFor();
  await page.locator('#chart-radar .legend li', { hasText: 'N02 Northgate' }).waitFor();
  assert.equal(await page.locator('#chart-radar .legend li').count(), 2, 'the network and N02 only');
  assert.equal(await page.locator('#chart-trend .legend li').count(), 2);
  // Compared with peers (the branches of the same format) instead of the
  // network: in the URL, every flag and the legend say so.
  await page.selectOption('#dash-against', 'peers');
  await page.waitForURL(/against=peers/);
  await chartsFor(page, `${narrowed}&against=peers`);
  // Two weeks leave every branch under 30 answers, and a figure too thin
  // to show is never compared: the flags are read over the whole range.
  await page.fill('#dash-from', '2025-06-02');
  await page.locator('#dash-from').dispatchEvent('change');
  await chartsFor(page, `${RANGE}&against=peers`);
  const dims = page.locator('#chart-dimensions');
  assert.match(await dims.locator('tbody tr', { hasText: 'N01' }).textContent(), /(better than|worse than|not distinguishable from) its peers/);
  assert.doesNotMatch(await dims.locator('tbody').textContent(), /than the network/);
  assert.match(await dims.locator('.chart-note').first().textContent(), /differs from its peers, the selected branches of its format together/);
  await page.goBack();
  await chartsFor(page, `${narrowed}&against=peers`);
  await page.goBack();
  await chartsFor(page, narrowed);
  assert.equal(await page.inputValue('#dash-against'), 'network');
  await page.selectOption('#dash-trend', 'trust');
  await page.waitForURL(/trend=trust/);
  await page.locator('#chart-trend h3', { hasText: 'Trust' }).waitFor();
  await page.goBack();
  await page.goBack();
  await chartsFor(page, narrowed);
  // The channel too; back goes to the earlier view.
  await page.selectOption('#dash-channel', 'kiosk');
  await chartsFor(page, `${narrowed}&channel=kiosk`);
  assert.equal(await page.locator('#section-kiosk').count(), 1);
  assert.equal(await page.locator('#section-mystery_shop').count(), 0, 'only the chosen channel');
  assert.equal(await page.locator('#chart-wait').count(), 0);
  await page.goBack();
  await chartsFor(page, narrowed);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a format is a selection, named in the reader\'s language; branches are chosen by searching, by keyboard', async () => {
  const { context, page, errors } = await open(`/dashboard?${RANGE}`);
  await chartsFor(page, RANGE);
  assert.equal(await page.locator('.branch-table').getAttribute('data-total'), '13');
  // The formats by name; choosing one narrows every figure to its branches
  // (N01 and S01 are the flagships), and lives in the URL.
  await page.locator('#dash-format option[value="flagship"]', { hasText: 'Flagship' }).waitFor({ state: 'attached' });
  const drivers = page.waitForResponse((r) => r.url().includes('/api/v1/drivers?') && r.url().includes('format=flagship'));
  await page.selectOption('#dash-format', 'flagship');
  await chartsFor(page, `${RANGE}&format=flagship`);
  assert.equal(await page.locator('.branch-table').getAttribute('data-total'), '2');
  const listed = await page.locator('#section-kiosk #chart-dimensions tbody tr').allTextContents();
  assert.ok(listed.some((r) => r.includes('N01')) && !listed.some((r) => r.includes('N02')), listed.join(' | '));
  // The key drivers follow the peer group.
  assert.equal((await drivers).status(), 200);
  await page.locator('.language-switch button[lang="es"]').click();
  await page.locator('#dash-format option[value="flagship"]', { hasText: 'Sucursal insignia' }).waitFor({ state: 'attached' });
  await page.locator('.language-switch button[lang="en"]').click();
  await page.reload();
  await chartsFor(page, `${RANGE}&format=flagship`);
  assert.equal(await page.inputValue('#dash-format'), 'flagship');
  await page.selectOption('#dash-format', '');
  await chartsFor(page, RANGE);

  // The branch picker: no checkbox per branch; a search lists its matches.
  await page.locator('.branch-choice summary', { hasText: 'All branches' }).click();
  assert.equal(await page.locator('.dash-filters input[type="checkbox"]').count(), 0);
  assert.ok(await page.locator('#pick-branches-list [role="option"]').count() <= 30);
  const search = page.locator('#pick-branches-q');
  await search.fill('south');
  await page.locator('#pick-branches-status', { hasText: '6 of 6 branches listed' }).waitFor();
  // Arrow down to the second match (S02), Enter chooses it.
  await search.press('ArrowDown');
  assert.equal(await search.getAttribute('aria-activedescendant'), 'pick-branches-opt-S02');
  await search.press('Enter');
  await page.waitForURL(/branches=S02/);
  await chartsFor(page, `${RANGE}&branches=S02`);
  await page.locator('#pick-branches .chip[data-code="S02"]').waitFor();
  // Another, by its name; then the first removed by its button, the
  // second by Backspace in the empty search.
  await search.fill('northg');
  await search.press('Enter');
  await page.waitForURL(/branches=S02%2CN02/);
  await page.locator('#pick-branches .chip[data-code="S02"] button').click();
  await page.waitForURL(/branches=N02(&|$)/);
  await search.fill('');
  await search.press('Backspace');
  await chartsFor(page, RANGE);
  assert.equal(await page.locator('#pick-branches .chip').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a hostile branch name and a comment with a script tag show as plain text', async () => {
  const { context, page, errors } = await open(`/dashboard?${RANGE}`);
  await chartsFor(page, RANGE);
  // In the charts (SVG text) and the tables, as the very characters.
  const svgTexts = await page.locator('#chart-dimensions svg text').allTextContents();
  assert.ok(svgTexts.some((t) => t.includes(`X01 ${HOSTILE}`)), JSON.stringify(svgTexts));
  assert.ok((await page.locator('#chart-mystery svg text').allTextContents()).some((t) => t.includes(HOSTILE)));
  const cell = page.locator('#chart-dimensions tbody th', { hasText: 'X01' });
  assert.equal(await cell.textContent(), `X01 ${HOSTILE}`);
  // The filter's branch list too.
  assert.ok((await page.locator('.dash-filters').textContent()).includes(HOSTILE));
  // The comment, whole, as text.
  const comment = page.locator('.comment-text', { hasText: 'the queue was slow' });
  assert.equal(await comment.textContent(), SCRIPT);
  const injected = await page.evaluate(() => ({
    img: document.querySelectorAll('img[src="x"]').length,
    scripts: document.querySelectorAll('main script').length,
    pwned: window.__pwned ?? null,
  }));
  assert.deepEqual(injected, { img: 0, scripts: 0, pwned: null });
  // Search finds it, and only matching comments stay.
  await page.fill('#comment-q', 'QUEUE WAS');
  await page.locator('.comment-search button').click();
  await page.waitForURL(/q=QUEUE/);
  await page.locator('.comment-text').first().waitFor();
  assert.deepEqual(await page.locator('.comment-text').allTextContents(), [SCRIPT]);
  await page.fill('#comment-q', 'no such words');
  await page.locator('.comment-search button').click();
  await page.getByText('No comments match.').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('axe-core finds no serious or critical violations, on a laptop and a tablet, in every language', async () => {
  for (const viewport of [TABLET_LANDSCAPE, TABLET_PORTRAIT]) {
    const { context, page } = await open(`/dashboard?${RANGE}`, { viewport });
    await chartsFor(page, RANGE);
    await page.locator('#chart-dimensions details summary').click();
    for (const lang of ['zh-CN', 'es', 'en']) {
      await page.locator(`.language-switch button[lang="${lang}"]`).click();
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      const violations = await seriousViolations(page);
      assert.deepEqual(violations, [], `${viewport.width}px, ${lang}`);
    }
    // Nothing wider than the screen but the scrollable tables.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling at ${viewport.width}px (${overflow}px)`);
    await context.close();
  }
});

test('offline: the last figures fetched for a filter, else the responses on the device, clearly marked', async () => {
  const { context, page } = await open(`/dashboard?${RANGE}`);
  await chartsFor(page, RANGE);
  assert.equal(await page.locator('.dash-data').getAttribute('data-source'), 'Server');
  await page.selectOption('#dash-channel', 'kiosk');
  await chartsFor(page, `${RANGE}&channel=kiosk`);
  await context.setOffline(true);
  // Back to a view fetched before: the kept copy, marked.
  await page.goBack();
  await chartsFor(page, RANGE);
  assert.equal(await page.locator('.dash-data').getAttribute('data-source'), 'Kept');
  // Said in each channel's section.
  assert.equal(await page.locator('.channel-section[data-source="Kept"] .offline-note', { hasText: 'Offline: these are the figures last fetched' }).count(), 2);
  // A view never fetched: computed from the responses waiting on the device.
  const waiting = Array.from({ length: 35 }, (_, k) => kiosk('N03', '2025-06-20', 4, k));
  await seedOutbox(page, waiting);
  await page.fill('#dash-from', '2025-06-09');
  await page.locator('#dash-from').dispatchEvent('change');
  const query = 'from=2025-06-09&to=2025-06-29';
  await chartsFor(page, query);
  assert.equal(await page.locator('.dash-data').getAttribute('data-source'), 'Device(35)');
  await page.getByText('figures computed from the 35 responses waiting on this device').first().waitFor();
  const n03 = page.locator('#chart-dimensions tbody tr', { hasText: 'N03' });
  assert.match(await n03.textContent(), /n=35/);
  await context.close();
});

test('the device keeps the figures of the eight latest filters (one answer each, both channels in it), not every one ever seen', async () => {
  const { context, page } = await open(`/dashboard?${RANGE}`);
  await chartsFor(page, RANGE);
  for (let day = 10; day <= 29; day += 2) {
    await page.fill('#dash-to', `2025-06-${day}`);
    await page.locator('#dash-to').dispatchEvent('change');
    await chartsFor(page, `from=2025-06-02&to=2025-06-${day}`);
  }
  const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('branchpulse.api:/api/v1/aggregates')));
  assert.equal(kept.length, 8, JSON.stringify(kept));
  assert.ok(kept.some((k) => k.endsWith('to=2025-06-28')), 'the latest is kept');
  assert.ok(!kept.some((k) => k.includes('channel=')), 'one answer holds both channels');
  assert.ok(!kept.some((k) => k.endsWith(RANGE)), 'the oldest is gone');
  await context.close();
});

test('a link with a date far outside the data says which parameter is wrong, and the server keeps serving', async () => {
  // This link once stopped the whole server (an unchecked date computation
  // in a release build that aborted on panic).
  const { context, page, errors } = await open('/dashboard?from=9999-12-31');
  const alert = page.locator('.error[role="alert"]').first();
  await alert.waitFor();
  const said = await alert.textContent();
  assert.match(said, /These filters cannot be used/);
  assert.match(said, /from: 9999-12-31 is outside the dates the dashboard covers/);
  // The same request straight to the API: a 400 naming the parameter.
  const api = await page.evaluate(async () => {
    const r = await fetch('/api/v1/aggregates?from=9999-12-31&to=9999-12-31');
    return { status: r.status, body: await r.json() };
  });
  assert.equal(api.status, 400);
  assert.match(api.body.error, /from: 9999-12-31 is outside the dates/);
  // And the server still answers, with the figures of a real range.
  const health = await page.evaluate(async () => (await fetch('/api/v1/health')).status);
  assert.equal(health, 200);
  await page.goto(`/dashboard?${RANGE}`);
  await chartsFor(page, RANGE);
  // Chromium logs the refused fetch above; nothing else may be in the log.
  assert.deepEqual(errors.filter((e) => !/status of 400/.test(e)), []);
  await context.close();
});
