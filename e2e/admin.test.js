// The admin's screens at /admin, against the real server: branches,
// questionnaires, visits, devices, users, the audit log and the free-text
// purge, each checked both on the page and through the API; hostile text
// shown as text; axe on every section; a phone and Chinese once.
//
// The tests share one signed-in page and run in order.
import { test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN, BASE_URL, launch, seriousViolations, PHONE, TABLET_LANDSCAPE, writeServer } from './lib.js';
import { kiosk } from './dashboard-data.js';
import { apiSignIn, asUser, deviceToken, open, overflow, signInPage, unexpected } from './admin-steps.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>window.__pwned = 1</script> e2e admin comment';
const TAG = randomUUID().slice(0, 4).toUpperCase().replace(/[^A-Z0-9]/g, 'Q');
const CODE = `HX${TAG}`;
// The purge test's response sits in a week of its own.
const WEEK = 'from=2024-02-05&to=2024-02-11';

let browser;
let opened;
let page;
let admin;
let dir;

before(async () => {
  browser = await launch();
  admin = await apiSignIn(ADMIN);
  dir = mkdtempSync(join(tmpdir(), 'bp-admin-'));
  opened = await open(browser);
  page = opened.page;
  await signInPage(page, ADMIN, '/admin');
});

// Each test answers for its own errors.
beforeEach(() => {
  if (opened) opened.errors.length = 0;
});

after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function section(name) {
  await page.locator(`#tab-${name}`).click();
  await page.waitForURL(new RegExp(`s=${name}`));
  await page.locator(`#${name}-title`).waitFor();
}

async function axe(what) {
  assert.deepEqual(await seriousViolations(page), [], `axe on ${what}`);
}

test('branches: add one (checked before sending, refused codes said), edit, close and reopen; a hostile name stays text', async () => {
  await section('branches');
  await page.locator('#branch-list').waitFor();
  await axe('branches');
  // The same check as the server's, before anything is sent.
  await page.fill('#branch-code', 'n 01');
  await page.fill('#branch-name', 'Anything');
  await page.fill('#branch-region', 'North');
  await page.locator('#add-branch button[type="submit"]').click();
  assert.match(await page.locator('#branch-code-error').textContent(), /A-Z, 0-9/);
  assert.equal(await page.locator('#branch-code').getAttribute('aria-invalid'), 'true');
  // A code that exists: the server's 409, shown in the form.
  await page.fill('#branch-code', 'N01');
  await page.locator('#add-branch button[type="submit"]').click();
  await page.locator('#add-branch .field-error').waitFor();
  // A new branch whose name is markup.
  await page.fill('#branch-code', CODE);
  await page.fill('#branch-name', HOSTILE);
  await page.fill('#branch-region', 'North');
  await page.locator('#add-branch button[type="submit"]').click();
  const row = page.locator('#branch-list tbody tr', { hasText: CODE });
  await row.waitFor();
  assert.equal(await row.locator('.branch-name').textContent(), HOSTILE);
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  // Edit its region.
  await page.locator(`.edit[data-code="${CODE}"]`).click();
  await page.fill(`#edit-${CODE}-region`, 'South');
  await page.locator(`#edit-${CODE}-region`).press('Enter');
  await row.locator('td', { hasText: 'South' }).waitFor();
  // Close and reopen: the API says so too.
  await page.locator(`.toggle[data-code="${CODE}"]`).click();
  await row.locator('td', { hasText: 'Closed' }).waitFor();
  const closed = (await (await fetch(`${BASE_URL}/api/v1/branches`)).json()).find((b) => b.code === CODE);
  assert.deepEqual([closed.region, closed.active], ['South', false]);
  await page.locator(`.toggle[data-code="${CODE}"]`).click();
  await row.locator('td', { hasText: 'Open' }).waitFor();
  assert.deepEqual(unexpected(opened.errors, [409]), []);
});

