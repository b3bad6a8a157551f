// First-question benchmark (prints figures, asserts nothing).
//
// The kiosk on a tablet and the shop's visit form on a phone, each beside a
// SurveyJS page of the same questionnaire (bench/surveyjs.js), measured in
// the same run, alternately, in a fresh browser profile each time (nothing
// cached) with the CPU slowed 4× through CDP: from navigation to the first
// question's answer buttons on screen. The ratio ours / SurveyJS is what
// the targets speak of (≤ 0.4×); absolute times depend on the machine.
//
//   BASE_URL=http://127.0.0.1:8080 node bench/first-question.js
import { readFileSync } from 'node:fs';
import { BASE_URL, launch, openPage, PHONE, TABLET_LANDSCAPE } from '../lib.js';
import { enrolShopper } from '../access-steps.js';
import { setUp } from '../kiosk-steps.js';
import { startAdHoc } from '../shop-steps.js';
import { serveReference, toSurveyJs } from './surveyjs.js';

const RUNS = Number(process.env.RUNS ?? 7);
// Which screens to measure (SCREENS=shop for one alone).
const WHICH = (process.env.SCREENS ?? 'kiosk,shop').split(',');
const TARGET = 0.4;
const questionnaire = (file) => JSON.parse(readFileSync(new URL(`../../questionnaires/${file}`, import.meta.url)));

// Records, in page time (0 = navigation start), when the first element
// matching `selector` is in the DOM (the measure the target speaks of), and
// beside it when the frame that draws it is done: the first task after the
// next animation frame (style, layout and paint run between the two).
const PROBE = (selector) => {
  window.__firstQuestion = undefined;
  window.__onScreen = undefined;
  const look = () => {
    if (window.__firstQuestion === undefined && document.querySelector(selector)) {
      window.__firstQuestion = performance.now();
      requestAnimationFrame(() => setTimeout(() => { window.__onScreen = performance.now(); }));
    }
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true });
};

const SCREENS = {
  kiosk: { viewport: TABLET_LANDSCAPE, ours: '.kiosk .face', theirs: '.sd-question .sd-rating__item-smiley' },
  shop: { viewport: PHONE, ours: '.shop-timing .shop-tap', theirs: '.sd-question .sd-item' },
};

/// Everything the device keeps in localStorage once set up: the kiosk
/// enrolled and set up, or the phone enrolled with a visit begun.
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

/// One cold load of `url`: ms to the first question, and bytes over the wire.
async function once(browser, url, { viewport, selector, storage = {} }) {
  const { context, page } = await openPage(browser, { viewport });
  await context.addInitScript((s) => {
    if (!localStorage.length) for (const [k, v] of Object.entries(s)) localStorage.setItem(k, v);
  }, storage);
  await context.addInitScript(PROBE, selector);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.goto(url);
  await page.locator(selector).first().waitFor();
  await page.waitForFunction(() => window.__onScreen !== undefined);
  const m = await page.evaluate(() => {
    const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    return { ms: window.__firstQuestion, drawn: window.__onScreen, bytes: entries.reduce((sum, e) => sum + (e.encodedBodySize ?? 0), 0) };
  });
  await context.close();
  return m;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const reference = await serveReference({
  '/kiosk.html': toSurveyJs(questionnaire('kiosk.json'), { onePerItem: true }),
  '/shop.html': toSurveyJs(questionnaire('mystery_shop.json'), { onePerItem: false }),
});
const browser = await launch();
try {
  const setups = {};
  for (const screen of WHICH) setups[screen] = await configure(browser, screen);
  const runs = { kiosk: { ours: [], theirs: [] }, shop: { ours: [], theirs: [] } };
  // One warm-up of each (server, OS file cache), then alternate.
  for (let i = -1; i < RUNS; i++) {
    for (const screen of WHICH) {
      const { viewport, ours, theirs } = SCREENS[screen];
      const a = await once(browser, `${BASE_URL}${setups[screen].path}`, { viewport, selector: ours, storage: setups[screen].storage });
      const b = await once(browser, `${reference.url}/${screen}.html`, { viewport, selector: theirs });
      if (i >= 0) {
        runs[screen].ours.push(a);
        runs[screen].theirs.push(b);
      }
    }
  }
  const fmt = (ms) => `${Math.round(ms).toLocaleString('en')} ms`;
  const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
  console.log(`First question, fresh profile, CPU 4× slower, median of ${RUNS} alternate runs (${BASE_URL}):`);
  const labels = { kiosk: 'kiosk, tablet 1280×800', shop: 'shop visit form, phone 360×740' };
  for (const screen of WHICH) {
    const label = labels[screen];
    const ours = median(runs[screen].ours.map((r) => r.ms));
    const theirs = median(runs[screen].theirs.map((r) => r.ms));
    const ratio = ours / theirs;
    console.log(`  ${label}:`);
    console.log(`    BranchPulse ${fmt(ours)} (${kb(median(runs[screen].ours.map((r) => r.bytes)))} over the wire)`);
    console.log(`    SurveyJS    ${fmt(theirs)} (${kb(median(runs[screen].theirs.map((r) => r.bytes)))} over the wire)`);
    console.log(`    ratio ${ratio.toFixed(2)}× SurveyJS; target ≤ ${TARGET}×: ${ratio <= TARGET ? 'within' : 'OVER'}`);
    const drawn = median(runs[screen].ours.map((r) => r.drawn));
    const theirsDrawn = median(runs[screen].theirs.map((r) => r.drawn));
    console.log(`    (beside: its frame drawn at ${fmt(drawn)} vs ${fmt(theirsDrawn)}, ${(drawn / theirsDrawn).toFixed(2)}×)`);
  }
} finally {
  await browser.close();
  await reference.close();
}
