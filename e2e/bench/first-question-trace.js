// Where the time to the first question goes (prints figures, asserts nothing).
//
// The same cold load as bench/first-question.js (fresh profile, the device's
// localStorage as set up, CPU 4× slower), recorded with Chromium's tracing:
// when each file arrived, and what the renderer's main thread did between
// navigation start and the first answer buttons in the DOM, in phases.
//
//   RUNS=3 SCREENS=kiosk,shop BASE_URL=http://127.0.0.1:8080 node bench/first-question-trace.js
import { BASE_URL, launch, openPage, PHONE, TABLET_LANDSCAPE } from '../lib.js';
import { enrolShopper } from '../access-steps.js';
import { setUp } from '../kiosk-steps.js';
import { startAdHoc } from '../shop-steps.js';

const RUNS = Number(process.env.RUNS ?? 3);
const WHICH = (process.env.SCREENS ?? 'kiosk,shop').split(',');
const SCREENS = {
  kiosk: { viewport: TABLET_LANDSCAPE, selector: '.kiosk .face' },
  shop: { viewport: PHONE, selector: '.shop-timing .shop-tap' },
};
const CATEGORIES = [
  'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.wasm',
  'disabled-by-default-v8.wasm.detailed', 'blink.user_timing', 'loading', 'netlog',
].join(',');

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
  window.__firstQuestion = undefined;
  const look = () => {
    if (window.__firstQuestion === undefined && document.querySelector(selector)) {
      window.__firstQuestion = performance.now();
      performance.mark('first-question');
    }
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true });
};

async function trace(browser, url, { viewport, selector, storage }) {
  const { context, page } = await openPage(browser, { viewport });
  await context.addInitScript((s) => {
    if (!localStorage.length) for (const [k, v] of Object.entries(s)) localStorage.setItem(k, v);
  }, storage);
  await context.addInitScript(PROBE, selector);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReportEvents' });
  await page.goto(url);
  await page.locator(selector).first().waitFor();
  const page_ = await page.evaluate(() => ({
    first: window.__firstQuestion,
    resources: performance.getEntriesByType('resource').map((e) => ({
      name: e.name.split('/').pop(), start: e.startTime, end: e.responseEnd, bytes: e.encodedBodySize,
    })),
    nav: performance.getEntriesByType('navigation').map((e) => ({ end: e.responseEnd, dcl: e.domContentLoadedEventEnd, load: e.loadEventEnd }))[0],
    marks: performance.getEntriesByType('mark').map((m) => ({ name: m.name, t: m.startTime })),
  }));
  await cdp.send('Tracing.end');
  await done;
  await context.close();
  return { events, page: page_ };
}

