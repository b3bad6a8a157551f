// Alerts and follow-up cases end to end (issue 20), across two people and
// a kiosk: the admin makes an unhappy-burst rule for a branch of its own in
// /admin (a threshold out of range is refused at its field first); kiosk
// responses sent through the API break it; the branch's manager, on a
// phone (360×740) with the inbox open, sees the unread count rise without
// a reload, opens the alert (read: the count falls), makes a case, moves it
// to in progress → resolved → customer informed with a note and reads its
// history; the dashboard's case counts show it for the branch. axe on the
// inbox, the case page and the rules form.
//
// The second test: a webhook made in /admin (an address that is no web
// address refused at its field) shows its secret once; a test post reaches
// a receiver this test runs, signed, and is said in words; the rule form
// gives it to the first test's rule; an alert it is sent shows in its
// delivery log as delivered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { ADMIN, PHONE, eventually, launch, seriousViolations } from './lib.js';
import { addUser, apiSignIn, asUser, open, overflow, signInPage } from './admin-steps.js';
import { deviceToken } from './access-steps.js';
import { kiosk } from './dashboard-data.js';

const TAG = randomUUID().slice(0, 6).toUpperCase();
const BRANCH = `AL${TAG}`;
const RULE = `Unhappy lobby ${TAG}`;
const NOTE = `Called the customer back ${TAG}: the fee is refunded`;

let browser;
let admin;
before(async () => {
  browser = await launch();
  admin = await apiSignIn(ADMIN);
  // A branch of this test's own, in a region of its own: its counts and
  // alerts are this test's alone.
  const made = await asUser(admin, 'POST', '/api/v1/branches', { code: BRANCH, name: `Alerts ${TAG}`, region: `Region ${TAG}`, active: true });
  assert.ok([200, 201].includes(made.status), `add branch: ${made.status} ${await made.clone().text()}`);
});
after(async () => { await browser?.close(); });

/// Errors a page may show on purpose here: the refusals the test provokes.
function realErrors(errors) {
  return errors.filter((e) => !/Failed to load resource|status of (401|409|422|400)/.test(e));
}