test('formats: add one (checked before sending), give a branch it, refused removal while in use', async () => {
  await section('branches');
  await page.locator('#format-list').waitFor();
  const FORMAT = `drive_${TAG.toLowerCase()}`;
  await page.fill('#format-code', 'Drive Through');
  await page.locator('#add-format button[type="submit"]').click();
  assert.match(await page.locator('#format-code-error').textContent(), /lowercase letters a-z, digits or _/);
  await page.fill('#format-code', FORMAT);
  await page.fill('[id="format-name.zh-CN"]', '得来速网点');
  await page.fill('[id="format-name.en"]', 'Drive-through');
  await page.fill('[id="format-name.es"]', 'Autobanco');
  await page.locator('#add-format button[type="submit"]').click();
  const row = page.locator('#format-list tbody tr', { hasText: FORMAT });
  await row.waitFor();
  assert.match(await row.textContent(), /Drive-through/);
  const formats = await (await fetch(`${BASE_URL}/api/v1/formats`)).json();
  assert.deepEqual(formats.find((f) => f.code === FORMAT).name, { 'zh-CN': '得来速网点', en: 'Drive-through', es: 'Autobanco' });
  // The branch added above takes it.
  await page.locator(`.edit[data-code="${CODE}"]`).click();
  await page.selectOption(`#edit-${CODE}-format`, FORMAT);
  await page.locator(`#edit-${CODE}-region`).press('Enter');
  await page.locator('#branch-list tbody tr', { hasText: CODE }).locator('.branch-format', { hasText: 'Drive-through' }).waitFor();
  const branch = (await (await fetch(`${BASE_URL}/api/v1/branches`)).json()).find((b) => b.code === CODE);
  assert.equal(branch.format, FORMAT);
  // A format a branch has is not removed: the server's 409, said in the row.
  await page.locator(`#format-list .remove[data-code="${FORMAT}"]`).click();
  await row.locator('.field-error').waitFor();
  await axe('formats');
  assert.deepEqual(unexpected(opened.errors, [409]), []);
});

test('questionnaires: upload a valid file, refuse an invalid one with its message, choose the version in use', async () => {
  await section('questionnaires');
  await page.locator('#questionnaire-list').waitFor();
  await axe('questionnaires');
  const base = JSON.parse(readFileSync('../questionnaires/kiosk.json', 'utf8'));
  const id = `e2e_lobby_${TAG.toLowerCase()}`;
  // A title of its own: the kiosk and shell tests find the lobby's by its title.
  base.title = Object.fromEntries(Object.keys(base.title).map((l) => [l, `E2E upload ${TAG}`]));
  const file = (name, content) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const upload = async (path) => {
    await page.setInputFiles('#upload-file', path);
    await page.locator('#upload-questionnaire button[type="submit"]').click();
  };
  // Not JSON, and an unknown dimension: the loader's message, naming the item.
  await upload(file('broken.json', '{"id": '));
  await page.locator('#upload-file-error').waitFor();
  const bad = structuredClone(base);
  bad.id = id;
  bad.sections[0].items[0].dimension = 'speed';
  await upload(file('bad.json', bad));
  await page.locator('#upload-file-error', { hasText: 'speed' }).waitFor();
  assert.equal(await page.locator(`#questionnaire-list tr[data-id="${id}"]`).count(), 0);
  // Two good versions.
  for (const version of [1, 2]) {
    await upload(file(`v${version}.json`, { ...base, id, version }));
    await page.locator(`#questionnaire-list tr[data-id="${id}"][data-version="${version}"]`).waitFor();
  }
  // The same id and version again: the server's 409, shown.
  await upload(file('again.json', { ...base, id, version: 2 }));
  await page.locator('#upload-file-error').waitFor();
  // Whichever is not in use, then the other: one in use at a time.
  for (const version of [2, 1]) {
    const row = page.locator(`#questionnaire-list tr[data-id="${id}"][data-version="${version}"]`);
    if ((await row.locator('.activate').count()) > 0) await row.locator('.activate').click();
    await row.locator('.in-use').waitFor();
    const other = page.locator(`#questionnaire-list tr[data-id="${id}"][data-version="${3 - version}"]`);
    await other.locator('.activate').waitFor();
    const served = await (await fetch(`${BASE_URL}/api/v1/questionnaires/${id}`)).json();
    assert.equal(served.version, version);
  }
  assert.deepEqual(unexpected(opened.errors, [409, 422]), []);
});

