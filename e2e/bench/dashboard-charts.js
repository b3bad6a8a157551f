// Dashboard drawing benchmark (prints figures, asserts nothing).
//
// Seeds the server with a network like the demo's (12 branches, 2,400 kiosk
// responses and 100 mystery-shop visits over 12 weeks), then opens the
// dashboard in a fresh browser profile RUNS times (default 9) and reads the
// app's performance marks:
//   dashboard:data     the aggregates have arrived and been decoded;
//   dashboard:charts   every chart of both channels' sections (SVG built by
//                      plotters) and their tables are in the DOM;
//   dashboard:painted  the frame after that (layout and paint included).
// Median of the runs, at normal speed and with the CPU slowed 4× (CDP), as a
// mid-range tablet.
//
//   BASE_URL=http://127.0.0.1:8080 node bench/dashboard-charts.js
import { BASE_URL, launch, openPage, TABLET_LANDSCAPE } from '../lib.js';
import { network } from '../dashboard-data.js';
import { postAsDevices, signInBrowser } from '../access-steps.js';

const RUNS = Number(process.env.RUNS ?? 9);
const START = '2025-09-01';
const QUERY = 'from=2025-09-01&to=2025-11-23';

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function once(browser, rate) {
  const { context, page } = await openPage(browser, { viewport: TABLET_LANDSCAPE });
  // The dashboard is for people: the admin's session.
  await signInBrowser(context);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  await page.goto(`${BASE_URL}/dashboard?${QUERY}`);
  await page.waitForFunction(() => performance.getEntriesByName('dashboard:painted').length > 0, null, { timeout: 120_000 });
  const m = await page.evaluate(() => {
    const at = (name) => performance.getEntriesByName(name).at(-1).startTime;
    return { data: at('dashboard:data'), charts: at('dashboard:charts'), painted: at('dashboard:painted'), svgs: document.querySelectorAll('.chart-svg svg').length };
  });
  await context.close();
  // Kiosk: headline, dimensions, radar, trend; shop: dimensions, mystery
  // score, waits per branch, wait histogram, trend, and the scorecard and
  // heat map once the server stores their sums.
  if (m.svgs < 9) throw new Error(`expected at least 9 charts, found ${m.svgs}`);
  return m;
}

const codes = ['N01', 'N02', 'N03', 'N04', 'N05', 'N06', 'S01', 'S02', 'S03', 'S04', 'S05', 'S06'];
// Sent as the devices would: each branch's kiosk and a shopper's phone with their tokens.
await postAsDevices(network({
  start: START,
  weeks: 12,
  visits: 100,
  branches: codes.map((code, i) => ({ code, level: 2 + (i % 4), n: 200, shopped: true })),
}));

const browser = await launch();
try {
  await once(browser, 1); // warm the server and the OS file cache
  const fmt = (ms) => `${ms.toFixed(1)} ms`;
  console.log(`Dashboard: data arrival → charts drawn, fresh profile, median of ${RUNS} runs (${BASE_URL}):`);
  const { svgs } = await once(browser, 1);
  console.log(`  12 branches, 2,400 kiosk responses, 100 visits, 12 weeks; ${svgs} charts with their tables`);
  for (const rate of [1, 4]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once(browser, rate));
    const label = rate === 1 ? 'CPU as is    ' : `CPU ${rate}× slower`;
    console.log(`  ${label}  data → charts in the DOM ${fmt(median(runs.map((r) => r.charts - r.data)))}` +
      `;  data → painted ${fmt(median(runs.map((r) => r.painted - r.data)))}` +
      `;  navigation → painted ${fmt(median(runs.map((r) => r.painted)))}`);
  }
} finally {
  await browser.close();
}
