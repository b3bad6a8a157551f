// Several builds of the app compared in one run, alternately (prints
// figures, asserts nothing): the cold load of bench/first-question.js,
// against each server of SERVERS in turn, so that a busy machine slows them
// alike. For choosing between builds (wasm-opt levels, loaders). The device
// is set up once, on BASE_URL, and its localStorage used on every server
// (the first question needs no server; what the tokens are refused happens
// after it).
//
//   BASE_URL=http://127.0.0.1:8951 SERVERS=http://127.0.0.1:8951,http://127.0.0.1:8952 RUNS=7 SCREENS=kiosk node bench/first-question-ab.js
import { BASE_URL, launch, openPage, PHONE, TABLET_LANDSCAPE } from '../lib.js';
import { enrolShopper } from '../access-steps.js';
import { setUp } from '../kiosk-steps.js';
import { startAdHoc } from '../shop-steps.js';

const RUNS = Number(process.env.RUNS ?? 7);
const WHICH = (process.env.SCREENS ?? 'kiosk,shop').split(',');
const SERVERS = process.env.SERVERS.split(',');
const SCREENS = {
  kiosk: { viewport: TABLET_LANDSCAPE, selector: '.kiosk .face' },
  shop: { viewport: PHONE, selector: '.shop-timing .shop-tap' },
};
const PROBE = (selector) => {
  const look = () => {
    if (window.__firstQuestion === undefined && document.querySelector(selector)) window.__firstQuestion = performance.now();
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true });
};

async function configure(browser, screen) {
  const { context, page } = await openPage(browser, { viewport: SCREENS[screen].viewport });
  let path = '/kiosk';
  if (screen === 'kiosk') await setUp(page, { branch: 'N01' });
  else {
    await enrolShopper(page, 'bench shopper');
    await startAdHoc(page, 'N01', 'bench');
    path = new URL(page.url()).pathname;
  }
  const storage = await page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
  await context.close();
  return { storage, path };
}

async function once(browser, url, { viewport, selector }, storage) {
  const { context, page } = await openPage(browser, { viewport });
  await context.addInitScript((s) => {
    if (!localStorage.length) for (const [k, v] of Object.entries(s)) localStorage.setItem(k, v);
  }, storage);
  await context.addInitScript(PROBE, selector);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.goto(url);
  await page.locator(selector).first().waitFor();
  const ms = await page.evaluate(() => window.__firstQuestion);
  await context.close();
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const browser = await launch();
try {
  for (const screen of WHICH) {
    const setup = await configure(browser, screen);
    const setups = SERVERS.map(() => setup);
    const times = SERVERS.map(() => []);
    for (let i = -1; i < RUNS; i++) {
      for (const [k, server] of SERVERS.entries()) {
        const ms = await once(browser, `${server}${setups[k].path}`, SCREENS[screen], setups[k].storage);
        if (i >= 0) times[k].push(ms);
      }
    }
    console.log(`${screen}, median of ${RUNS} alternate runs:`);
    for (const [k, server] of SERVERS.entries()) {
      console.log(`  ${server}: ${Math.round(median(times[k]))} ms  (${times[k].map(Math.round).join(' ')})`);
    }
  }
} finally {
  await browser.close();
}
