// Signing in and out at /login, against the real server: the messages for a
// wrong password, the wait after repeated failures and no server; going on
// to `next` only within the site; a manager's narrow view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, BASE_URL, launch, seriousViolations, eventually, PHONE } from './lib.js';
import { addUser, apiSignIn, open, overflow, signInPage, unexpected } from './admin-steps.js';

let browser;
let admin;

before(async () => {
  browser = await launch();
  admin = await apiSignIn(ADMIN);
});

after(async () => {
  await browser?.close();
});

test('a wrong password is refused with a clear message; the right one goes on to next; sign-out ends the session', async () => {
  const { context, page, errors } = await open(browser, '/login?next=%2Fadmin%3Fs%3Dusers');
  await page.locator('#login-username').waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'axe on the sign-in page');
  // Nothing typed: said so, nothing sent.
  await page.locator('.login button[type="submit"]').click();
  await page.getByText('Enter your user name and password.').waitFor();
  await page.fill('#login-username', ADMIN.username);
  await page.fill('#login-password', 'not the password at all');
  await page.locator('.login button[type="submit"]').click();
  await page.getByText('Wrong user name or password.').waitFor();
  assert.match(page.url(), /\/login/);
  // The right password: on to the admin's users section, signed in.
  await page.fill('#login-password', ADMIN.password);
  await page.locator('.login button[type="submit"]').click();
  await page.waitForURL(/\/admin\?s=users$/);
  await page.locator('#user-list').waitFor();
  assert.equal(await page.locator('.account-name').textContent(), ADMIN.username);
  // The CSRF token stays in memory: nothing of the session is stored.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!/csrf|bp_session/i.test(stored), stored);
  // Signing out ends the session on the server and goes back to /login.
  await page.locator('#sign-out').click();
  await page.waitForURL(/\/login$/);
  const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  assert.equal(status, 401);
  await page.goto('/admin');
  await page.locator('#admin-sign-in').waitFor();
  assert.equal(await page.locator('#admin-sign-in').getAttribute('href'), '/login?next=%2Fadmin');
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('after repeated failures the page says how long to wait', async () => {
  const user = await addUser(admin, { role: 'manager', branch: 'N03' });
  const { context, page, errors } = await open(browser, '/login');
  await page.fill('#login-username', user.username);
  await page.fill('#login-password', 'wrong password, again and again');
  const problem = page.locator('#login-problem');
  // Five failures are free, then the account is locked for a while, longer
  // each time; the server answers 429 with Retry-After, shown as a wait.
  await eventually('a 429 after repeated failures', async () => {
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST'),
      page.locator('.login button[type="submit"]:not([disabled])').click(),
    ]);
    return resp.status() === 429 || resp.status();
  }, { timeout: 120_000, every: 10 });
  await problem.getByText(/try again in \d+ s/).waitFor();
  assert.match(await problem.textContent(), /Too many failed attempts: try again in \d+ s\./);
  assert.deepEqual(unexpected(errors, [401, 429]), []);
  await context.close();
});

test('next never leads off the site', async () => {
  for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
    const { context, page, errors } = await open(browser, `/login?next=${encodeURIComponent(next)}`);
    await page.fill('#login-username', ADMIN.username);
    await page.fill('#login-password', ADMIN.password);
    await page.locator('.login button[type="submit"]').click();
    await page.waitForURL((u) => u.pathname === '/', { timeout: 30_000 });
    assert.equal(new URL(page.url()).host, new URL(await page.evaluate(() => location.origin)).host);
    assert.deepEqual(unexpected(errors), [], next);
    await context.close();
  }
});