test('visits: assign one, checked first, and see it listed', async () => {
  await section('visits');
  await page.locator('#visit-branch option[value="N01"]').waitFor({ state: 'attached' });
  await page.locator('#visit-questionnaire_id option[value="branch_visit"]').waitFor({ state: 'attached' });
  await axe('visits');
  await page.locator('#assign-visit button[type="submit"]').click();
  await page.locator('#assign-visit .field-error').waitFor();
  const scenario = `e2e ${TAG}: open a savings account`;
  await page.selectOption('#visit-branch', 'N01');
  await page.fill('#visit-scenario', scenario);
  await page.selectOption('#visit-questionnaire_id', 'branch_visit');
  const from = new Date().toISOString().slice(0, 10);
  const to = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await page.fill('[id="visit-window.from"]', from);
  await page.fill('[id="visit-window.to"]', to);
  await page.fill('#visit-shopper', 'e2e shopper');
  await page.locator('#assign-visit button[type="submit"]').click();
  const row = page.locator('#visit-list tbody tr', { hasText: scenario });
  await row.waitFor();
  assert.match(await row.textContent(), new RegExp(`${to}.*N01.*e2e shopper.*Assigned`));
  assert.deepEqual(unexpected(opened.errors), []);
});

test('devices: a kiosk gets a one-time code as text and QR code; revoked, its code no longer enrols', async () => {
  await section('devices');
  await page.locator('#device-branch option[value="N01"]').waitFor({ state: 'attached' });
  await axe('devices');
  // A kiosk needs a label and a branch.
  await page.locator('#add-device button[type="submit"]').click();
  await page.locator('#device-label-error').waitFor();
  const label = `Lobby tablet ${TAG}`;
  await page.fill('#device-label', label);
  await page.selectOption('#device-branch', 'N01');
  await page.locator('#add-device button[type="submit"]').click();
  await page.locator('#enrolment').waitFor();
  const code = (await page.locator('#enrol-code').textContent()).trim();
  assert.match(code, /^[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}$/);
  const qr = page.locator('#enrol-qr svg');
  await qr.waitFor();
  assert.ok((await qr.boundingBox()).width > 100, 'the QR code is drawn large enough to scan');
  assert.equal(await page.locator('#enrol-qr script, #enrol-qr [onload], #enrol-qr a').count(), 0);
  await axe('devices with an enrolment code');
  const row = page.locator('#device-list tbody tr', { hasText: label });
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'Pending');
  // A new code, asked first: shown in place of the old one, which no longer enrols.
  await row.getByRole('button', { name: 'New code' }).click();
  await row.locator('.confirm button.danger').click();
  await page.waitForFunction((old) => document.querySelector('#enrol-code')?.textContent.trim() !== old, code);
  const old = await fetch(`${BASE_URL}/api/v1/devices/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  assert.equal(old.status, 401, 'the replaced code no longer enrols');
  const renewed = (await page.locator('#enrol-code').textContent()).trim();
  // Revoking asks first; Cancel keeps it.
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await row.getAttribute('data-status'), 'Pending');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Yes, revoke' }).click();
  await page.locator(`#device-list tbody tr[data-status="Revoked"]`, { hasText: label }).waitFor();
  const enrol = await fetch(`${BASE_URL}/api/v1/devices/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: renewed }),
  });
  assert.equal(enrol.status, 401);
  // A shopper's phone needs a shopper, not a branch.
  await page.locator('input[name="device-kind"][value="shopper"]').check();
  await page.fill('#device-label', `Phone ${TAG}`);
  await page.locator('#add-device button[type="submit"]').click();
  await page.locator('#device-shopper-error').waitFor();
  assert.deepEqual(unexpected(opened.errors), []);
});

test("devices: a kiosk's staff PIN, checked first and set later; a kiosk silent for more than a day is said in words", async () => {
  await section('devices');
  await page.locator('input[name="device-kind"][value="kiosk"]').check();
  await page.locator('#device-branch option[value="N01"]').waitFor({ state: 'attached' });
  // A PIN is 4 to 8 digits: said before anything is sent.
  const label = `PIN kiosk ${TAG}`;
  await page.fill('#device-label', label);
  await page.selectOption('#device-branch', 'N01');
  await page.fill('#device-pin', '12a');
  await page.locator('#add-device button[type="submit"]').click();
  await page.locator('#device-pin-error').waitFor();
  assert.equal(await page.locator('#device-pin').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#device-list tbody tr', { hasText: label }).count(), 0);
  await page.fill('#device-pin', '40516');
  await page.locator('#add-device button[type="submit"]').click();
  await page.locator('#enrolment').waitFor();
  const row = page.locator('#device-list tbody tr', { hasText: label });
  await row.waitFor();
  assert.equal(await row.locator('.pin-state').getAttribute('data-set'), 'true');
  assert.match(await row.locator('td.report').textContent(), /No report yet/);
  const id = await row.getAttribute('data-id');
  const listed = async (which) => (await (await asUser(admin, 'GET', '/api/v1/devices')).json()).find((d) => d.id === which);
  assert.equal((await listed(id)).pin_set, true);
  // A shopper's phone has no PIN to set.
  await page.locator('input[name="device-kind"][value="shopper"]').check();
  assert.equal(await page.locator('#device-pin').count(), 0);
  await page.locator('input[name="device-kind"][value="kiosk"]').check();
  // A kiosk made without a PIN gets one later.
  const made = await asUser(admin, 'POST', '/api/v1/devices', { kind: 'kiosk', label: `Quiet kiosk ${TAG}`, branch: 'N01' });
  assert.ok([200, 201].includes(made.status), `add device: ${made.status}`);
  const quiet = await made.json();
  const enrolled = await fetch(`${BASE_URL}/api/v1/devices/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: quiet.code }),
  });
  assert.equal(enrolled.status, 201);
  // Its last word, enrolling, was two days ago: the server's own clock
  // then finds it silent (the threshold is a day, SILENT_AFTER_HOURS).
  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000).toISOString();
  assert.equal(writeServer('UPDATE devices SET enrolled_at = ?, last_seen_at = ? WHERE id = ?', twoDaysAgo, twoDaysAgo, quiet.device.id), 1);
  await page.reload();
  const silent = page.locator(`#device-list tr[data-id="${quiet.device.id}"]`);
  await silent.waitFor();
  assert.equal(await silent.getAttribute('data-silent'), 'true');
  assert.equal((await silent.getByTestId('device-silent').textContent()).trim(), '⚠ Warning: silent for more than a day');
  assert.equal(await page.locator(`#device-list tr[data-id="${id}"] [data-testid="device-silent"]`).count(), 0, 'a kiosk not yet enrolled is not silent');
  assert.equal(await silent.locator('.pin-state').getAttribute('data-set'), 'false');
  await silent.getByRole('button', { name: 'Set PIN' }).click();
  await silent.getByLabel('New staff PIN').fill('2718');
  await silent.getByRole('button', { name: 'Save' }).click();
  await silent.getByRole('status').filter({ hasText: 'PIN saved' }).waitFor();
  assert.equal(await silent.locator('.pin-state').getAttribute('data-set'), 'true');
  await axe('devices with PINs, reports and a silent kiosk');
  assert.equal((await listed(quiet.device.id)).pin_set, true);
  assert.deepEqual(unexpected(opened.errors), []);
});

