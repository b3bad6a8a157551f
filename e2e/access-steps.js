// Accounts and devices as the tests need them, through the real API
// (docs/access.md): the first-run admin signs in from
// node, makes devices and their one-time codes, revokes them; a page is
// enrolled by opening the QR code's address, or a token is fetched directly
// for tests that fill the outbox themselves.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ADMIN, BASE_URL } from './lib.js';
import { apiSignIn, approveAll } from './admin-steps.js';

/// localStorage key where the app keeps the device's enrolment (src/storage/enrolment.rs).
export const ENROLMENT_KEY = 'branchpulse.device.enrolment';

let session;

/// The admin's session: the `bp_session` cookie and the CSRF token (one
/// sign-in per test file).
export async function signIn() {
  if (session) return session;
  assert.ok(ADMIN.password, 'ADMIN_PASSWORD names the first-run admin password (set by cargo xtask e2e)');
  const resp = await fetch(`${BASE_URL}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  assert.equal(resp.status, 200, `admin sign-in: ${await resp.clone().text()}`);
  const cookie = resp.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('bp_session='));
  assert.ok(cookie, 'the sign-in sets the session cookie');
  const { csrf } = await resp.json();
  session = { cookie, csrf };
  return session;
}

/// Every page of `context` signed in as the admin (the session cookie),
/// for the screens that are for people (the dashboard, /admin).
export async function signInBrowser(context) {
  const { cookie } = await signIn();
  const at = cookie.indexOf('=');
  await context.addCookies([{ name: cookie.slice(0, at), value: cookie.slice(at + 1), url: BASE_URL }]);
  // The page asks for its session only where this browser has signed in
  // (src/storage/keys.rs SIGNED_IN), as /login notes after a sign-in.
  await context.addInitScript(() => localStorage.setItem('branchpulse.signed_in', '1'));
}

/// A request as the signed-in admin (cookie + CSRF header).
export async function asAdmin(method, path, body) {
  const { cookie, csrf } = await signIn();
  const headers = { cookie, 'x-csrf-token': csrf };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${BASE_URL}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/// The staff PIN the admin gives the tests' kiosks.
export const KIOSK_PIN = '2468';

/// A new device and its one-time code (`Enrolment`: code, url, device…):
/// a kiosk for `branch` (with the staff PIN `pin`, `null` for none), or a
/// shopper's phone for `shopper`.
export async function newDevice({ branch, shopper, label, pin = KIOSK_PIN } = {}) {
  const kind = shopper ? 'shopper' : 'kiosk';
  const body = { kind, label: label ?? `e2e ${kind} ${randomUUID().slice(0, 8)}` };
  if (shopper) body.shopper = shopper;
  else {
    body.branch = branch ?? 'N01';
    if (pin !== null) body.pin = pin;
  }
  const resp = await asAdmin('POST', '/api/v1/devices', body);
  assert.ok([200, 201].includes(resp.status), `create device: ${resp.status} ${await resp.clone().text()}`);
  return resp.json();
}

export const kioskCode = (branch) => newDevice({ branch });
export const shopperCode = (shopper = `e2e shopper ${randomUUID().slice(0, 8)}`) => newDevice({ shopper });

/// A new one-time code for device `id` (its old token stops working).
export async function newCode(id) {
  const resp = await asAdmin('POST', `/api/v1/devices/${id}/code`);
  assert.ok([200, 201].includes(resp.status), `new code: ${resp.status} ${await resp.clone().text()}`);
  return resp.json();
}

export async function revoke(id) {
  const resp = await asAdmin('POST', `/api/v1/devices/${id}/revoke`);
  assert.equal(resp.status, 204, `revoke: ${await resp.clone().text()}`);
}

/// Enrolling is rate-limited per address (the server's
/// `--enrol-per-minute`), and every test comes from 127.0.0.1: what a
/// device would do on a 429, the tests do too: wait and try again.
const TOO_MANY = /Too many attempts|尝试次数过多|Demasiados intentos/;
const RETRY_FOR_MS = 90_000;

/// Exchange a code for a token, as a device does (`Enrolled`: token, device).
export async function enrolCode(code) {
  const deadline = Date.now() + RETRY_FOR_MS;
  for (;;) {
    const resp = await fetch(`${BASE_URL}/api/v1/devices/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    if (resp.status === 429 && Date.now() < deadline) {
      const secs = Number(resp.headers.get('retry-after') ?? 6);
      await new Promise((r) => setTimeout(r, Math.max(1, secs) * 1000));
      continue;
    }
    assert.equal(resp.status, 201, `enrol: ${await resp.clone().text()}`);
    return resp.json();
  }
}

