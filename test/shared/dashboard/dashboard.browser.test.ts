import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { launchBrowser } from '../../support/browser';
import { CONSENT_URL, contoso, CONTOSO_ID, fleetView, HOSTILE_APPLE_ID, HOSTILE_TENANT_NAME, HOSTILE_TOKEN_NAME, showcaseFleetView } from './dashboardFixtures';
import { DRY_RUN_ACTOR, HOSTILE_CHECK_DETAIL, startDashboardServer, type DashboardServer } from './dashboardServer';

// The status page in a real headless Chromium (SPEC §12), served through the real handler.

// The callbacks below run inside Chromium. The project compiles without the DOM lib (adding it would
// leak browser globals into every Node file), so the few browser globals they touch are typed here.
interface BrowserNode {
  textContent: string | null;
  offsetParent: unknown;
  value: string;
  append(...nodes: unknown[]): void;
}
declare const window: Record<string, unknown>;
declare const document: {
  body: BrowserNode;
  documentElement: { scrollWidth: number };
  createElement(tag: string): BrowserNode;
  querySelectorAll(selector: string): { length: number };
  addEventListener(type: 'securitypolicyviolation', listener: (e: { violatedDirective: string; blockedURI: string }) => void): void;
};
declare function getComputedStyle(element: unknown): { backgroundColor: string; color: string };

const SCREENSHOTS = join(__dirname, '..', '..', '..', 'test-output', 'screenshots');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let browser: Awaited<ReturnType<typeof launchBrowser>>;
let server: DashboardServer;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [browser, server] = await Promise.all([launchBrowser(), startDashboardServer(fleetView())]);
});
afterAll(async () => {
  await Promise.all([browser?.closeAndClean(), server?.close()]);
});

interface Watched {
  page: Page;
  consoleErrors: string[];
  foreignRequests: string[];
  dialogs: string[];
  cspViolations(): Promise<string[]>;
}

/** A page that records console errors, dialogs, CSP violations and every request to another origin (aborted). */
async function watchedPage(options: { width?: number; dark?: boolean; javaScript?: boolean } = {}): Promise<Watched> {
  const page = await browser.newPage();
  const watched: Watched = {
    page,
    consoleErrors: [],
    foreignRequests: [],
    dialogs: [],
    cspViolations: () => page.evaluate(() => (window.__csp as string[] | undefined) ?? []),
  };
  page.on('console', (m) => {
    if (m.type() === 'error') watched.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => watched.consoleErrors.push(String(e)));
  page.on('dialog', (d) => {
    watched.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    if (r.url().startsWith(`${server.origin}/`) || r.url().startsWith('data:')) void r.continue();
    else {
      watched.foreignRequests.push(r.url());
      void r.abort();
    }
  });
  // Runs before the page's own script through DevTools, so the page's CSP does not apply to it.
  await page.evaluateOnNewDocument(() => {
    const seen: string[] = [];
    window.__csp = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.setViewport({ width: options.width ?? 1280, height: 900 });
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: options.dark ? 'dark' : 'light' }]);
  await page.setJavaScriptEnabled(options.javaScript ?? true);
  return watched;
}

