// Which functions the main thread runs before the first question (prints
// figures, asserts nothing): the cold load of bench/first-question.js with
// V8's sampling profiler on, self and total time per function up to the
// first answer buttons. Wasm functions have names only in a build that
// keeps them (docs/size.md, "Speed").
//
//   RUNS=3 SCREENS=kiosk BASE_URL=http://127.0.0.1:8080 node bench/first-question-profile.js
import { BASE_URL, launch, openPage, PHONE, TABLET_LANDSCAPE } from '../lib.js';
import { enrolShopper } from '../access-steps.js';
import { setUp } from '../kiosk-steps.js';
import { startAdHoc } from '../shop-steps.js';

const RUNS = Number(process.env.RUNS ?? 3);
const WHICH = (process.env.SCREENS ?? 'kiosk,shop').split(',');
const TOP = Number(process.env.TOP ?? 40);
const SCREENS = {
  kiosk: { viewport: TABLET_LANDSCAPE, selector: '.kiosk .face' },
  shop: { viewport: PHONE, selector: '.shop-timing .shop-tap' },
};

async function configure(browser, screen) {
  const { context, page } = await openPage(browser, { viewport: SCREENS[screen].viewport });
  let path = '/kiosk';
  if (screen === 'kiosk') {
    await setUp(page, { branch: 'N01' });
  } else {
    await enrolShopper(page, 'bench shopper');
    await startAdHoc(page, 'N01', 'bench');
    path = new URL(page.url()).pathname;
  }
  const storage = await page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
  await context.close();
  return { storage, path };
}

const PROBE = (selector) => {
  const look = () => {
    if (window.__firstQuestion === undefined && document.querySelector(selector)) window.__firstQuestion = performance.now();
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true });
};

// UNDER=<regex>: also the time of what the matching functions call, by callee.
const UNDER = process.env.UNDER ? new RegExp(process.env.UNDER) : null;
const under = new Map();
const self = new Map();
const total = new Map();
const browser = await launch();
try {
  for (const screen of WHICH) {
    const setup = await configure(browser, screen);
    for (let i = 0; i < RUNS; i++) {
      const { context, page } = await openPage(browser, { viewport: SCREENS[screen].viewport });
      await context.addInitScript((s) => {
        if (!localStorage.length) for (const [k, v] of Object.entries(s)) localStorage.setItem(k, v);
      }, setup.storage);
      await context.addInitScript(PROBE, SCREENS[screen].selector);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
      await page.goto(`${BASE_URL}${setup.path}`);
      await page.locator(SCREENS[screen].selector).first().waitFor();
      // The page's clock against the profiler's (monotonic, µs): taken together.
      await cdp.send('Performance.enable');
      const [{ first, now }, metrics] = await Promise.all([
        page.evaluate(() => ({ first: window.__firstQuestion, now: performance.now() })),
        cdp.send('Performance.getMetrics'),
      ]);
      const stamp = metrics.metrics.find((m) => m.name === 'Timestamp').value * 1e6;
      const { profile } = await cdp.send('Profiler.stop');
      await context.close();
      // Samples up to the first question (profile times are µs, since some origin;
      // timeOrigin is ms since the epoch, so compare through the page's clock).
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      const parent = new Map();
      for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
      let t = profile.startTime;
      const times = profile.timeDeltas.map((d) => (t += d));
      const endUs = stamp - (now - first) * 1000;
      const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}`;
      profile.samples.forEach((id, k) => {
        const dt = (profile.timeDeltas[k + 1] ?? 0) / 1000;
        if (times[k] > endUs) return;
        const n = byId.get(id);
        const key = name(n);
        self.set(key, (self.get(key) ?? 0) + dt);
        if (UNDER) {
          // The innermost matching frame's callee on this stack.
          let child = null;
          for (let p = id; p !== undefined; child = p, p = parent.get(p)) {
            if (UNDER.test(name(byId.get(p)))) {
              const k3 = child === null ? '(self)' : name(byId.get(child));
              under.set(k3, (under.get(k3) ?? 0) + dt);
              break;
            }
          }
        }
        const seen = new Set();
        for (let p = id; p !== undefined; p = parent.get(p)) {
          const k2 = name(byId.get(p));
          if (seen.has(k2)) continue;
          seen.add(k2);
          total.set(k2, (total.get(k2) ?? 0) + dt);
        }
      });
      console.log(`${screen} run ${i + 1}: first question at ${first.toFixed(0)} ms`);
    }
  }
  const show = (m, label) => {
    console.log(`${label} (ms per run):`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${(v / RUNS).toFixed(1).padStart(7)} ${k}`);
  };
  show(self, 'self time');
  show(total, 'total time');
  if (UNDER) show(under, `called by ${UNDER}`);
} finally {
  await browser.close();
}