/// The renderer's main thread between navigation start and the first
/// question: top-level tasks, and within them the kinds of work.
function summarise(events, page) {
  const nav = events.find((e) => e.name === 'navigationStart' && e.args?.data?.isLoadingMainFrame && e.args?.data?.documentLoaderURL?.startsWith('http'))
    ?? events.find((e) => e.name === 'navigationStart');
  const t0 = nav.ts;
  const pid = nav.pid;
  const main = events.find((e) => e.pid === pid && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const tid = main?.tid ?? nav.tid;
  const end = t0 + page.first * 1000;
  const onMain = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.ts >= t0 && e.ts < end);
  // Self time by event name (children subtracted), main thread only.
  const byName = new Map();
  const stack = [];
  const sorted = onMain.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  for (const e of sorted) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    self.set(e, e.dur ?? 0);
    if (parent) self.set(parent, self.get(parent) - (e.dur ?? 0));
    stack.push(e);
  }
  for (const [e, s] of self) byName.set(e.name, (byName.get(e.name) ?? 0) + s);
  const top = [...byName].filter(([n]) => n !== 'ThreadControllerImpl::RunTask' && n !== 'RunTask')
    .sort((a, b) => b[1] - a[1]).slice(0, 14).map(([n, s]) => `${n} ${(s / 1000).toFixed(0)}`);
  // Tasks of 5 ms or more, in order, with their largest children.
  const tasks = sorted.filter((e) => (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && e.dur >= 5000);
  const lines = tasks.map((t) => {
    const kids = sorted.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && e.name !== 'RunTask' && e.name !== 'ThreadControllerImpl::RunTask');
    const big = kids.sort((a, b) => b.dur - a.dur).slice(0, 3).map((k) => {
      const what = k.args?.data?.url?.split('/').pop() ?? k.args?.data?.functionName ?? '';
      return `${k.name}${what ? `(${what})` : ''} ${(k.dur / 1000).toFixed(0)}`;
    });
    return `    ${((t.ts - t0) / 1000).toFixed(0).padStart(5)} +${(t.dur / 1000).toFixed(0).padStart(4)} ms: ${big.join(', ')}`;
  });
  // The task that holds the first question: its parts in order (ms from its start).
  const last = tasks.filter((t) => t.ts <= end).pop();
  const parts = last ? sorted.filter((e) => e !== last && e.ts >= last.ts && e.ts + e.dur <= last.ts + last.dur && e.dur >= 2000
    && !['RunTask', 'ThreadControllerImpl::RunTask'].includes(e.name))
    .map((e) => `${((e.ts - last.ts) / 1000).toFixed(0)}:${e.name}${e.args?.data?.functionName ? `(${e.args.data.functionName})` : ''}+${(e.dur / 1000).toFixed(0)}`) : [];
  const wasm = events.filter((e) => e.name.startsWith('wasm.') || e.name.startsWith('v8.wasm'))
    .filter((e) => e.ts >= t0 && e.ts < end)
    .map((e) => `${e.name}@${((e.ts - t0) / 1000).toFixed(0)}${e.dur ? `+${(e.dur / 1000).toFixed(0)}` : ''}`);
  // CPU time of the main thread's tasks up to the first question (`tdur`: the
  // thread's own time, which neither the 4× throttle nor a busy machine adds to).
  const tops = sorted.filter((e) => e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask');
  let cpu = 0;
  let covered = 0;
  for (const t of tops) {
    if (covered > t.ts) continue;
    covered = t.ts + t.dur;
    cpu += (t.tdur ?? 0) / 1000;
  }
  return { top, lines, parts, cpu, wasm: [...new Set(wasm)].slice(0, 12) };
}

const browser = await launch();
try {
  for (const screen of WHICH) {
    const setup = await configure(browser, screen);
    for (let i = 0; i < RUNS; i++) {
      const { events, page } = await trace(browser, `${BASE_URL}${setup.path}`, { ...SCREENS[screen], storage: setup.storage });
      const s = summarise(events, page);
      console.log(`${screen} run ${i + 1}: first question at ${page.first.toFixed(0)} ms (main thread CPU ${s.cpu.toFixed(0)} ms); document at ${page.nav.end.toFixed(0)}, DOMContentLoaded ${page.nav.dcl.toFixed(0)}, load ${page.nav.load.toFixed(0)}`);
      for (const r of page.resources) console.log(`    ${r.name.slice(0, 40).padEnd(40)} ${r.start.toFixed(0).padStart(5)} → ${r.end.toFixed(0).padStart(5)} ms ${(r.bytes / 1024).toFixed(1)} KB`);
      for (const m of page.marks) console.log(`    mark ${m.name} ${m.t.toFixed(0)}`);
      console.log('  main-thread tasks ≥ 5 ms (start, duration, largest parts):');
      for (const l of s.lines) console.log(l);
      console.log(`  self time by kind (ms): ${s.top.join('; ')}`);
      console.log(`  the last task's parts (start:name+ms, ≥ 2 ms): ${s.parts.join(' ')}`);
      if (s.wasm.length) console.log(`  wasm: ${s.wasm.join(' ')}`);
    }
  }
} finally {
  await browser.close();
}
