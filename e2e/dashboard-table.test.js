// The dashboard's branch table at network scale (issue 19), end to end:
// 64 branches posted to a real server by their kiosks, the table searched,
// sorted weakest first by the interval's upper bound, paged, two rows
// ticked — all with the keyboard only — and the charts drawing just those
// two; the state in the URL; axe at 360 px in every language.
//
// Like dashboard.test.js it starts a server of its own, on a copy of
// questionnaires/ whose branches.json lists the 64 branches.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ADMIN, launch, openPage, seriousViolations, PHONE, TABLET_LANDSCAPE } from './lib.js';
import { addDays, kiosk } from './dashboard-data.js';
import { apiSignIn, postAsDevices, signInPage } from './admin-steps.js';

const START = '2025-06-02';
const RANGE = 'from=2025-06-02&to=2025-06-29';
const code = (i) => `T${String(i).padStart(2, '0')}`;
// T07 has a name to search for, T08 one that looks like markup (names are
// whatever an admin typed); odd branches are East, even West.
const MARKUP = '<b>Café "Ñ"</b> & Co\'s <img src=x>';
const BRANCHES = Array.from({ length: 64 }, (_, k) => {
  const i = k + 1;
  const name = i === 7 ? 'Harbour Lights' : i === 8 ? MARKUP : `Branch ${i}`;
  return { code: code(i), name, region: i % 2 ? 'East' : 'West', active: true };
});

/// Kiosk responses: T01–T60 at levels 2–4 with 30–60 responses each;
/// T61 and T62 too few (8); T63 split between the ends of the scale: its
/// empathy mean (46.7) is below the level-3 branches' (50–50.5) but its
/// interval so wide that its upper end (about 62) is above theirs (55–57),
/// so weakest first puts those before it; T64 steady at level 3.
function responses() {
  const list = [];
  const add = (branch, n, level) => {
    for (let k = 0; k < n; k++) list.push(kiosk(branch, addDays(START, (k * 5) % 28), level(k), k));
  };
  for (let i = 1; i <= 60; i++) add(code(i), 30 + (i % 4) * 10, () => 2 + (i % 3));
  add('T61', 8, () => 2);
  add('T62', 8, () => 4);
  add('T63', 30, (k) => (k % 7 < 3 ? 5 : 1));
  add('T64', 60, () => 3);
  return list;
}

let browser;
let server;
let base;

/// The server binary built by `cargo xtask e2e` ($SERVER_BIN), on a copy of questionnaires/.
async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'bp-table-'));
  const questionnaires = join(dir, 'questionnaires');
  mkdirSync(questionnaires);
  for (const f of ['kiosk.json', 'mystery_shop.json']) copyFileSync(join('..', 'questionnaires', f), join(questionnaires, f));
  writeFileSync(join(questionnaires, 'branches.json'), JSON.stringify(BRANCHES));
  const child = spawn(process.env.SERVER_BIN ?? '../target/release/branchpulse-server', [
    '--addr', '127.0.0.1:0', '--dist', '../dist', '--questionnaires', questionnaires,
    '--database-url', `sqlite://${join(dir, 'table.db')}`,
  ], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BRANCHPULSE_ADMIN_PASSWORD: ADMIN.password, BRANCHPULSE_ENROL_PER_MINUTE: '6000' },
  });
  const url = await new Promise((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`the server exited (${c})`)));
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
  await postAsDevices(await apiSignIn(ADMIN, base), responses());
});

after(async () => {
  await browser?.close();
  server?.child.kill();
  if (server) rmSync(server.dir, { recursive: true, force: true });
});

async function open(path, options = {}) {
  const opened = await openPage(browser, { baseURL: base, ...options });
  await signInPage(opened.page, ADMIN, path);
  await opened.page.locator('#branch-table tbody tr').first().waitFor();
  return opened;
}

