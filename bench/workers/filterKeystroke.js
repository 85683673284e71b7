'use strict';
// Issue 20 / SPEC §12: the fleet filter of the status page, keystroke by keystroke, in a real
// headless Chromium (puppeteer-core driving the Chromium of @sparticuz/chromium, as the browser
// tests do), for a fleet of N tenants: the first page (what a person gets) and, as the baseline,
// every line of the fleet table on one page. The pages are rendered by the product, served over
// loopback with their Content-Security-Policy.
//
// A keystroke's cost is the renderer's main-thread time (DevTools Performance.getMetrics
// TaskDuration) from the key press until a frame has been drawn after the debounced filter ran:
// the input event, the filter's script, style, layout and paint. "One frame" is 16.7 ms at 60 Hz.
// The same wait without a key press is measured too (the measurement's own cost, left in).
// argv: tenants, rounds (each types "customer 99" and deletes it again, 22 keystrokes).
const { Buffer } = require('node:buffer');
const http = require('node:http');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const chromium = require('@sparticuz/chromium');
const puppeteer = require('puppeteer-core');
const { fleetStatusView } = require('../lib/fleetStates');

const dist = join(__dirname, '..', '..', 'dist', 'shared');
const load = (p) => require(join(dist, p));
const { renderDashboard } = load('dashboard/renderDashboard.js');
const { dashboardCsp } = load('dashboard/dashboardCsp.js');

const NONCE = 'YmVuY2gtZmlsdGVyLW5vbmNlLTEyMzQ=';
const QUERY = 'customer 99'; // narrows to a few tenants at "9", then every line comes back as it is deleted

function serve(pages) {
  const server = http.createServer((req, res) => {
    const body = pages[req.url ?? ''];
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': dashboardCsp(NONCE) });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Waits out the filter's debounce, then one frame drawn after it. */
const settle = (page) => page.evaluate(() => new Promise((resolve) => setTimeout(() => globalThis.requestAnimationFrame(() => setTimeout(resolve, 0)), 80)));

async function measure(browser, url, rounds) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(url, { waitUntil: 'load' });
  const client = await page.createCDPSession();
  await client.send('Performance.enable');
  const metricsMs = async () => Object.fromEntries((await client.send('Performance.getMetrics')).metrics.filter((m) => m.name.endsWith('Duration')).map((m) => [m.name, m.value * 1000]));
  const parts = { ScriptDuration: 0, LayoutDuration: 0, RecalcStyleDuration: 0, TaskDuration: 0 };
  let last = await metricsMs();
  const taskMs = async () => {
    const now = await metricsMs();
    for (const k of Object.keys(parts)) parts[k] += now[k] - last[k];
    last = now;
    return now.TaskDuration;
  };
  const lines = await page.$$eval('#assets tr[data-filter]', (rows) => rows.length);
  await page.focus('#filter');
  const idle = [];
  for (let i = 0; i < 5; i++) {
    const before = await taskMs();
    await settle(page);
    idle.push((await taskMs()) - before);
  }
  const typing = [];
  const clearing = [];
  let matched = '';
  for (let round = 0; round < rounds; round++) {
    for (const [i, ch] of [...QUERY].entries()) {
      const before = await taskMs();
      await page.keyboard.type(ch);
      await settle(page);
      typing.push((await taskMs()) - before);
      if (i === QUERY.length - 1) matched = await page.$eval('#filter-count', (o) => o.textContent);
    }
    for (let i = 0; i < QUERY.length; i++) {
      const before = await taskMs();
      await page.keyboard.press('Backspace');
      await settle(page);
      (i === QUERY.length - 1 ? clearing : typing).push((await taskMs()) - before);
    }
  }
  const shownAfter = await page.$$eval('#assets tr[data-filter]', (rows) => rows.filter((r) => !r.hasAttribute('hidden')).length);
  await page.close();
  if (shownAfter !== lines) throw new Error(`after clearing the filter ${shownAfter} of ${lines} lines show`);
  return { lines, idle, typing, clearing, matched, parts };
}

async function run() {
  const [tenants, rounds] = process.argv.slice(2).map(Number);
  const now = Date.now();
  const view = fleetStatusView(tenants, now);
  const input = { view, viewer: { name: 'alex@example.com', canRenew: true }, nonce: NONCE, now };
  const firstPage = renderDashboard(input);
  const onePage = renderDashboard({ ...input, pageSize: Number.POSITIVE_INFINITY });
  const server = await serve({ '/first': firstPage, '/all': onePage });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const userDataDir = mkdtempSync(join(tmpdir(), 'apns-bench-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: await chromium.executablePath(),
    headless: 'shell',
    // As test/support/browser.ts: nothing may leave the machine.
    args: [...chromium.args, '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    userDataDir,
    pipe: true,
  });
  try {
    const first = await measure(browser, `${origin}/first`, rounds);
    const all = await measure(browser, `${origin}/all`, rounds);
    process.stdout.write(`${JSON.stringify({ tenants, first: { ...first, bytes: Buffer.byteLength(firstPage) }, all: { ...all, bytes: Buffer.byteLength(onePage) } })}\n`);
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
    server.close();
  }
}

run().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
  },
);