/// Kiosk responses at the branch, answered `overall` = each of `scores`,
/// submitted in the last minutes, sent as the kiosk sends them.
async function kioskResponses(token, scores) {
  const now = Date.now();
  const responses = scores.map((score, k) => {
    const r = kiosk(BRANCH, new Date(now).toISOString().slice(0, 10), 3, k);
    r.answers.overall = { type: 'rating', value: score };
    r.started_at = new Date(now - (scores.length - k) * 60_000 - 40_000).toISOString();
    r.submitted_at = new Date(now - (scores.length - k) * 60_000).toISOString();
    r.device_id = `e2e-alerts-${TAG}`;
    return r;
  });
  const resp = await fetch(`${admin.base}/api/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ responses }),
  });
  const text = await resp.text();
  assert.equal(resp.status, 200, text);
  assert.deepEqual(JSON.parse(text).results.map((r) => r.status), scores.map(() => 'accepted'));
}

async function rules() {
  const resp = await asUser(admin, 'GET', '/api/v1/alert-rules');
  assert.equal(resp.status, 200, await resp.clone().text());
  return resp.json();
}

async function unread(session) {
  const resp = await asUser(session, 'GET', '/api/v1/alerts/unread');
  assert.equal(resp.status, 200, await resp.clone().text());
  return (await resp.json()).count;
}

test('a rule made in admin, broken at the kiosk, followed up by the manager on a phone', async () => {
  // The admin makes the rule: a threshold out of range is refused at its
  // field; then 3 answers in 60 min, 60 % of them 2 or below.
  const adm = await open(browser, null);
  await signInPage(adm.page, ADMIN, '/admin?s=alerts');
  const a = adm.page;
  await a.locator(`#rule-form`).waitFor();
  await a.fill('#rule-name', RULE);
  await a.selectOption('#rule-kind', 'unhappy_burst');
  await a.fill('[id="rule-rule.window_minutes"]', '2');
  await a.locator('#rule-form button[type="submit"]').click();
  await a.locator('[id="rule-rule.window_minutes-error"]', { hasText: 'Enter a whole number from 5 to 1440.' }).waitFor();
  assert.equal(await a.getAttribute('[id="rule-rule.window_minutes"]', 'aria-invalid'), 'true');
  await a.fill('[id="rule-rule.window_minutes"]', '60');
  await a.fill('[id="rule-rule.min_count"]', '3');
  await a.fill('[id="rule-rule.share_percent"]', '60');
  await a.fill('[id="rule-rule.low_max"]', '2');
  await a.selectOption('#rule-scope-kind', 'branch');
  await a.locator(`#rule-scope option[value="${BRANCH}"]`).waitFor({ state: 'attached' });
  await a.selectOption('#rule-scope', BRANCH);
  assert.equal(await a.isChecked('#rule-role-manager'), true, 'managers receive it by default');
  assert.deepEqual(await seriousViolations(a), [], 'axe on the rules form');
  await a.locator('#rule-form button[type="submit"]').click();
  const row = a.locator('#rule-list li', { hasText: RULE });
  await row.waitFor();
  assert.match(await row.textContent(), /60 % or more of at least 3 answers at 2 or below, within 60 min/);
  assert.match(await row.textContent(), new RegExp(`Branch: ${BRANCH}`));
  const rule = (await rules()).find((r) => r.name === RULE);
  assert.ok(rule, 'the rule is stored');
  assert.deepEqual(rule.rule, { kind: 'unhappy_burst', window_minutes: 60, min_count: 3, share_percent: 60, low_max: 2 });
  assert.deepEqual(rule.scope, { kind: 'branch', value: BRANCH });
  assert.ok(rule.recipients.roles.includes('manager'));
  assert.equal(rule.active, true);

  // The branch's manager has the inbox open on a phone, polling every second.
  const manager = await addUser(admin, { role: 'manager', branch: BRANCH });
  const session = await apiSignIn(manager);
  const phone = await open(browser, null, { viewport: PHONE });
  const p = phone.page;
  await signInPage(p, manager, '/dashboard?s=inbox&poll=1');
  const count = p.locator('#inbox-link .inbox-count');
  await p.locator('#inbox-title').waitFor();
  await p.locator('.empty', { hasText: 'No alerts match.' }).waitFor();
  assert.equal(await count.getAttribute('data-count'), '0');
  assert.equal(await count.getAttribute('aria-live'), 'polite');

  // Two unhappy answers are not enough (at least 3); the third makes 2 of 3.
  const { token } = await deviceToken({ branch: BRANCH });
  await kioskResponses(token, [1, 5]);
  await kioskResponses(token, [2]);
  await eventually('the alert to reach the manager', async () => (await unread(session)) === 1 || await unread(session));
  await p.locator('#inbox-link .inbox-count[data-count="1"]', { hasText: '1 unread' }).waitFor({ timeout: 15_000 });
  const item = p.locator('#alert-list .follow-item.unread');
  await item.waitFor();
  assert.equal(await p.locator('#alert-list .follow-item').count(), 1);
  const said = await item.textContent();
  assert.match(said, /Unread/, 'unread is said in words');
  assert.match(said, /Unhappy customers/);
  assert.match(said, new RegExp(`${BRANCH} Alerts ${TAG}`));
  assert.match(said, /2 of 3 answers unhappy in 60 min/);
  assert.equal(await overflow(p), 0, 'no sideways scrolling at 360 px');
  assert.deepEqual(await seriousViolations(p), [], 'axe on the inbox');

  // Opening it marks it read; the count falls without a reload.
  await item.getByRole('link', { name: 'Unhappy customers' }).click();
  await p.locator('#alert-title').waitFor();
  await p.locator('#inbox-link .inbox-count[data-count="0"]').waitFor({ state: 'attached', timeout: 15_000 });
  assert.equal(await unread(session), 0);
  assert.match(await p.locator('.alert-page .finding').textContent(), /2 of 3 answers unhappy in 60 min/);
  assert.match(await p.locator('#case-owner').textContent(), new RegExp(manager.username), 'a manager owns the case they make');

  // A case, moved step by step, the last step with a note.
  await p.fill('#case-note', `First look ${TAG}`);
  await p.locator('#make-case button[type="submit"]').click();
  await p.locator('#case-title').waitFor();
  assert.match(await p.locator('#case-status').textContent(), /Open/);
  assert.deepEqual(await seriousViolations(p), [], 'axe on the case page');
  assert.equal(await overflow(p), 0, 'no sideways scrolling on the case page');
  await p.getByRole('button', { name: 'Start work (in progress)' }).click();
  await p.locator('#case-status', { hasText: 'In progress' }).waitFor();
  await p.getByRole('button', { name: 'Mark resolved' }).click();
  await p.locator('#case-status', { hasText: 'Resolved' }).waitFor();
  assert.equal(await p.getByRole('button', { name: 'Reopen (in progress)' }).count(), 1, 'a resolved case may be reopened');
  await p.fill('#case-note', NOTE);
  await p.getByRole('button', { name: 'Customer informed (close)' }).click();
  await p.locator('#case-status', { hasText: 'Customer informed' }).waitFor();
  assert.equal(await p.locator('#case-act button.step').count(), 0, 'a closed case takes no more steps');
  const history = await p.locator('#case-history').textContent();
  for (const line of ['made the case', `First look ${TAG}`, 'status: In progress', 'status: Resolved', 'status: Customer informed', NOTE]) {
    assert.ok(history.includes(line), `the history says “${line}”: ${history}`);
  }
  assert.match(history, new RegExp(manager.username));

  // The case list has it, closed; the inbox says the alert has a case.
  await p.goto('/dashboard?s=cases');
  const card = p.locator('#case-list .follow-item');
  await card.first().waitFor();
  assert.match(await card.first().textContent(), /Customer informed/);
  await p.check('#cases-overdue');
  await p.locator('.empty', { hasText: 'No cases match.' }).waitFor();

  // The dashboard counts the branch's case, closed.
  await p.goto('/dashboard');
  const stats = p.locator(`#case-stats tr[data-branch="${BRANCH}"]`);
  await stats.waitFor();
  const cells = await stats.locator('td').allTextContents();
  assert.deepEqual(cells.slice(0, 5), ['0', '0', '0', '0', '1'], 'open, in progress, overdue, resolved, informed');
  assert.match(cells[5], /^\d+(\.\d)? (h|d)$/, 'a median time to resolve');

  assert.deepEqual(realErrors(adm.errors), []);
  assert.deepEqual(realErrors(phone.errors), []);
  for (const o of [adm, phone]) await o.context.close();
});

