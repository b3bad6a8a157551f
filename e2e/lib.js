// Shared set-up for the end-to-end tests: Debian's Chromium through
// playwright-core (browser downloads are impossible here), pointed at the
// server that `cargo xtask test` started (BASE_URL).
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';

export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
// The first-run admin account that `cargo xtask e2e` has the server create.
export const ADMIN = { username: 'admin', password: process.env.ADMIN_PASSWORD ?? '' };

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const TABLET_PORTRAIT = { width: 768, height: 1024 };
export const TABLET_LANDSCAPE = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: FLAGS,
  });
}

/// A fresh context and page that record every page error and console error,
/// so a test can assert the app ran cleanly (a broken wasm-opt shows up here).
export async function openPage(
  browser,
  { viewport = TABLET_LANDSCAPE, locale = 'en-US', baseURL = BASE_URL } = {},
) {
  const context = await browser.newContext({ viewport, locale, baseURL, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return { context, page, errors };
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/// axe-core's serious and critical violations on the current page.
export async function seriousViolations(page) {
  // Evaluated, not added as a <script>: the app's Content-Security-Policy
  // rightly refuses inline scripts, and the tests keep that policy on.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export const DATABASE_PATH = process.env.DATABASE_PATH;

/// Poll `check` until it returns true; anything else is kept as the last
/// state for the failure message.
export async function eventually(what, check, { timeout = 60_000, every = 250 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last === true) return;
    await new Promise((r) => setTimeout(r, every));
  }
  assert.fail(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/// Run a read-only query on the server's SQLite file (WAL-safe) with python3.
export function queryServer(sql, ...params) {
  assert.ok(DATABASE_PATH, 'DATABASE_PATH names the server database (set by cargo xtask test)');
  const script =
    'import sqlite3, sys, json\n' +
    "c = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)\n" +
    'print(json.dumps([list(r) for r in c.execute(sys.argv[2], sys.argv[3:])]))';
  return JSON.parse(execFileSync('python3', ['-c', script, DATABASE_PATH, sql, ...params]).toString());
}

/// Change the server's SQLite file under it (WAL-safe, waiting for its
/// locks), for what only time could do otherwise: how many rows changed.
export function writeServer(sql, ...params) {
  assert.ok(DATABASE_PATH, 'DATABASE_PATH names the server database (set by cargo xtask test)');
  const script =
    'import sqlite3, sys\n' +
    'c = sqlite3.connect(sys.argv[1], timeout=30)\n' +
    'n = c.execute(sys.argv[2], sys.argv[3:]).rowcount\n' +
    'c.commit()\n' +
    'print(n)';
  return Number(execFileSync('python3', ['-c', script, DATABASE_PATH, sql, ...params]).toString());
}

/// Ids the server stored for `device`.
export function storedIds(device) {
  return queryServer('SELECT id FROM responses WHERE device_id = ?', device).map((r) => r[0]);
}

/// Put `list` into the app's IndexedDB outbox in one transaction, in the
/// record schema documented in src/storage/outbox.rs.
export async function seedOutbox(page, list) {
  await page.evaluate(async (items) => {
    const db = await new Promise((ok, fail) => {
      const open = indexedDB.open('branchpulse');
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    await new Promise((ok, fail) => {
      const tx = db.transaction('outbox', 'readwrite');
      const queuedAt = new Date().toISOString();
      for (const response of items) tx.objectStore('outbox').put({ id: response.id, response, queued_at: queuedAt, attempts: 0 });
      tx.oncomplete = ok;
      tx.onerror = () => fail(tx.error);
    });
    db.close();
  }, list);
}
