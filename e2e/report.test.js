// The monthly report (issue 19), end to end on the shared e2e server:
// a branch's and a region's month in Spanish and Chinese, its figures and
// n the same as GET /api/v1/aggregates for the month (and the change
// since the calendar month before), a comment with a phone number hidden,
// comments quoted across the range of overall satisfaction with each one's
// answer in words,
// the pickers limited to the reader's scope, print media without any
// control, an A4 PDF of a sane length, and axe at 360 px and desktop.
//
// Its data sit in July and August 2024, apart from every other test's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, BASE_URL, PHONE, TABLET_LANDSCAPE, launch, openPage, seriousViolations } from './lib.js';
import { addUser, apiSignIn, postAsDevices, signInPage } from './admin-steps.js';
import { addDays, kiosk, visit } from './dashboard-data.js';

const MONTH = { from: '2024-08-01', to: '2024-08-31' };
const BEFORE = { from: '2024-07-01', to: '2024-07-31' };
const PHONE_NUMBER = '13800138000';

let browser;
let branchManager;

/// S06's August comments with their overall-satisfaction answers, oldest first.
const SPREAD = [
  [1, 'Nadie me atendió'],
  [2, 'Esperé demasiado'],
  [3, 'Un trámite normal'],
  [5, 'Excelente atención'],
  ...[1, 2, 3, 4, 5, 6].map((j) => [4, `Bien, gracias ${j}`]),
];

/// `response` with `score` as its overall-satisfaction answer.
function answered(response, score) {
  response.answers.overall = { type: 'rating', value: score };
  return response;
}

/// `n` kiosk responses at `branch` in the 28 days from `start`, at `level`;
/// the first ones carry `comments`.
function month(branch, start, level, n, comments = []) {
  return Array.from({ length: n }, (_, k) => kiosk(branch, addDays(start, k % 28), level, k, comments[k]));
}

before(async () => {
  browser = await launch();
  const admin = await apiSignIn(ADMIN, BASE_URL);
  await postAsDevices(admin, [
    // N01: unhappy in July (faces 1–3: CSAT 0), happy in August (4–5).
    ...month('N01', BEFORE.from, 2, 40),
    ...month('N01', MONTH.from, 5, 40, [`Muy amable, llámeme al ${PHONE_NUMBER} por favor`, 'La fila avanzó rápido']),
    // N02: the same in both months.
    ...month('N02', BEFORE.from, 4, 35),
    ...month('N02', MONTH.from, 4, 35, ['Vestíbulo limpio']),
    // Mystery shopping: N02 35 visits each month, N01 only 5 in August (too few).
    ...Array.from({ length: 35 }, (_, k) => visit('N02', addDays(BEFORE.from, k % 28), 200 + k * 10, k % 7 === 0, k)),
    ...Array.from({ length: 35 }, (_, k) => visit('N02', addDays(MONTH.from, k % 28), 100 + k * 10, k % 9 === 0, k)),
    ...Array.from({ length: 5 }, (_, k) => visit('N01', addDays(MONTH.from, k), 300, false, k)),
    // S06: one comment at each answer 1, 2, 3 and 5 early in August, then
    // six answered 4, the month's latest.
    ...SPREAD.map(([score, text], k) => answered(kiosk('S06', addDays(MONTH.from, k), 3, k, text), score)),
  ]);
  branchManager = await addUser(admin, { role: 'manager', branch: 'N02' });
});

after(async () => {
  await browser?.close();
});

async function open(path, { user = ADMIN, locale = 'en-US', viewport = TABLET_LANDSCAPE } = {}) {
  const opened = await openPage(browser, { baseURL: BASE_URL, locale, viewport });
  await signInPage(opened.page, user, path);
  await opened.page.locator('#report .report-section').first().waitFor();
  return opened;
}

/// GET an API path with the page's session.
async function api(page, path) {
  return page.evaluate(async (p) => {
    const r = await fetch(p);
    if (!r.ok) throw new Error(`${p}: ${r.status}`);
    return r.json();
  }, path);
}