/// Type `code` on the enrolment screen open on `page` and submit it; wait
/// for the app's answer (an error shown, or the screen gone), trying again
/// after the rate limit's wait.
export async function submitCode(page, code) {
  const deadline = Date.now() + RETRY_FOR_MS;
  for (;;) {
    await page.fill('#enrol-code', code);
    await page.locator('form.enrol button[type="submit"]').click();
    await page.waitForFunction(() => {
      const form = document.querySelector('form.enrol');
      if (!form) return true;
      const busy = form.querySelector('button[type="submit"]').disabled;
      return !busy && form.querySelector('[data-testid="enrol-error"]').textContent.trim() !== '';
    });
    const said = await page.locator('form.enrol [data-testid="enrol-error"]').innerText().catch(() => '');
    if (!TOO_MANY.test(said) || Date.now() > deadline) return;
    await page.waitForTimeout(6_500);
  }
}

/// A fresh device's token: a kiosk for `branch` or a phone for `shopper`.
export async function deviceToken(options) {
  return enrolCode((await newDevice(options)).code);
}

/// Open the enrolment's QR address on `page` and wait until the app has
/// enrolled and taken the code out of the address; the kept `Enrolled`.
export async function enrolPage(page, enrolment) {
  const deadline = Date.now() + RETRY_FOR_MS;
  await page.goto(enrolment.url);
  for (;;) {
    // A kiosk's QR address opens its staff page with a page load: until
    // that is done there is no page to read.
    const kept = await page.evaluate((k) => localStorage.getItem(k), ENROLMENT_KEY).catch(() => null);
    if (kept && JSON.parse(kept).device.id === enrolment.device.id && !page.url().includes('enrol=')) return JSON.parse(kept);
    const error = await page.getByTestId('enrol-error').innerText().catch(() => '');
    if (Date.now() > deadline) assert.fail(`the page did not enrol (${page.url()}; error: ${error})`);
    if (TOO_MANY.test(error)) {
      await page.waitForTimeout(6_500);
      await page.goto(enrolment.url);
    } else {
      await page.waitForTimeout(100);
    }
  }
}

/// A new kiosk for `branch`, enrolled on `page` through its QR address.
export async function enrolKiosk(page, branch) {
  return enrolPage(page, await kioskCode(branch));
}

const kiosks = new Map();
/// `page` as a tablet of `branch`: the first time in this test file a new
/// kiosk enrolled through its QR address, later the same kiosk's enrolment
/// kept on the tablet (enrolling is rate-limited); on `/kiosk`.
export async function kioskOf(page, branch) {
  if (!kiosks.has(branch)) {
    kiosks.set(branch, await enrolKiosk(page, branch));
    return kiosks.get(branch);
  }
  await keepEnrolment(page.context(), kiosks.get(branch));
  await page.goto('/kiosk');
  return kiosks.get(branch);
}

/// A new shopper's phone, enrolled on `page` through its QR address.
export async function enrolShopper(page, shopper) {
  return enrolPage(page, await shopperCode(shopper));
}

/// Keep `enrolled` as the app does, in every page of `context` that has
/// none yet (before the app starts), as for a device enrolled earlier.
export async function keepEnrolment(context, enrolled) {
  await context.addInitScript(([k, v]) => {
    if (!localStorage.getItem(k)) localStorage.setItem(k, v);
  }, [ENROLMENT_KEY, JSON.stringify(enrolled)]);
}

/// Put `enrolled` into the open page's storage now.
export async function storeEnrolment(page, enrolled) {
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [ENROLMENT_KEY, JSON.stringify(enrolled)]);
}

/// POST `list` to /api/v1/responses as devices do: kiosk responses with a
/// kiosk token of their branch, visit reports with a shopper's phone's
/// token, 400 per request. Every response must be accepted.
export async function postAsDevices(list) {
  const tokens = new Map();
  const tokenOf = async (r) => {
    const key = r.channel === 'kiosk' ? `kiosk:${r.branch}` : 'shopper';
    if (!tokens.has(key)) {
      const enrolled = r.channel === 'kiosk' ? await deviceToken({ branch: r.branch }) : await deviceToken({ shopper: 'e2e bench shopper' });
      tokens.set(key, enrolled.token);
    }
    return tokens.get(key);
  };
  const groups = new Map();
  for (const r of list) {
    const token = await tokenOf(r);
    if (!groups.has(token)) groups.set(token, []);
    groups.get(token).push(r);
  }
  for (const [token, responses] of groups) {
    for (let i = 0; i < responses.length; i += 400) {
      const batch = responses.slice(i, i + 400);
      const resp = await fetch(`${BASE_URL}/api/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ responses: batch }),
      });
      assert.equal(resp.status, 200, await resp.clone().text());
      const { results } = await resp.json();
      const refused = results.filter((r) => r.status === 'rejected');
      assert.deepEqual(refused, [], 'every response accepted');
    }
  }
  // Reports count only once reviewed: the seeded visits stand for approved ones.
  if (list.some((r) => r.channel === 'mystery_shop')) await approveAll(await apiSignIn(ADMIN, BASE_URL));
}
