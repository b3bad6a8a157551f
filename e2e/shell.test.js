// The app shell: the release build instantiates, every mode loads the
// questionnaires from the server, the language choice sticks, the status bar
// follows connectivity, and the server sends the assets as designed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, openPage, seriousViolations, TABLET_PORTRAIT } from './lib.js';
import { signInBrowser } from './access-steps.js';
import { asShopperPhone } from './shop-steps.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the release build starts in Chromium without errors', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto('/');
  await page.getByRole('heading', { level: 1, name: 'BranchPulse' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

const MODES = [
  // A kiosk shows its questionnaire only once enrolled and set up (kiosk.test.js);
  // before that, only the enrolment form.
  { path: '/kiosk', heading: 'Lobby kiosk', ids: [] },
  // Mystery-shop questionnaires are for enrolled shoppers' phones only.
  { path: '/shop', heading: 'Mystery shopper', ids: ['branch_visit'], phone: true },
  // The dashboard shows figures, not the questionnaire list (e2e/dashboard.test.js).
  // The dashboard and /admin are for people: the admin is signed in.
  { path: '/dashboard', heading: 'Branch dashboard', ids: [], people: true },
  // The admin's questionnaires are a table of versions (e2e/admin.test.js).
  { path: '/admin', heading: 'Administration', ids: [], people: true },
];

for (const mode of MODES) {
  test(`${mode.path} loads its questionnaires from the server`, async () => {
    const { context, page, errors } = await openPage(browser);
    if (mode.people) await signInBrowser(context);
    const phone = mode.phone ? await asShopperPhone(context) : null;
    const headers = phone ? { authorization: `Bearer ${phone.token}` } : {};
    await page.goto(mode.path);
    await page.getByRole('heading', { level: 1, name: mode.heading }).waitFor();
    for (const id of mode.ids) {
      const card = page.locator(`article.questionnaire[data-id="${id}"]`);
      await card.waitFor();
      // The title comes from the questionnaire file, not from the app.
      const served = await (await fetch(`${BASE_URL}/api/v1/questionnaires/${id}`, { headers })).json();
      assert.equal(await card.locator('h3').innerText(), served.title.en);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('the language switch translates the page and is remembered', async () => {
  const { context, page } = await openPage(browser);
  await page.goto('/kiosk');
  await page.getByRole('heading', { level: 1, name: 'Lobby kiosk' }).waitFor();
  await page.getByRole('button', { name: '中文' }).click();
  await page.getByRole('heading', { level: 1, name: '大堂评价终端' }).waitFor();
  await page.getByRole('heading', { level: 2, name: '登记本设备' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  await page.reload();
  await page.getByRole('heading', { level: 1, name: '大堂评价终端' }).waitFor();
  await page.getByRole('button', { name: 'Español' }).click();
  await page.getByRole('heading', { level: 1, name: 'Quiosco del vestíbulo' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'es');
  await context.close();
});

test('a first visit follows the browser language', async () => {
  const { context, page } = await openPage(browser, { locale: 'es-MX' });
  await page.goto('/shop');
  await page.getByRole('heading', { level: 1, name: 'Cliente misterioso' }).waitFor();
  await context.close();
});

test('the status bar follows connectivity', async () => {
  const { context, page } = await openPage(browser);
  await page.goto('/');
  const status = page.getByRole('status');
  await status.getByText('Online').waitFor();
  await context.setOffline(true);
  await status.getByText('Offline').waitFor();
  await context.setOffline(false);
  await status.getByText('Online').waitFor();
  await context.close();
});

test('an unknown app address shows a translated not-found page', async () => {
  const { context, page } = await openPage(browser);
  const resp = await page.goto('/kiosk/no-such-screen');
  assert.equal(resp.status(), 200, 'the server falls back to the app for app routes');
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  await context.close();
});

test('a phone that is not enrolled is never shown a mystery-shop questionnaire', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto('/shop');
  await page.getByRole('heading', { level: 1, name: 'Mystery shopper' }).waitFor();
  const refused = await page.evaluate(async () => (await fetch('/api/v1/questionnaires/branch_visit')).status);
  assert.equal(refused, 401);
  assert.equal(await page.locator('article.questionnaire[data-id="branch_visit"]').count(), 0);
  // Chromium logs the refused fetches; nothing else may be in the log.
  assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);
  await context.close();
});

test('the shell has no serious accessibility violations', async () => {
  for (const path of ['/', '/kiosk', '/shop']) {
    const { context, page } = await openPage(browser, { viewport: TABLET_PORTRAIT });
    if (path === '/shop') await asShopperPhone(context);
    await page.goto(path);
    await page.locator('article.questionnaire, ul.modes, #enrol-code').first().waitFor();
    assert.deepEqual(await seriousViolations(page), [], `axe on ${path}`);
    await context.close();
  }
});

test('assets are precompressed, hashed ones cached for good, the page never', async () => {
  const index = await fetch(`${BASE_URL}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('cache-control'), /no-cache/);
  const html = await index.text();
  const wasm = html.match(/["']\/?([^"']+_bg\.wasm)["']/);
  assert.ok(wasm, 'index.html names the wasm file');
  const resp = await fetch(`${BASE_URL}/${wasm[1]}`, { headers: { 'accept-encoding': 'br' } });
  assert.equal(resp.status, 200);
  assert.equal(resp.headers.get('content-encoding'), 'br');
  assert.match(resp.headers.get('cache-control'), /immutable/);
  const gz = await fetch(`${BASE_URL}/${wasm[1]}`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gz.headers.get('content-encoding'), 'gzip');
});

test('every mode works under the Content-Security-Policy, with no inline script', async () => {
  const html = await (await fetch(`${BASE_URL}/`)).text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'index.html has no inline script');
  const { context, page, errors } = await openPage(browser);
  await signInBrowser(context);
  // Collected in the page from its first moment; a blocked script, style or
  // wasm compile shows up here (and as a console error).
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI} ${e.sample}`);
    });
  });
  for (const path of ['/', '/kiosk', '/kiosk/staff', '/shop', '/dashboard', '/admin', '/report']) {
    const resp = await page.goto(path);
    assert.match(resp.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/, path);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.waitForLoadState('networkidle');
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], path);
  }
  assert.deepEqual(errors, []);
  await context.close();
});
