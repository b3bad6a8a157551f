// People's steps for the sign-in, admin and dashboard tests: signing in
// through the page, and the same API calls from node (any server: the
// dashboard test runs one of its own), to make users and devices and to post
// responses the way enrolled devices do.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { BASE_URL, openPage } from './lib.js';

/// A page that records every dialog (an injected `alert`) as an error, next
/// to the page errors and console errors (CSP violations among them).
export async function open(browser, path, options = {}) {
  const opened = await openPage(browser, options);
  opened.page.on('dialog', (d) => {
    opened.errors.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  if (path) await opened.page.goto(path);
  return opened;
}

/// Sign in through /login and wait until the page has gone on to `next`.
export async function signInPage(page, { username, password }, next = '/admin') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await page.locator('.login button[type="submit"]').click();
  const path = next.split('?')[0];
  await page.waitForURL((u) => u.pathname === path, { timeout: 30_000 });
  await page.locator('#sign-out').waitFor();
}

/// A session from node: the cookie and the CSRF token.
export async function apiSignIn(user, base = BASE_URL) {
  const resp = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  assert.equal(resp.status, 200, `sign-in of ${user.username}: ${await resp.clone().text()}`);
  const cookie = resp.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('bp_session='));
  assert.ok(cookie, 'the sign-in sets the session cookie');
  const { csrf } = await resp.json();
  return { base, cookie, csrf };
}

/// A request with a session (cookie + CSRF header).
export async function asUser(session, method, path, body) {
  const headers = { cookie: session.cookie, 'x-csrf-token': session.csrf };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${session.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/// A new account (as the admin `session`); its name and password.
export async function addUser(session, { role = 'manager', branch, region, username } = {}) {
  const user = {
    username: username ?? `e2e.${role}.${randomUUID().slice(0, 6)}`,
    password: `e2e password ${randomUUID()}`,
    role,
  };
  if (branch) user.branch = branch;
  if (region) user.region = region;
  const resp = await asUser(session, 'POST', '/api/v1/users', user);
  assert.ok([200, 201].includes(resp.status), `add user: ${resp.status} ${await resp.clone().text()}`);
  return user;
}

/// A fresh device's token: a kiosk of `branch`, or a shopper's phone.
export async function deviceToken(session, { branch, shopper }) {
  const body = shopper ? { kind: 'shopper', label: `e2e phone ${randomUUID().slice(0, 6)}`, shopper } : { kind: 'kiosk', label: `e2e kiosk ${branch}`, branch };
  const made = await asUser(session, 'POST', '/api/v1/devices', body);
  assert.ok([200, 201].includes(made.status), `add device: ${made.status} ${await made.clone().text()}`);
  const { code } = await made.json();
  const enrolled = await fetch(`${session.base}/api/v1/devices/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  assert.equal(enrolled.status, 201, `enrol: ${await enrolled.clone().text()}`);
  return (await enrolled.json()).token;
}

/// POST responses as enrolled devices do: kiosk responses with a kiosk of
/// their branch, visit reports with a shopper's phone; all must be stored.
export async function postAsDevices(session, list) {
  const tokens = new Map();
  const groups = new Map();
  for (const r of list) {
    const key = r.channel === 'kiosk' ? `kiosk:${r.branch}` : 'shopper';
    if (!tokens.has(key)) {
      tokens.set(key, await deviceToken(session, r.channel === 'kiosk' ? { branch: r.branch } : { shopper: 'e2e dashboard shopper' }));
    }
    const token = tokens.get(key);
    if (!groups.has(token)) groups.set(token, []);
    groups.get(token).push(r);
  }
  for (const [token, responses] of groups) {
    for (let i = 0; i < responses.length; i += 400) {
      const resp = await fetch(`${session.base}/api/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ responses: responses.slice(i, i + 400) }),
      });
      const text = await resp.text();
      assert.equal(resp.status, 200, text);
      assert.deepEqual(JSON.parse(text).results.filter((r) => r.status === 'rejected'), [], 'every response is stored');
    }
  }
  // Reports count only once reviewed: the seeded visits stand for approved ones.
  if (list.some((r) => r.channel === 'mystery_shop')) await approveAll(session);
}

/// Approve every report awaiting review (as an admin `session`); how many.
export async function approveAll(session) {
  const queue = await asUser(session, 'GET', '/api/v1/reports?status=submitted');
  assert.equal(queue.status, 200, await queue.clone().text());
  const reports = await queue.json();
  for (const { id } of reports) {
    const resp = await asUser(session, 'POST', `/api/v1/reports/${id}/review`, { decision: 'approve' });
    assert.equal(resp.status, 200, `approve ${id}: ${await resp.clone().text()}`);
  }
  return reports.length;
}

/// `errors` without the browser's note of an answer with one of `statuses`
/// (Chromium logs every 4xx as a console error; these ones the test expects).
export function unexpected(errors, statuses = [401]) {
  return errors.filter((e) => !statuses.some((s) => e.includes(`status of ${s}`)));
}

/// No sideways scrolling of the page (tables scroll inside their box).
export async function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}