test('a webhook shows its secret once, answers a test, and its log shows an alert delivered', async () => {
  const received = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body) });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise((ok) => receiver.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${receiver.address().port}/hook`;
  const made = [];
  try {
    const adm = await open(browser, null);
    await signInPage(adm.page, ADMIN, '/admin?s=alerts');
    const a = adm.page;
    await a.fill('#hook-name', `Receiver ${TAG}`);
    await a.fill('#hook-url', 'ftp://nowhere');
    await a.locator('#hook-form button[type="submit"]').click();
    await a.locator('#hook-url-error', { hasText: 'https://' }).waitFor();
    assert.equal(await a.getAttribute('#hook-url', 'aria-invalid'), 'true');
    await a.fill('#hook-url', url);
    await a.locator('#hook-form button[type="submit"]').click();
    const secret = await a.locator('#hook-secret-value').inputValue();
    assert.ok(secret.length >= 16, 'the secret is shown once made');
    const row = a.locator('#hook-list li', { hasText: `Receiver ${TAG}` });
    await row.waitFor();
    assert.ok(!(await row.textContent()).includes(secret), 'the list shows only its end');
    await a.getByRole('button', { name: 'Done, hide it' }).click();
    assert.equal(await a.locator('#hook-secret').count(), 0);
    const hookId = await row.getAttribute('data-hook');

    // A test post now: signed, and said in words.
    await row.getByRole('button', { name: 'Send a test now' }).click();
    await row.locator('.hook-tested', { hasText: /#1 delivered \(HTTP 200, \d+ ms\)/ }).waitFor();
    assert.equal(received.length, 1);
    assert.equal(received[0].body.event, 'webhook.test');
    assert.match(received[0].headers['x-branchpulse-signature'] ?? '', /^t=\d+,v1=[0-9a-f]{64}$/);

    // The first test's rule is given it through the form.
    const rule = (await rules()).find((r) => r.name === RULE);
    await a.locator(`#rule-list li[data-rule="${rule.id}"]`).getByRole('button', { name: 'Edit' }).click();
    await a.locator('#rule-form-title', { hasText: 'Change the alert rule' }).waitFor();
    assert.equal(await a.inputValue('#rule-name'), RULE, 'the form is prefilled');
    await a.getByLabel(`Receiver ${TAG}`).check();
    await a.locator('#rule-form button[type="submit"]').click();
    await a.locator('#rule-form-title', { hasText: 'Add an alert rule' }).waitFor();
    await eventually('the rule to send to it', async () =>
      JSON.stringify((await rules()).find((r) => r.id === rule.id).recipients.webhooks) === JSON.stringify([hookId]) || 'not yet');

    // A low score with a comment at the branch, to a rule that sends to the webhook.
    const low = await asUser(admin, 'POST', '/api/v1/alert-rules', {
      name: `Low with comment ${TAG}`,
      rule: { kind: 'low_score_comment', low_max: 1 },
      scope: { kind: 'branch', value: BRANCH },
      recipients: { roles: [], webhooks: [hookId], emails: [] },
      active: true,
    });
    assert.ok([200, 201].includes(low.status), await low.clone().text());
    made.push((await low.json()).id);
    const { token } = await deviceToken({ branch: BRANCH });
    const r = kiosk(BRANCH, new Date().toISOString().slice(0, 10), 1, 0, `Nobody helped me ${TAG}`);
    r.answers.overall = { type: 'rating', value: 1 };
    r.started_at = new Date(Date.now() - 60_000).toISOString();
    r.submitted_at = new Date().toISOString();
    const sent = await fetch(`${admin.base}/api/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ responses: [r] }),
    });
    assert.equal(sent.status, 200, await sent.text());
    await eventually('the alert to reach the receiver', async () => received.some((x) => x.body.event === 'alert.raised') || received.length);
    const raised = received.find((x) => x.body.event === 'alert.raised').body.alert;
    assert.equal(raised.branch, BRANCH);
    assert.deepEqual(raised.finding, { kind: 'low_score_comment', score: 1, comment: `Nobody helped me ${TAG}` });

    await row.getByRole('button', { name: 'Delivery log' }).click();
    const log = a.locator('#delivery-log');
    await log.waitFor();
    await eventually('the log to show the delivery', async () => {
      await log.getByRole('button', { name: 'Refresh' }).click();
      return (await log.locator('li[data-status="delivered"]').count()) === 1 || await log.textContent();
    });
    assert.match(await log.locator('li[data-status="delivered"]').textContent(), /Delivered[\s\S]*UTC · #1 delivered \(HTTP 200, \d+ ms\)/);
    assert.deepEqual(await seriousViolations(a), [], 'axe on the webhooks and their log');
    assert.deepEqual(realErrors(adm.errors), []);

    // The rules are switched off again: other tests' kiosks raise nothing.
    await a.locator(`#rule-list li[data-rule="${rule.id}"]`).getByRole('button', { name: 'Switch off' }).click();
    await eventually('the rule switched off', async () => (await rules()).find((x) => x.id === rule.id).active === false || 'on');
    await adm.context.close();
  } finally {
    for (const id of made) await asUser(admin, 'DELETE', `/api/v1/alert-rules/${id}`);
    receiver.close();
  }
});