async function open(w: Watched, query = ''): Promise<void> {
  const response = await w.page.goto(`${server.origin}/api/apns/dashboard${query}`, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
}

/**
 * axe-core evaluated through DevTools (`page.evaluate` of its source): like the DevTools console,
 * that is not subject to the page's CSP, so the test needs no hole in the policy it checks.
 */
async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = window.axe as { run(context: unknown, options: object): Promise<Record<'violations' | 'passes' | 'incomplete', { id: string; impact?: string | null; help: string; nodes: { target: unknown[] }[] }[]>> };
    const result = await axe.run(document, { resultTypes: ['violations'] });
    // A run that checked nothing would pass too: the contrast rule must have looked at this page.
    if (![...result.passes, ...result.incomplete, ...result.violations].some((r) => r.id === 'color-contrast')) return ['axe did not run color-contrast'];
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3).join(', ')})`);
  });
}

async function expectClean(w: Watched): Promise<void> {
  expect(w.consoleErrors).toEqual([]);
  expect(await w.cspViolations()).toEqual([]);
  expect(w.foreignRequests).toEqual([]);
  expect(w.dialogs).toEqual([]);
}

const visibleRows = (page: Page) => page.$$eval('#assets tbody tr[data-filter]', (rows) => rows.filter((r) => (r as unknown as BrowserNode).offsetParent !== null).map((r) => r.getAttribute('data-filter') ?? ''));
const visibleMarkers = (page: Page) => page.$$eval('svg.tl g.mk', (markers) => markers.filter((m) => m.getClientRects().length > 0).map((m) => m.getAttribute('data-filter') ?? ''));
const countText = (page: Page) => page.$eval('#filter-count', (o) => o.textContent);

/**
 * Types into the filter box as a person does, then waits out the debounce: a timer set now fires
 * after the one the last keystroke set (timers of equal or later expiry run in order).
 */
async function typeFilter(page: Page, text: string): Promise<void> {
  await page.click('#filter', { count: 3 });
  await page.keyboard.press('Backspace');
  if (text !== '') await page.type('#filter', text);
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 60)));
}

/** Where an element's top edge is on the page (to check what comes first on a phone). */
const topOf = (page: Page, selector: string) => page.$eval(selector, (el) => el.getBoundingClientRect().top);


function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

describe('the status page in headless Chromium', () => {
  test('when the fleet view loads, nothing errs, nothing leaves the origin, hostile names are text and axe finds nothing serious', async () => {
    const w = await watchedPage();
    await open(w);
    await expectClean(w);
    const text = await w.page.$eval('main', (m) => m.textContent ?? '');
    for (const hostile of [HOSTILE_TENANT_NAME, HOSTILE_APPLE_ID, HOSTILE_TOKEN_NAME]) expect(text).toContain(hostile);
    // No element came out of the data: no image at all, one script (the page's own, with the nonce).
    expect(await w.page.$$eval('img', (n) => n.length)).toBe(0);
    expect(await w.page.$$eval('script', (s) => s.map((e) => e.hasAttribute('nonce')))).toEqual([true]);
    expect(await w.page.$$eval('#assets tbody tr[data-filter]', (r) => r.length)).toBe(17); // 13 assets needing attention, 4 tenants' OK lines
    expect(await w.page.$$eval('svg.tl g.mk', (m) => m.length)).toBe(11); // 14 dates, 3 beyond 90 days
    expect(await seriousAxeViolations(w.page)).toEqual([]);
    await w.page.screenshot({ path: join(SCREENSHOTS, 'fleet-light.png'), fullPage: true });
    await expectClean(w);
    await w.page.close();
  });

  test('when the fleet has plausible names (the README picture), the page is as clean', async () => {
    server.view = showcaseFleetView();
    try {
      const w = await watchedPage();
      await open(w);
      expect(await seriousAxeViolations(w.page)).toEqual([]);
      // The top of the page (tiles, timeline, most urgent rows): copied to docs/dashboard.png;
      // the whole page to docs/fleet-1280.png.
      await w.page.screenshot({ path: join(SCREENSHOTS, 'fleet-overview.png'), clip: { x: 0, y: 0, width: 1280, height: 1100 } });
      await w.page.screenshot({ path: join(SCREENSHOTS, 'fleet-1280.png'), fullPage: true });
      // A phone's first two screens (counts, banner, the most urgent rows): copied to docs/fleet-375.png.
      await w.page.setViewport({ width: 375, height: 812 });
      expect(await seriousAxeViolations(w.page)).toEqual([]);
      await w.page.screenshot({ path: join(SCREENSHOTS, 'fleet-375.png'), clip: { x: 0, y: 0, width: 375, height: 1624 }, captureBeyondViewport: true });
      await expectClean(w);
      await w.page.close();
    } finally {
      server.view = fleetView();
    }
  });

  test('when the system prefers dark, the page is dark and still passes axe (contrast included)', async () => {
    const w = await watchedPage({ dark: true });
    await open(w);
    const background = await w.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(luminance(background)).toBeLessThan(0.05);
    const text = await w.page.evaluate(() => getComputedStyle(document.body).color);
    expect(luminance(text)).toBeGreaterThan(0.7);
    expect(await seriousAxeViolations(w.page)).toEqual([]);
    await w.page.screenshot({ path: join(SCREENSHOTS, 'fleet-dark.png'), fullPage: true });
    await expectClean(w);
    await w.page.close();
  });

  test('when the screen is 375 px wide, neither view scrolls sideways and axe finds nothing serious', async () => {
    const w = await watchedPage({ width: 375 });
    for (const query of ['', `?tenant=${CONTOSO_ID}`]) {
      await open(w, query);
      expect(await w.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      expect(await seriousAxeViolations(w.page)).toEqual([]);
    }
    await open(w);
    await w.page.screenshot({ path: join(SCREENSHOTS, 'fleet-375-full.png'), fullPage: true });
    await expectClean(w);
    await w.page.close();
  });

  test('when the screen is a phone’s, the rows come before the timeline, and the timeline says it scrolls sideways; on a wide screen the timeline leads', async () => {
    const w = await watchedPage({ width: 375 });
    await open(w);
    expect(await topOf(w.page, '#assets')).toBeLessThan(await topOf(w.page, 'svg.tl'));
    expect(await w.page.$eval('.tl-hint', (p) => p.getClientRects().length > 0 && (p.textContent ?? ''))).toMatch(/swipe it sideways/);
    // The strip does scroll there: it is wider than its box.
    expect(await w.page.$eval('.tl-wrap', (el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await w.page.setViewport({ width: 1280, height: 900 });
    expect(await topOf(w.page, 'svg.tl')).toBeLessThan(await topOf(w.page, '#assets'));
    expect(await w.page.$eval('.tl-hint', (p) => p.getClientRects().length)).toBe(0);
    await expectClean(w);
    await w.page.close();
  });

  test('when someone types in the filter box, rows and timeline markers that do not match are hidden, and come back when it is cleared', async () => {
    const w = await watchedPage();
    await open(w);
    await typeFilter(w.page, 'fabrikam');
    const rows = await visibleRows(w.page);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.includes('fabrikam'))).toBe(true);
    expect(await countText(w.page)).toBe('2 of 18 assets, in 1 of 8 tenants, match');
    expect(await visibleMarkers(w.page)).toHaveLength(2);

    await typeFilter(w.page, 'critical');
    expect(await visibleRows(w.page)).toHaveLength(5);

    await typeFilter(w.page, '');
    expect(await visibleRows(w.page)).toHaveLength(17);
    expect(await countText(w.page)).toBe('18 assets in 8 tenants');
    await expectClean(w);
    await w.page.close();
  });

  test('when the live filter hides a marker, its printed label goes with it: no label is left floating', async () => {
    const w = await watchedPage();
    await open(w);
    const floating = () =>
      w.page.$$eval('svg.tl text.mk-label', (labels) => labels.filter((t) => t.getClientRects().length > 0 && (t.closest('g.mk')?.hasAttribute('hidden') ?? true)).length);
    expect(await w.page.$$eval('svg.tl text.mk-label', (t) => t.length)).toBeGreaterThan(3);
    expect(await floating()).toBe(0);
    await typeFilter(w.page, 'litware');
    expect(await visibleMarkers(w.page)).toHaveLength(2);
    expect(await w.page.$$eval('svg.tl text.mk-label', (labels) => labels.filter((t) => t.getClientRects().length > 0).length)).toBeLessThanOrEqual(2);
    expect(await floating()).toBe(0);
    await w.page.close();
  });

  test('when the same query is typed live and asked of the server (?q=), the same rows, markers and count show', async () => {
    const live = await watchedPage();
    const asked = await watchedPage({ javaScript: false });
    await open(live);
    const seen = async (page: Page) => ({
      rows: await visibleRows(page),
      markers: (await visibleMarkers(page)).sort(),
      count: await countText(page),
      empty: await page.$eval('#filter-empty', (p) => p.getClientRects().length > 0),
      groups: await page.$$eval('#assets tr.group', (rows) => rows.filter((r) => r.getClientRects().length > 0).map((r) => r.textContent)),
    });
    for (const query of ['fabrikam', 'CRITICAL', '  northwind   stale ', 'contoso vpp', 'mdm-admin@contoso.com', 'failed', 'ok', 'no data', 'litware expired', 'is:critical', 'is:no-data', 'zz-nothing']) {
      await typeFilter(live.page, query);
      await open(asked, `?q=${encodeURIComponent(query)}`);
      expect({ query, ...(await seen(live.page)) }).toEqual({ query, ...(await seen(asked.page)) });
    }
    await expectClean(live);
    await Promise.all([live.page.close(), asked.page.close()]);
  });

  test('when the fleet is longer than a page, the first page leads with what needs attention, and Enter searches every page', async () => {
    server.view = { ...fleetView(), tenants: Array.from({ length: 60 }, (_, i) => ({ ...contoso(), tenantId: `t-${i}`, tenantName: `Tenant ${String(i).padStart(3, '0')}` })) };
    try {
      const w = await watchedPage();
      await open(w);
      expect(await visibleRows(w.page)).toHaveLength(200);
      expect(await w.page.$eval('.pager', (n) => n.textContent)).toContain('Lines 1–200 of 300 (page 1 of 2).');
      // Tenant 059's OK line (its VPP token "Contoso Retail") is on page 2: nothing on this page matches.
      await typeFilter(w.page, 'tenant 059 retail');
      expect(await visibleRows(w.page)).toHaveLength(0);
      expect(await countText(w.page)).toBe('0 assets in 0 tenants on this page match: press Enter to search every page');
      await Promise.all([w.page.waitForNavigation(), w.page.keyboard.press('Enter')]);
      expect(w.page.url()).toMatch(/\?q=tenant\+059\+retail$/);
      expect(await visibleRows(w.page)).toEqual([expect.stringContaining('tenant 059')]);
      expect(await countText(w.page)).toBe('2 of 360 assets, in 1 of 60 tenants, match');
      expect(await seriousAxeViolations(w.page)).toEqual([]);
      await expectClean(w);
      await w.page.close();
    } finally {
      server.view = fleetView();
    }
  });

  test('when JavaScript is off, the table is complete and the filter still works as a GET form', async () => {
    const w = await watchedPage({ javaScript: false });
    await open(w);
    expect(await visibleRows(w.page)).toHaveLength(17);
    await open(w, '?q=northwind');
    expect(await visibleRows(w.page)).toHaveLength(2);
    expect(await w.page.$eval('#filter', (i) => (i as unknown as BrowserNode).value)).toBe('northwind');
    expect(w.foreignRequests).toEqual([]);
    await w.page.close();
  });

  test('when the tenant view loads, it shows open alerts, the audit trail, the consent link of a failed tenant, and passes axe', async () => {
    const w = await watchedPage();
    await open(w, `?tenant=${CONTOSO_ID}`);
    await expectClean(w);
    expect(await w.page.$$eval('#open-alerts tbody tr', (r) => r.length)).toBe(3);
    expect(await w.page.$$eval('#audit tbody tr', (r) => r.length)).toBe(3);
    expect(await w.page.$eval('#audit', (t) => t.textContent)).toContain('<img src=x onerror=alert(3)>');
    expect(await w.page.$eval('a[href*="/csr"]', (a) => a.getAttribute('href'))).toBe(`/api/apns/dashboard/csr?tenant=${CONTOSO_ID}`);
    expect(await seriousAxeViolations(w.page)).toEqual([]);
    await w.page.screenshot({ path: join(SCREENSHOTS, 'tenant-light.png'), fullPage: true });
    // The tenant's assets, its connectors grouped after its Apple assets: copied to docs/connectors.png.
    const table = await w.page.$('#tenant-assets');
    await table?.screenshot({ path: join(SCREENSHOTS, 'connectors.png') });

    await open(w, '?tenant=33333333-3333-4333-8333-333333333333');
    expect(await w.page.$$eval('a', (links) => links.map((a) => a.getAttribute('href')))).toContain(CONSENT_URL);
    expect(await seriousAxeViolations(w.page)).toEqual([]);
    await w.page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await w.page.screenshot({ path: join(SCREENSHOTS, 'tenant-failed-dark.png'), fullPage: true });
    await expectClean(w);
    await w.page.close();
  });

  test('when an operator runs the dry run, the page posts JSON with the tenant, shows the checks as text, and its audit trail shows the attempt', async () => {
    const w = await watchedPage();
    await open(w, `?tenant=${CONTOSO_ID}`);
    expect(await w.page.$$eval('#audit tbody tr', (r) => r.length)).toBe(3);
    await w.page.waitForSelector('#dryrun fieldset:not([disabled])');
    await w.page.type('#secretName', 'apns-renewed');
    await w.page.click('#dryrun button[type=submit]');
    await w.page.waitForSelector('#dryrun-result li');
    expect(server.renewRequests).toEqual([{ dryRun: true, tenantId: CONTOSO_ID, secretName: 'apns-renewed' }]);
    const result = await w.page.$eval('#dryrun-result', (r) => r.textContent ?? '');
    expect(result).toContain('Refused (HTTP 409): topic_mismatch — The topic differs from Intune’s <b>current</b> one. (correlation id corr-42)');
    expect(result).toContain(`✗ failed: same topic — ${HOSTILE_CHECK_DETAIL}`);
    expect(await w.page.$$eval('#dryrun-result img, #dryrun-result b', (n) => n.length)).toBe(0);
    // The server recorded the attempt: the trail and "Last renewal" show it without a reload.
    await w.page.waitForFunction(() => document.querySelectorAll('#audit tbody tr').length === 4);
    expect(await w.page.$eval('#audit tbody tr', (r) => r.textContent)).toContain(`${DRY_RUN_ACTOR}via HTTP`);
    expect(await w.page.$eval('#last-renewal', (d) => d.textContent)).toContain(DRY_RUN_ACTOR);
    expect(await w.page.$$eval('#audit img, #audit script', (n) => n.length)).toBe(0);
    // Chromium logs any 4xx answer to fetch; the refusal is the answer this test asked for.
    expect(w.consoleErrors).toEqual([expect.stringContaining('status of 409')]);
    w.consoleErrors.length = 0;
    await expectClean(w);
    await w.page.close();
    server.view = fleetView();
  });

  test('when a script without the nonce is added, the CSP blocks it and the violation is seen (the checks above are meaningful)', async () => {
    const w = await watchedPage();
    await open(w);
    const ran = await w.page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.body.append(s);
      await new Promise((r) => setTimeout(r, 50));
      return window.__injected === true;
    });
    expect(ran).toBe(false);
    expect((await w.cspViolations()).join('\n')).toMatch(/script-src/);
    w.consoleErrors.length = 0; // Chromium logs the refusal: expected here.
    await w.page.close();
  });
});