test('users: add a manager for a branch (password checked first), set a new password, switch the account off', async () => {
  await section('users');
  await page.locator('#user-list').waitFor();
  await page.locator('#user-branch option[value="N02"]').waitFor({ state: 'attached' });
  await axe('users');
  const username = `e2e.mgr.${TAG.toLowerCase()}`;
  await page.fill('#user-username', username);
  await page.fill('#user-password', 'short');
  await page.selectOption('#user-branch', 'N02');
  await page.locator('#add-user button[type="submit"]').click();
  assert.match(await page.locator('#user-password-error').textContent(), /at least 12/);
  const password = `first password ${TAG}`;
  await page.fill('#user-password', password);
  await page.locator('#add-user button[type="submit"]').click();
  const row = page.locator(`#user-list tr[data-username="${username}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /Branch manager.*N02/);
  await apiSignIn({ username, password });
  // A new role and scope: regional manager of the North.
  await row.locator('.change-scope').click();
  await row.locator('select[id$="-role"]').selectOption('regional');
  const region = row.locator('select[id$="-region"]');
  await region.locator('option[value="North"]').waitFor({ state: 'attached' });
  await region.selectOption('North');
  await row.getByRole('button', { name: 'Save' }).click();
  await page.locator(`#user-list tr[data-username="${username}"]`, { hasText: 'Regional manager' }).waitFor();
  assert.match(await row.textContent(), /Regional manager.*North/);
  const audit = await (await asUser(admin, 'GET', '/api/v1/audit?limit=20')).text();
  assert.ok(audit.includes(username), 'the change is in the audit log');
  // A new password.
  const second = `second password ${TAG}`;
  await row.locator('.set-password').click();
  await row.locator('input[type="password"]').fill(second);
  await row.getByRole('button', { name: 'Save' }).click();
  await row.getByText('Saved.').waitFor();
  await apiSignIn({ username, password: second });
  // Switched off: it can no longer sign in.
  await row.getByRole('button', { name: 'Switch off' }).click();
  await row.locator('button.danger').click();
  await row.getByText('Switched off').waitFor();
  const refused = await fetch(`${BASE_URL}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: second }),
  });
  assert.equal(refused.status, 401);
  assert.deepEqual(unexpected(opened.errors), []);
});

test('a comment with a script tag shows as text; purging it removes the text and the audit log says so', async () => {
  const response = kiosk('N01', '2024-02-06', 4, 1, SCRIPT);
  const token = await deviceToken(admin, { branch: 'N01' });
  const sent = await fetch(`${BASE_URL}/api/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ responses: [response] }),
  });
  assert.equal(sent.status, 200, await sent.clone().text());
  // On the dashboard, and the hostile branch name in its filter, as text.
  const dash = await page.context().newPage();
  dash.on('dialog', (d) => { opened.errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  await dash.goto(`/dashboard?${WEEK}`);
  const comment = dash.locator('.comment-text', { hasText: 'e2e admin comment' });
  await comment.waitFor();
  assert.equal(await comment.textContent(), SCRIPT);
  assert.ok((await dash.locator('.dash-filters').textContent()).includes(HOSTILE));
  assert.deepEqual(await dash.evaluate(() => ({
    img: document.querySelectorAll('img[src="x"]').length,
    scripts: document.querySelectorAll('main script').length,
    pwned: window.__pwned ?? null,
  })), { img: 0, scripts: 0, pwned: null });
  // Purge, asked first.
  await section('audit');
  await page.locator('#audit-list').waitFor();
  await axe('audit');
  await page.fill('#purge-id', 'not an id');
  await page.getByRole('button', { name: "Remove a response's free text" }).click();
  await page.getByRole('button', { name: 'Yes, remove' }).click();
  await page.locator('#purge-id-error').waitFor();
  await page.fill('#purge-id', response.id);
  await page.getByRole('button', { name: "Remove a response's free text" }).click();
  await page.getByRole('button', { name: 'Yes, remove' }).click();
  assert.match(await page.locator('#purge-done').textContent(), /1 free-text answers removed/);
  await page.locator('#audit-list td.target', { hasText: response.id }).first().waitFor();
  // The dashboard no longer has it; the scores stay.
  await dash.goto(`/dashboard?${WEEK}&q=e2e+admin+comment`);
  await dash.getByText('No comments match.').waitFor();
  const figures = await asUser(admin, 'GET', `/api/v1/aggregates?${WEEK}&branches=N01`);
  assert.equal(figures.status, 200);
  assert.ok((await figures.json()).network.n >= 1, 'the response is still counted');
  await dash.close();
  assert.deepEqual(unexpected(opened.errors), []);
});