/// As the app writes a figure: whole numbers, one decimal below 10.
function fmt(v) {
  return Math.abs(v) < 10 ? v.toFixed(1) : v.toFixed(0);
}

function withInterval(f) {
  const e = f.estimate;
  if (!e) return '–';
  return e.low < 0 ? `${fmt(e.value)} [${fmt(e.low)}, ${fmt(e.high)}]` : `${fmt(e.value)} [${fmt(e.low)}–${fmt(e.high)}]`;
}

const KIOSK_ROWS = {
  csat: (f) => f.csat,
  nps: (f) => f.nps,
  empathy: (f) => f.dimensions.empathy,
  process_convenience: (f) => f.dimensions.process_convenience,
  value: (f) => f.dimensions.value,
  trust: (f) => f.dimensions.trust,
  overall: (f) => f.overall,
  satisfaction: (f) => f.satisfaction,
  completion: (f) => f.completion,
};

/// Every headline row's n and value against the figures the API gives.
async function checkHeadline(page, kiosk, shop, tooFew) {
  const rows = page.locator('#report-headline tbody tr');
  const seen = await rows.evaluateAll((trs) => trs.map((tr) => ({
    figure: tr.dataset.figure,
    n: Number(tr.dataset.n),
    value: tr.querySelector('td.value').textContent,
    greyed: tr.classList.contains('too-few'),
    movement: tr.dataset.movement,
  })));
  const expected = Object.entries(KIOSK_ROWS).filter(([, pick]) => pick(kiosk)).map(([name, pick]) => [name, pick(kiosk)]);
  if (shop.mystery.visits > 0) expected.push(['mystery_score', shop.mystery.score], ['pass_rate', shop.mystery.pass_rate]);
  assert.deepEqual(seen.map((s) => s.figure), expected.map(([name]) => name));
  for (const [name, f] of expected) {
    const row = seen.find((s) => s.figure === name);
    assert.equal(row.n, f.n, `${name}: n`);
    assert.ok(row.value.startsWith(withInterval(f)), `${name}: ${row.value} shows ${withInterval(f)}`);
    assert.equal(row.greyed, f.too_few, `${name}: greyed when too few`);
    assert.equal(row.value.includes(tooFew), f.too_few, `${name}: the words when too few`);
  }
  return seen;
}

/// The PDF's page count (each page object is `/Type /Page`).
function pages(pdf) {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
}

async function checkPrint(page) {
  await page.emulateMedia({ media: 'print' });
  for (const hidden of ['.report-controls', '#report-print', '.admin-tabs', '.topbar', '.dashboard > h1']) {
    assert.equal(await page.locator(hidden).first().isVisible(), false, `${hidden} is not printed`);
  }
  assert.ok(await page.locator('#report-headline table').isVisible());
  const pdf = await page.pdf({ format: 'A4' });
  const n = pages(pdf);
  assert.ok(n >= 1 && n <= 4, `${n} A4 pages`);
  await page.emulateMedia({ media: 'screen' });
  return n;
}