/// Press Tab (or Shift+Tab) until the focused element matches `selector`.
async function tabTo(page, selector, { back = false } = {}) {
  for (let i = 0; i < 300; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  assert.fail(`Tab never reached ${selector}`);
}

/// The rows on screen: code, and each figure cell's interval and comparison.
function rows(page) {
  return page.evaluate(() => [...document.querySelectorAll('#branch-table tbody tr')].map((tr) => ({
    code: tr.dataset.code,
    checked: tr.querySelector('input[type=checkbox]').checked,
    cells: [...tr.querySelectorAll('td.fig[data-comparison]')].map((td) => ({
      cmp: td.dataset.comparison,
      value: td.dataset.value === undefined ? null : Number(td.dataset.value),
      low: td.dataset.low === undefined ? null : Number(td.dataset.low),
      high: td.dataset.high === undefined ? null : Number(td.dataset.high),
    })),
  })));
}

const status = (page) => page.locator('#branch-status').innerText();
const drawn = (page) => page.locator('#charts-scope').getAttribute('data-drawn');

test('searched, sorted weakest first by the upper bound, paged and two rows ticked, by keyboard; the charts draw just those', async () => {
  const { context, page, errors } = await open(`/dashboard?${RANGE}`, { viewport: TABLET_LANDSCAPE });
  // One page of 25 rows in the DOM, not 64.
  assert.equal(await page.locator('#branch-table tbody tr').count(), 25);
  assert.equal(await status(page), 'Branches 1–25 of 64 · Page 1 of 3');
  // Without a selection the charts draw the table's first 20 rows, and say so.
  const first = (await drawn(page)).split(',');
  assert.deepEqual(first, BRANCHES.slice(0, 20).map((b) => b.code));
  assert.match(await page.locator('#charts-scope').innerText(), /first 20 branches in the table's order/);
  assert.equal(await page.locator('#chart-dimensions tbody tr').count(), 21, 'the network and 20 branches');
  // A name that looks like markup is shown as the admin typed it.
  const t08 = page.locator('#branch-table tbody tr[data-code="T08"]');
  assert.equal(await t08.locator('th').evaluate((th) => th.firstChild.textContent), `T08 ${MARKUP}`);
  assert.equal(await t08.locator('input').getAttribute('aria-label'), `Draw T08 ${MARKUP} on the charts`);
  assert.equal(await page.locator('#branch-table tbody b, #branch-table tbody img').count(), 0);

  // Search by region, then by name.
  await tabTo(page, '#branch-q');
  await page.keyboard.type('east');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#branch-status').textContent.includes('of 32'));
  assert.equal(await status(page), 'Branches 1–25 of 32 · Page 1 of 2');
  assert.ok((await rows(page)).every((r) => Number(r.code.slice(1)) % 2 === 1), 'only East branches');
  assert.equal(new URL(page.url()).searchParams.get('tq'), 'east');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('HARBOUR');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#branch-status').textContent.includes('of 1 '));
  assert.deepEqual((await rows(page)).map((r) => r.code), ['T07']);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#branch-status').textContent.includes('of 64'));

  // Sort by empathy, weakest first: the header says so to a screen reader.
  await tabTo(page, 'button[data-sort="empathy"]');
  await page.keyboard.press('Enter');
  const th = page.locator('th[data-column="empathy"]');
  await page.waitForFunction(() => document.querySelector('th[data-column="empathy"]').getAttribute('aria-sort') === 'ascending');
  assert.equal(await page.locator('th[aria-sort="none"]').count(), 7);
  assert.match(await th.innerText(), /weakest first \(by the upper end of the interval\)/);
  assert.equal(new URL(page.url()).searchParams.get('tsort'), 'empathy.weakest');
  // The focus stays on the header's button.
  assert.equal(await page.evaluate(() => document.activeElement.dataset.sort), 'empathy');

  // Every page in turn, with the "next" button.
  const order = [...(await rows(page))];
  await tabTo(page, '#branch-next');
  for (const p of [2, 3]) {
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelector('#branch-status').textContent.includes(`Page ${n} of 3`), p);
    assert.equal(new URL(page.url()).searchParams.get('tpage'), String(p));
    order.push(...(await rows(page)));
  }
  assert.equal(await status(page), 'Branches 51–64 of 64 · Page 3 of 3');
  assert.equal(order.length, 64);
  assert.equal(new Set(order.map((r) => r.code)).size, 64);
  // Branches with enough responses by the upper bound (then the lower),
  // the two with too few last.
  const empathy = order.map((r) => ({ code: r.code, ...r.cells[0] }));
  const ranked = empathy.filter((c) => c.cmp !== 'too-few');
  assert.deepEqual(empathy.slice(ranked.length).map((c) => c.code).sort(), ['T61', 'T62']);
  for (let i = 1; i < ranked.length; i++) {
    const [a, b] = [ranked[i - 1], ranked[i]];
    assert.ok(a.high < b.high || (a.high === b.high && a.low <= b.low), `${a.code} before ${b.code}`);
  }
  // Not the point estimate: the wide T63 has a lower mean than branches
  // ranked weaker than it by their upper bound.
  const t63 = ranked.findIndex((c) => c.code === 'T63');
  assert.ok(ranked.slice(0, t63).some((c) => c.value > ranked[t63].value), 'some branch before T63 has a higher mean');

  // Back to page 1 with "previous"; tick its last two rows: Shift+Tab
  // from "next" reaches the last row's box ("previous", now disabled, is
  // skipped), the up arrow the one above.
  await tabTo(page, '#branch-prev', { back: true });
  for (const p of [2, 1]) {
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelector('#branch-status').textContent.includes(`Page ${n} of 3`), p);
  }
  assert.equal(new URL(page.url()).searchParams.get('tpage'), null, 'page 1 is the default');
  await tabTo(page, '#branch-next');
  await page.keyboard.press('Shift+Tab');
  const onPage = await rows(page);
  const [a, b] = [onPage[23].code, onPage[24].code];
  assert.equal(await page.evaluate(() => document.activeElement.value), b);
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.evaluate(() => document.activeElement.value), a);
  await page.keyboard.press('Space');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('sel')?.split(',').length === 2);
  assert.deepEqual(new URL(page.url()).searchParams.get('sel').split(',').sort(), [a, b].sort());
  assert.deepEqual((await rows(page)).filter((r) => r.checked).map((r) => r.code), [a, b]);

  // The charts draw just those two, in the table's order, and say so.
  await page.waitForFunction(() => document.querySelector('#charts-scope').dataset.drawn.split(',').length === 2);
  assert.equal(await drawn(page), `${a},${b}`);
  assert.match(await page.locator('#charts-scope').innerText(), /show the 2 selected branches/);
  const charted = await page.locator('#chart-dimensions tbody th').allInnerTexts();
  assert.equal(charted.length, 3, 'the network and the two branches');
  assert.ok(charted[1].startsWith(a) || charted[1].startsWith(b));
  assert.ok(charted.slice(1).some((t) => t.startsWith(a)) && charted.slice(1).some((t) => t.startsWith(b)));
  const bars = await page.locator('#chart-dimensions .chart-svg').getAttribute('aria-label');
  assert.match(bars, /for 2 branches/);
  assert.deepEqual(errors, []);

  // The whole state is in the address: reopened, the table is as it was.
  const url = page.url();
  await context.close();
  const again = await open(url.slice(base.length));
  assert.equal(await again.page.locator('th[data-column="empathy"]').getAttribute('aria-sort'), 'ascending');
  assert.deepEqual((await rows(again.page)).filter((r) => r.checked).map((r) => r.code), [a, b]);
  assert.equal(await drawn(again.page), `${a},${b}`);
  // Clearing the selection goes back to the first 20 rows.
  await again.page.locator('#branch-clear').click();
  await again.page.waitForFunction(() => document.querySelector('#charts-scope').dataset.drawn.split(',').length === 20);
  assert.deepEqual(again.errors, []);
  await again.context.close();
});