test('on a phone and in Chinese', async () => {
  await section('branches');
  await page.locator('#branch-list').waitFor();
  await page.setViewportSize(PHONE);
  assert.ok((await overflow(page)) <= 0, `no sideways scrolling on a phone (${await overflow(page)}px)`);
  await axe('branches on a phone');
  await page.locator('.language-switch button[lang="zh-CN"]').click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await page.locator('#tab-branches', { hasText: '网点' }).waitFor();
  await page.locator('#add-branch h3', { hasText: '添加网点' }).waitFor();
  await axe('branches in Chinese');
  await page.locator('.language-switch button[lang="en"]').click();
  await page.setViewportSize(TABLET_LANDSCAPE);
  assert.deepEqual(unexpected(opened.errors), []);
});

test("a server's refusal is said in the admin's language, next to the field it names", async () => {
  await section('branches');
  await page.locator('.language-switch button[lang="es"]').click();
  await page.waitForFunction(() => document.documentElement.lang === 'es');
  // Passes the form's own checks; the server answers 409 branch_exists on `code`.
  await page.fill('#branch-code', 'N01');
  await page.fill('#branch-name', 'Duplicada');
  await page.fill('#branch-region', 'North');
  await page.locator('#add-branch button[type="submit"]').click();
  const said = page.locator('#branch-code-error');
  await said.waitFor();
  assert.equal((await said.textContent()).trim(), 'ya hay una sucursal con este código');
  assert.equal(await page.locator('#branch-code').getAttribute('aria-invalid'), 'true');
  // The same problem in Chinese, once the language changes and the form is sent again.
  await page.locator('.language-switch button[lang="zh-CN"]').click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await page.locator('#add-branch button[type="submit"]').click();
  await page.locator('#branch-code-error', { hasText: '已有网点使用此代码' }).waitFor();
  await page.locator('.language-switch button[lang="en"]').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.deepEqual(unexpected(opened.errors, [409]), []);
});