test('a manager sees only their branch on the dashboard and cannot open admin', async () => {
  const manager = await addUser(admin, { role: 'manager', branch: 'N02' });
  const { context, page, errors } = await open(browser);
  await signInPage(page, manager, '/dashboard');
  await page.locator('.dash-filters').waitFor();
  await page.locator('#pick-branches-list [role="option"]').first().waitFor({ state: 'attached' });
  const offered = await page.locator('#pick-branches-list [role="option"]').evaluateAll((els) => els.map((e) => e.dataset.code));
  assert.deepEqual(offered, ['N02']);
  const regions = await page.locator('#dash-region option').evaluateAll((els) => els.map((e) => e.value).filter(Boolean));
  assert.equal(regions.length, 1);
  // Another branch named in the URL: the server refuses it (403), said so.
  await page.goto('/dashboard?branches=S01');
  await page.locator('.dashboard .error[role="alert"]').first().waitFor();
  // The admin page: signed in, but not allowed.
  await page.goto('/admin');
  await page.locator('#admin-not-allowed').waitFor();
  assert.equal(await page.locator('.admin-tabs').count(), 0);
  const status = await page.evaluate(async () => (await fetch('/api/v1/users')).status);
  assert.equal(status, 403);
  assert.deepEqual(unexpected(errors, [401, 403]), []);
  await context.close();
});

test('a regional manager is offered the branches of their region only', async () => {
  const regional = await addUser(admin, { role: 'regional', region: 'South' });
  const south = (await (await fetch(`${BASE_URL}/api/v1/branches`)).json()).filter((b) => b.region === 'South').map((b) => b.code);
  const { context, page, errors } = await open(browser);
  await signInPage(page, regional, '/dashboard');
  await page.locator('#pick-branches-list [role="option"]').first().waitFor({ state: 'attached' });
  const offered = await page.locator('#pick-branches-list [role="option"]').evaluateAll((els) => els.map((e) => e.dataset.code));
  assert.deepEqual(offered.sort(), south.sort());
  await page.locator('.dash-data').waitFor();
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('in Chinese, on a phone', async () => {
  const { context, page, errors } = await open(browser, '/login', { viewport: PHONE, locale: 'zh-CN' });
  await page.locator('.language-switch button[lang="zh-CN"]').click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await page.getByLabel('用户名').fill(ADMIN.username);
  await page.getByLabel('密码').fill('wrong wrong wrong');
  await page.locator('.login button[type="submit"]').click();
  await page.getByText('用户名或密码错误。').waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'axe, zh-CN, phone');
  assert.ok((await overflow(page)) <= 0, 'no sideways scrolling on a phone');
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('the start page, the admin screens, the dashboard and the monthly report are bundles of their own, linked by page loads', async () => {
  const { context, page, errors } = await open(browser);
  await signInPage(page, ADMIN, '/');
  /// Follow `link` to `pathname`, wait for `shown`; whether the page loaded
  /// anew (a mark left on the window before the click is gone).
  const follow = async (link, pathname, shown) => {
    await page.evaluate(() => { window.__before = true; });
    await page.locator(link).first().click();
    await page.waitForURL((u) => u.pathname === pathname);
    await page.locator(shown).first().waitFor();
    return page.evaluate(() => window.__before === undefined);
  };
  assert.ok(await follow('ul.modes a[href="/admin"]', '/admin', '#tab-users'), 'start page → admin');
  // Within the admin's bundle its router changes screens without a load.
  assert.equal(await follow('#tab-audit', '/admin', '#tab-audit[aria-current="page"]'), false, 'admin tab');
  assert.ok(await follow('.topbar nav a[href="/dashboard"]', '/dashboard', '.dashboard .admin-tabs'), 'admin → dashboard');
  assert.ok(await follow('.dashboard .admin-tabs a[href="/report"]', '/report', '#report-month'), 'dashboard → report');
  assert.ok(await follow('.dashboard .admin-tabs a[href="/dashboard?s=inbox"]', '/dashboard', '#inbox-title'), 'report → inbox');
  assert.ok(await follow('.topbar nav a[href="/admin"]', '/admin', '#tab-users'), 'dashboard → admin');
  assert.ok(await follow('#inbox-link', '/dashboard', '#inbox-title'), 'admin → inbox');
  assert.ok(await follow('.topbar a.brand', '/', 'ul.modes'), 'dashboard → start page');
  // No screen of another bundle is ever shown as "not found".
  assert.equal(await page.getByRole('heading', { name: 'Page not found' }).count(), 0);
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});