test('a branch report in Spanish: its figures and n as the aggregates give them, the change since July, hidden phone numbers, and print', async () => {
  const { context, page, errors } = await open('/report?branch=N01&month=2024-08', { locale: 'es-ES' });
  assert.match(await page.locator('#report-title').textContent(), /^Informe mensual: N01 Harbour Square, 2024-08$/);
  const q = `from=${MONTH.from}&to=${MONTH.to}&branches=N01`;
  const prev = `from=${BEFORE.from}&to=${BEFORE.to}&branches=N01`;
  const kiosk = (await api(page, `/api/v1/aggregates?${q}&channel=kiosk`)).branches[0].figures;
  const shop = (await api(page, `/api/v1/aggregates?${q}&channel=mystery_shop`)).branches[0].figures;
  const july = (await api(page, `/api/v1/aggregates?${prev}&channel=kiosk`)).branches[0].figures;
  assert.equal(kiosk.n, 40);
  assert.equal(july.n, 40);
  const seen = await checkHeadline(page, kiosk, shop, 'muy pocas respuestas');
  // CSAT went from 0 % (faces 1–3) to 100 % (faces 4–5): a clear rise,
  // and July's figure with its n in the row.
  assert.equal(july.csat.estimate.value, 0);
  assert.equal(kiosk.csat.estimate.value, 100);
  assert.equal(seen.find((s) => s.figure === 'csat').movement, 'up');
  const csat = page.locator('#report-headline tr[data-figure="csat"]');
  assert.match(await csat.locator('td.change').textContent(), /^▲ sube \+100 \[\+[\d.]+, \+[\d.]+\]$/);
  assert.ok((await csat.textContent()).includes(`${withInterval(july.csat)} · n=40`));
  // Five visits: shown, greyed, with the words.
  assert.equal(shop.mystery.visits, 5);
  assert.ok(seen.find((s) => s.figure === 'mystery_score').greyed);
  // The waits: median and 90th percentile with the visits' n.
  const median = page.locator('#report-waiting tr[data-figure="wait_median"]');
  assert.equal(await median.getAttribute('data-n'), String(shop.wait.n));
  // Comments: the customer's words, the phone number hidden; no region list.
  const quoted = await page.locator('#report-comments blockquote').allTextContents();
  assert.ok(quoted.includes('La fila avanzó rápido'), quoted.join(' | '));
  assert.ok(quoted.includes('Muy amable, llámeme al [oculto] por favor'), quoted.join(' | '));
  assert.ok(!(await page.locator('#report').textContent()).includes(PHONE_NUMBER));
  assert.equal(await page.locator('#report-branches').count(), 0);
  await checkPrint(page);
  // Another month and branch from the pickers.
  await page.fill('#report-month', '2024-07');
  await page.selectOption('#report-place', 'branch:N02');
  await page.locator('.report-controls button[type="submit"]').click();
  await page.locator('#report[data-month="2024-07"][data-place="branch:N02"]').waitFor();
  assert.match(page.url(), /\/report\?branch=N02&month=2024-07$/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a region report in Chinese: the region\'s own totals, each branch with its n, and an A4 PDF', async () => {
  const { context, page, errors } = await open('/report?region=North&month=2024-08', { locale: 'zh-CN' });
  assert.match(await page.locator('#report-title').textContent(), /^月度报告：North 区域，2024-08$/);
  const q = `from=${MONTH.from}&to=${MONTH.to}&region=North`;
  const kiosk = await api(page, `/api/v1/aggregates?${q}&channel=kiosk`);
  const shop = await api(page, `/api/v1/aggregates?${q}&channel=mystery_shop`);
  // N01's 40 and N02's 35, whatever other tests put elsewhere in the network.
  assert.equal(kiosk.selection.n, 75);
  await checkHeadline(page, kiosk.selection, shop.selection, '答卷太少');
  const listed = await page.locator('#report-branches tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.dataset.branch, Number(tr.dataset.n)]));
  assert.deepEqual(listed, kiosk.branches.map((b) => [b.code, b.figures.n]));
  assert.deepEqual(listed.slice(0, 2), [['N01', 40], ['N02', 35]]);
  // A branch without responses is greyed with the words.
  const empty = page.locator('#report-branches tr[data-branch="N03"]');
  assert.ok((await empty.getAttribute('class')).includes('too-few'));
  assert.ok((await empty.textContent()).includes('答卷太少'));
  // Comments from both branches: N02's answered 3, N01's 4 and 5.
  const meta = await page.locator('#report-comments .comment-meta').allTextContents();
  assert.deepEqual([...new Set(meta.map((m) => m.match(/ · ([NS]\d\d) · /)[1]))].sort(), ['N01', 'N02']);
  await checkPrint(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a format report: the format named in the heading, its branches\' own totals and each branch', async () => {
  const { context, page, errors } = await open('/report?format=business_district&month=2024-08');
  await page.locator('#report[data-place="format:business_district"]').waitFor();
  assert.match(await page.locator('#report-title').textContent(), /^Monthly report: Format Business district, 2024-08$/);
  // Offered among the places, by name.
  const offered = await page.locator('#report-place option[value="format:business_district"]').textContent();
  assert.equal(offered, 'Business district');
  const q = `from=${MONTH.from}&to=${MONTH.to}&format=business_district`;
  const kiosk = await api(page, `/api/v1/aggregates?${q}&channel=kiosk`);
  const shop = await api(page, `/api/v1/aggregates?${q}&channel=mystery_shop`);
  assert.deepEqual(kiosk.branches.map((b) => b.code), ['N02', 'N04', 'S03']);
  assert.ok(kiosk.selection.n >= 35, 'N02\'s 35 at least');
  await checkHeadline(page, kiosk.selection, shop.selection, 'too few responses');
  const listed = await page.locator('#report-branches tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.branch));
  assert.deepEqual(listed, ['N02', 'N04', 'S03']);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the comments quoted cover the range of overall satisfaction, lowest first, each with its answer in words', async () => {
  const { context, page, errors } = await open('/report?branch=S06&month=2024-08', { locale: 'es-ES' });
  const quoted = await page.locator('#report-comments li.report-comment').evaluateAll((lis) => lis.map((li) => ({
    score: Number(li.dataset.satisfaction),
    text: li.querySelector('blockquote').textContent,
    meta: li.querySelector('.comment-meta').textContent,
  })));
  // The month's latest comments are all answered 4: quoting those would
  // say nothing of the unhappy or the delighted.
  const latest = await api(page, `/api/v1/comments?from=${MONTH.from}&to=${MONTH.to}&branches=S06&channel=kiosk&limit=5`);
  assert.deepEqual(latest.map((c) => c.satisfaction), [4, 4, 4, 4, 4]);
  // One at each answer given, lowest first; of the 4s the newest.
  assert.deepEqual(quoted.map((q) => [q.score, q.text]), [
    [1, 'Nadie me atendió'],
    [2, 'Esperé demasiado'],
    [3, 'Un trámite normal'],
    [4, 'Bien, gracias 6'],
    [5, 'Excelente atención'],
  ]);
  for (const q of quoted) {
    assert.match(q.meta, new RegExp(`^Satisfacción general ${q.score} de 5 · S06 · 2024-08-\\d\\d · `), q.meta);
  }
  // In English and Chinese too.
  for (const [lang, words] of [['en', 'Overall satisfaction 1 of 5'], ['zh-CN', '总体满意度 1/5']]) {
    await page.locator(`.language-switch button[lang="${lang}"]`).click();
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
    assert.equal(await page.locator('#report-comments .comment-score').first().textContent(), words);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('a branch manager is offered only their branch, and reads its report by default', async () => {
  // The dashboard's old address of the report leads to the report's own page.
  const { context, page, errors } = await open('/dashboard?s=report&month=2024-08', { user: branchManager });
  assert.match(page.url(), /\/report\?month=2024-08$/);
  const options = await page.locator('#report-place option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(options, ['branch:N02']);
  await page.locator('#report[data-place="branch:N02"]').waitFor();
  assert.equal(await page.locator('#report-headline tr[data-figure="csat"]').getAttribute('data-n'), '35');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the report has no serious accessibility violations at 360 px and on a desktop', async () => {
  for (const [viewport, locale, path] of [
    [PHONE, 'es-ES', '/report?branch=N01&month=2024-08'],
    [PHONE, 'zh-CN', '/report?region=North&month=2024-08'],
    [{ width: 1440, height: 900 }, 'en-US', '/report?region=North&month=2024-08'],
  ]) {
    const { context, page, errors } = await open(path, { viewport, locale });
    await page.locator('#report-comments').waitFor();
    assert.deepEqual(await seriousViolations(page), [], `${viewport.width} px, ${locale}`);
    // Nothing wider than the screen but the tables' own scrolling boxes.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${overflow} px too wide at ${viewport.width} px`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});