test('at 360 px the table scrolls in a focusable, named region; axe finds nothing serious in any language', async () => {
  const { context, page, errors } = await open(`/dashboard?${RANGE}&tsort=nps.strongest&sel=T01,T02`, { viewport: PHONE });
  const region = page.locator('.branch-table .table-scroll');
  assert.equal(await region.getAttribute('tabindex'), '0');
  assert.equal(await region.getAttribute('role'), 'region');
  assert.ok(await page.evaluate(() => {
    const r = document.querySelector('.branch-table .table-scroll');
    return r.scrollWidth > r.clientWidth;
  }), 'the table scrolls inside its region');
  for (const lang of ['zh-CN', 'es', 'en']) {
    await page.locator(`.language-switch button[lang="${lang}"]`).click();
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
    assert.equal(await page.locator('th[data-column="nps"]').getAttribute('aria-sort'), 'descending');
    const violations = await seriousViolations(page);
    assert.deepEqual(violations, [], `360px, ${lang}`);
  }
  assert.match(await page.locator('#branch-table-title').innerText(), /Branches/);
  await page.locator('.language-switch button[lang="es"]').click();
  await page.waitForFunction(() => document.documentElement.lang === 'es');
  assert.match(await page.locator('#branch-status').innerText(), /Sucursales 1–25 de 64/);
  assert.match(await page.locator('#charts-scope').innerText(), /las 2 sucursales marcadas/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('at most 20 rows can be ticked: the other boxes are disabled until one is unticked', async () => {
  const twenty = BRANCHES.slice(0, 20).map((b) => b.code);
  const { context, page, errors } = await open(`/dashboard?${RANGE}&sel=${twenty.join(',')}`, { viewport: TABLET_LANDSCAPE });
  const boxes = () => page.evaluate(() => [...document.querySelectorAll('#branch-table tbody input')].map((b) => ({
    code: b.value, checked: b.checked, disabled: b.disabled,
  })));
  const count = (n) => page.waitForFunction((k) => new URL(location.href).searchParams.get('sel')?.split(',').length === k, n);
  await page.waitForFunction(() => document.querySelectorAll('#branch-table tbody input:checked').length === 20);
  let seen = await boxes();
  assert.deepEqual(seen.filter((b) => b.checked).map((b) => b.code), twenty);
  assert.deepEqual(seen.filter((b) => b.disabled).map((b) => b.code), ['T21', 'T22', 'T23', 'T24', 'T25']);
  assert.match(await page.locator('.selected-count').innerText(), /\b20\b/);
  // Unticking one frees the others; ticking another fills the selection again.
  await page.locator('#branch-table tbody input[value="T05"]').click();
  await count(19);
  await page.waitForFunction(() => document.querySelectorAll('#branch-table tbody input:disabled').length === 0);
  await page.locator('#branch-table tbody input[value="T21"]').click();
  await count(20);
  await page.waitForFunction(() => document.querySelectorAll('#branch-table tbody input:disabled').length === 5);
  seen = await boxes();
  assert.deepEqual(seen.filter((b) => b.disabled).map((b) => b.code), ['T05', 'T22', 'T23', 'T24', 'T25']);
  assert.equal(seen.find((b) => b.code === 'T21').checked, true);
  assert.deepEqual(errors, []);
  await context.close();
});
