import { dashboardCsp } from '../../../shared/dashboard/dashboardCsp';
import { DASHBOARD_SCRIPT } from '../../../shared/dashboard/dashboardScript';
import { DASHBOARD_STYLES } from '../../../shared/dashboard/dashboardStyles';
import { fleetRows } from '../../../shared/dashboard/fleetRows';
import { FLEET_PAGE_SIZE, renderDashboard, type DashboardInput } from '../../../shared/dashboard/renderDashboard';
import type { FleetStatusView } from '../../../shared/useCases/getStatus';
import { asset, CONSENT_URL, consentUrlFor, contoso, CONTOSO_ID, fleetView, HOSTILE_APPLE_ID, NOW, singleTenantView, thousandTenants } from './dashboardFixtures';

const NONCE = 'dGVzdC1ub25jZS0xMjM0NTY3OA==';
const OPERATOR = { name: 'alex@contoso.com', canRenew: true };
const render = (input: Partial<DashboardInput> = {}) => renderDashboard({ view: fleetView(), viewer: OPERATOR, nonce: NONCE, now: NOW, ...input });
const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`)) ?? []).length;
const rowsOf = (page: string) => page.match(/<tr class="row-[^]*?<\/tr>/g) ?? [];

describe('fleetRows (urgency order)', () => {
  test('when the fleet is sorted, expired comes first, then critical (an unreadable monitor is critical), then fewest days left', () => {
    const rows = fleetRows(fleetView(), NOW).map((r) => `${r.tenant.tenantName}:${r.asset?.kind ?? '-'}:${r.severity}`);
    expect(rows).toEqual([
      'Litware:ade:expired',
      'Contoso Ltd:apns:expired',
      // A connector without a date is most urgent within its band: nothing says how long is left.
      'Contoso Ltd:certconnectors:critical',
      'Northwind Traders:monitor:critical',
      'Woodgrove Bank:monitor:critical',
      'Litware:apns:critical',
      'Fabrikam:apns:critical',
      'Tailspin Toys:-:unknown',
      'Contoso Ltd:partners:warning',
      'Contoso Ltd:ade:warning',
      'Northwind Traders:apns:warning',
      'Fabrikam:vpp:notice',
      '<script>alert(1)</script>:vpp:notice',
      'Adatum:apns:ok',
      'Adatum:ade:ok',
      'Woodgrove Bank:apns:ok',
      'Contoso Ltd:vpp:ok',
      '<script>alert(1)</script>:apns:ok',
      // Healthy and without a date: last. The connectors Contoso does not use have no fleet row.
      'Contoso Ltd:mtd:ok',
    ]);
  });

  test('when a tenant has only a healthy monitor, it still gets its row (no tenant disappears)', () => {
    const view: FleetStatusView = { ...fleetView(), tenants: [{ ...contoso(), assets: [asset({ tenantId: CONTOSO_ID, kind: 'monitor', severity: 'ok' })] }] };
    expect(fleetRows(view, NOW).map((r) => r.asset?.kind)).toEqual(['monitor']);
  });
});

describe('renderDashboard (fleet view)', () => {
  test('when names are hostile, they are escaped text: the only script is the nonce’d one and no image exists', () => {
    const page = render();
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain(HOSTILE_APPLE_ID);
    expect(count(page, /<script/)).toBe(1);
    expect(page).toContain(`<script nonce="${NONCE}">`);
    expect(page).toContain(`<style nonce="${NONCE}">`);
    expect(count(page, /<img/)).toBe(0);
    expect(page).not.toMatch(/ style="/);
  });

  test('when rendered, each asset needing attention has a line with severity as a word, each tenant’s OK assets share one, and the links go to the tenant view', () => {
    const page = render();
    const rows = rowsOf(page);
    expect(rows).toHaveLength(13 + 4);
    expect(rows[0]).toMatch(/class="sev sev-expired">.*Expired<\/span>/);
    expect(rows[0]).toContain('expired 40 days ago');
    expect(rows[1]).toContain('26 days left to renew');
    expect(rows.slice(13).every((r) => r.startsWith('<tr class="row-ok"'))).toBe(true);
    // Adatum's line: both its OK assets, the sooner expiry (its APNs certificate, in 75 days) first.
    expect(rows[13]).toMatch(/Adatum[^]*Apple MDM push certificate <span class="tag">APNs<\/span>[^]*ADE token &quot;Adatum&quot; <span class="tag">ADE<\/span>/);
    expect(rows[13]).toContain('next: 75 days');
    expect(page).toContain(`href="/api/apns/dashboard?tenant=${CONTOSO_ID}"`);
    expect(page).toContain('Not checked yet: no run has read this tenant.');
    expect(page).toContain('2 tenants could not be read on the last run');
  });

  test('when the counts are shown, each says whether it counts tenants or assets', () => {
    const page = render();
    expect(page).toContain('<h1>Fleet: 8 tenants</h1>');
    expect(page).toContain('<strong>7 tenants need attention</strong>; 1 has every asset OK (');
    expect(page).toMatch(/<span class="count">2<\/span><span class="sev sev-expired">Expired<\/span><span class="what">assets in 2 tenants<\/span>/);
    expect(page).toMatch(/<span class="count">1<\/span><span class="sev sev-unknown">No data<\/span><span class="what">tenant not read yet<\/span>/);
    expect(page).toMatch(/<span class="count">6<\/span><span class="sev sev-ok">OK<\/span><span class="what">assets in 4 tenants<\/span>/);
    expect(page).toMatch(/<output id="filter-count"[^>]*>18 assets in 8 tenants<\/output>/);
    expect(page).not.toMatch(/\d rows\b/);
  });

  test('when a row is stale or its tenant’s last run failed, the row says so in words', () => {
    const rows = rowsOf(render());
    const northwindApns = rows.find((r) => r.includes('Northwind') && r.includes('>APNs</span>'));
    expect(northwindApns).toContain('>stale</span>');
    expect(northwindApns).toContain('last run failed');
  });

  test('when tenants could not be read, the banner names each with why and a link to it, their rows carry the consent link, and the raw error waits behind a disclosure', () => {
    const page = render();
    const banner = /<div class="alert-box" role="note">([^]*?)<\/div>/.exec(page)?.[1] ?? '';
    expect(banner).toContain('<strong>2 tenants could not be read on the last run</strong>: ');
    expect(banner).toContain('<a href="/api/apns/dashboard?tenant=33333333-3333-4333-8333-333333333333">Northwind Traders</a> (admin consent is missing)');
    expect(banner).toContain('<a href="/api/apns/dashboard?tenant=44444444-4444-4444-8444-444444444444">Woodgrove Bank</a> (permission missing: DeviceManagementServiceConfig.Read.All)');
    const rows = rowsOf(page);
    // Every row of Northwind links to its consent; the monitor row keeps the long error text behind "Details".
    for (const row of rows.filter((r) => r.includes('Northwind'))) expect(row).toContain(`Admin consent is missing. <a href="${CONSENT_URL}">Grant admin consent</a>`);
    const monitor = rows.find((r) => r.includes('Northwind') && r.includes('>Monitor</span>')) ?? '';
    expect(monitor).toMatch(/<span class="finding">Intune could not be read\.<\/span><details class="why"><summary>Details<\/summary><code>graph_consent_missing<\/code><span class="finding">Could not read the APNs certificate from Intune: admin consent is missing \(AADSTS65001\)\.<\/span>/);
    expect(monitor).not.toMatch(/<\/th>[^]*Could not read the APNs certificate/);
    const woodgrove = rows.find((r) => r.includes('Woodgrove') && r.includes('>Monitor</span>')) ?? '';
    expect(woodgrove).toContain(`Permission missing: DeviceManagementServiceConfig.Read.All. <a href="${consentUrlFor('44444444-4444-4444-8444-444444444444')}">Consent again</a>`);
    // A tenant that was read has no note, and nothing is hidden for it.
    for (const row of rows.filter((r) => r.includes('Litware'))) expect(row).not.toMatch(/consent|<details/i);
  });

  test('when a severity tile is followed, the page shows exactly the assets and tenants the tile counted (a bare "ok" would find every token)', () => {
    const tiles = [...render().matchAll(/<li><a href="\/api\/apns\/dashboard\?q=([^"]+)"><span class="count">(\d+)<\/span>.*?<span class="what">([^<]+)<\/span><\/a><\/li>/g)];
    expect(tiles.map((t) => decodeURIComponent(t[1] ?? ''))).toEqual(['is:expired', 'is:critical', 'is:no-data', 'is:warning', 'is:notice', 'is:ok']);
    for (const [, q, n, what] of tiles) {
      const followed = render({ filter: decodeURIComponent(q ?? '') });
      const [assets, tenants] = what?.startsWith('tenant') ? ['0', n] : [n, /in (\d+) tenants?/.exec(what ?? '')?.[1]];
      expect(followed).toContain(`>${assets} of 18 assets, in ${tenants} of 8 tenants, match</output>`);
    }
  });

  test('when a filter is given (?q=, no JavaScript), only the matching lines are rendered and the count says how many assets in how many tenants', () => {
    const page = render({ filter: 'Fabrikam' });
    expect(rowsOf(page)).toHaveLength(2);
    expect(page).toMatch(/<output id="filter-count"[^>]*>2 of 18 assets, in 1 of 8 tenants, match<\/output>/);
    expect(page).toContain('<a class="clear" href="/api/apns/dashboard">Show every tenant</a>');
    // The page's own script cannot tell how much matches elsewhere: it is told the page is partial.
    expect(page).not.toMatch(/<output[^>]* data-complete/);
    expect(render({ filter: 'nothing like it' })).toMatch(/<p id="filter-empty" class="empty">Nothing matches “nothing like it”.<\/p>/);
  });

  test('when expiries are drawn, expired ones sit at the left edge, ones beyond 90 days are counted, each marker is labelled', () => {
    const page = render();
    const markers = page.match(/<g class="mk mk-[a-z]+" role="img" aria-label="[^"]*"[^>]*>.*?<g transform="translate\(([\d.]+) /g) ?? [];
    expect(markers).toHaveLength(11);
    const expired = markers.filter((m) => m.includes('mk-expired'));
    expect(expired).toHaveLength(2);
    for (const m of expired) expect(Number(/translate\(([\d.]+) /.exec(m)?.[1])).toBeLessThan(96);
    expect(expired[1]).toContain('aria-label="Litware — ADE token &quot;Litware Macs&quot;: Expired, expired 40 days ago (2026-10-14 08:00 UTC)"');
    expect(page).toContain('3 more expire after 90 days');
    expect(page).toMatch(/<title id="tl-t">Expiry timeline, 2026-11-23 to 2027-02-21<\/title>/);
  });

  test('when a big fleet has hundreds of expiries in the window, the strip draws the soonest and says how many it left out', () => {
    const base = fleetView();
    const tenants = Array.from({ length: 300 }, (_, i) => ({ ...contoso(), tenantId: `t-${i}`, tenantName: `Tenant ${i}` }));
    const page = render({ view: { ...base, tenants } });
    expect(count(page, /<g class="mk /)).toBe(120 + 24);
    expect(page).toContain('756 more within the window are not drawn');
    expect(rowsOf(page)).toHaveLength(FLEET_PAGE_SIZE);
    expect(page).toContain('Lines 1–200 of 1,500 (page 1 of 8).');
    expect(page).toContain('<a rel="next" href="/api/apns/dashboard?page=2">Next page →</a>');
    // Said beside the filter too, so a phone need not scroll 200 cards to learn there are more.
    expect(page).toContain('<a class="pages" href="#pager">Page 1 of 8</a>');
    const last = render({ view: { ...base, tenants }, page: 8, filter: 'tenant' });
    expect(last).toContain('<a rel="prev" href="/api/apns/dashboard?q=tenant&amp;page=7">← Previous page</a>');
    expect(rowsOf(last)).toHaveLength(100);
  });

  test('when a marker has a printed label, the label is inside the marker’s group (hidden with it, never left floating)', () => {
    const page = render();
    const labels = count(page, /<text class="mk-label"/);
    expect(labels).toBeGreaterThan(0);
    expect(count(page, /<\/g><text class="mk-label"[^>]*>[^<]*<\/text><\/g>/)).toBe(labels);
  });

  test('when a fleet of 1,000 mostly healthy tenants is shown, the first page stays under 500 KB and holds everything that needs attention', () => {
    const view = thousandTenants();
    const page = render({ view });
    expect(Buffer.byteLength(page)).toBeLessThanOrEqual(500 * 1024);
    const rows = rowsOf(page);
    expect(rows).toHaveLength(FLEET_PAGE_SIZE);
    // 20 criticals and 40 warnings: all on the first page, first.
    expect(rows.slice(0, 60).every((r) => /^<tr class="row-(critical|warning)"/.test(r))).toBe(true);
    expect(rows[60]).toMatch(/^<tr class="row-ok"/);
    // Every line on one page (as before paging) would weigh several times as much.
    expect(render({ view, pageSize: Number.POSITIVE_INFINITY }).length).toBeGreaterThan(3 * page.length);
  });
});

describe('renderDashboard (tenant view)', () => {
  test('when there is one tenant, its view is shown directly, without a link back to a fleet', () => {
    const page = renderDashboard({ view: singleTenantView(), viewer: OPERATOR, nonce: NONCE, now: NOW });
    expect(page).toContain('<h1>Contoso Ltd</h1>');
    expect(page).not.toContain('All tenants');
  });

  test('when a tenant is selected, it shows its open alerts per channel, the audit trail, the CSR link and the dry-run form', () => {
    const page = render({ selectedTenantId: CONTOSO_ID });
    expect(page).toContain('<h1>Contoso Ltd</h1>');
    expect(count(page, /<span class="told">/)).toBe(6);
    expect(page).toMatch(/pagerduty: <span class="sev sev-expired">/);
    expect(page.match(/<table id="audit"[^]*?<\/table>/)?.[0].split('<tbody>')[1]?.match(/<tr>/g)).toHaveLength(3);
    expect(page).toContain('&lt;img src=x onerror=alert(3)&gt;');
    expect(page).toContain('2025-11-20 → 2026-11-20');
    expect(page).toContain(`href="/api/apns/dashboard/csr?tenant=${CONTOSO_ID}"`);
    expect(page).toContain('<form id="dryrun" class="dryrun" method="post" action="/api/apns/dashboard/renew"');
    expect(page).toContain(`<input type="hidden" name="tenantId" value="${CONTOSO_ID}">`);
    expect(page).toContain('1</strong> message is waiting');
  });

  test("when a tenant uses connectors, its table groups them after its Apple assets, each with its last sync; the ones it does not use say so and never show in the fleet table", () => {
    const page = render({ selectedTenantId: CONTOSO_ID });
    const table = page.match(/<table id="tenant-assets"[^]*?<\/table>/)?.[0] ?? '';
    expect([...table.matchAll(/<tr class="group"><th colspan="6" scope="rowgroup" id="[^"]+">([^<]+)<\/th><\/tr>/g)].map((m) => m[1])).toEqual([
      'Apple MDM push certificate and tokens',
      'Intune’s other connectors',
      'The monitor itself',
    ]);
    const connectors = table.split('Intune’s other connectors')[1]?.split('The monitor itself')[0] ?? '';
    expect(rowsOf(connectors).map((r) => /<th scope="row" data-label="Asset">([^<]+)/.exec(r)?.[1]?.trim())).toEqual([
      'Certificate connector &quot;PKI-CONN-01&quot;',
      'Device management partner &quot;Jamf Pro&quot;',
      'MTD connector (Microsoft Defender for Endpoint)',
      // Not in use: last, in the registry's order.
      'Managed Google Play',
      'Exchange connectors (on-premises ActiveSync)',
    ]);
    expect(connectors).toContain('Last sync <time datetime="2026-11-20T03:00:00.000Z">3 days ago</time> (2026-11-20 03:00 UTC)');
    expect(connectors).toContain('<span class="sub note">devices non-compliant from</span>');
    expect(count(connectors, /<span class="sev sev-unknown">Not in use<\/span>/)).toBe(2);
    expect(page).toContain('Device management partner &quot;Jamf Pro&quot;: Warning, devices non-compliant from 2026-12-12 20:00 UTC (in 19 days)');
    expect(render()).not.toContain('Managed Google Play');
  });

  test('when the viewer may not renew, there is no dry-run form and no CSR link, only how to get the role or use the CLI', () => {
    const page = render({ selectedTenantId: CONTOSO_ID, viewer: { name: 'reader@contoso.com', canRenew: false } });
    expect(page).not.toContain('id="dryrun"');
    expect(page).not.toContain('/api/apns/dashboard/csr');
    expect(page).toContain(`<code>apns-monitor csr --tenant ${CONTOSO_ID}</code>`);
    expect(page).toContain('offered to the <code>ApnsMonitor.Operator</code> role');
  });

  test('when the renewal steps are shown, the upload follows from Key Vault and a person’s approval: the page never posts to the function-key API', () => {
    const page = render({ selectedTenantId: CONTOSO_ID });
    expect(page).toContain('Store the <code>.pem</code> Apple returns in Key Vault as a new version of the certificate secret');
    expect(page).toContain('Another person approves it there (or <code>apns-monitor renewals approve</code>)');
    expect(page).not.toMatch(/action="\/api\/apns\/renew"|href="\/api\/apns\/csr/);
  });

  test('when the tenant’s last run failed for lack of consent, the reason, the code and a consent link lead the page', () => {
    const page = render({ selectedTenantId: '33333333-3333-4333-8333-333333333333', links: [CONSENT_URL] });
    expect(page).toMatch(/<strong>The last run failed<\/strong> 2 h ago \(2026-11-23 06:00 UTC\): <code>graph_consent_missing<\/code>/);
    expect(page).toContain(`<a href="${CONSENT_URL}">${CONSENT_URL}</a>.`);
    expect(page).toContain('1 asset shows its last known value');
  });

  test('when Graph text carries an https:// URL, it stays text: only the URLs the product writes become links', () => {
    const phishing = 'https://intune-renewal.example/login?next=apns';
    const view = singleTenantView();
    const tenant = view.tenants[0] as (typeof view.tenants)[number];
    const finding = { code: 'vpp_state' as const, severity: 'warning' as const, message: `The VPP token "Renew now at ${phishing}" is invalid.`, hint: `A Global Administrator grants it once: ${CONSENT_URL}.` };
    const withPhishing = { ...view, tenants: [{ ...tenant, assets: [asset({ tenantId: tenant.tenantId, kind: 'vpp', severity: 'warning', days: 40, findings: [finding] })] }] };
    const page = renderDashboard({ view: withPhishing, viewer: OPERATOR, nonce: NONCE, now: NOW, links: [CONSENT_URL] });
    expect(page).toContain(`Renew now at ${phishing}`);
    expect(page).not.toContain(`href="${phishing}"`);
    expect(page).toContain(`<a href="${CONSENT_URL}">${CONSENT_URL}</a>`);
    // Without the product's list, nothing is a link at all.
    expect(renderDashboard({ view: withPhishing, viewer: OPERATOR, nonce: NONCE, now: NOW })).not.toContain('<a href="https://intune-renewal');
  });

  test('when a tenant was never read, the page says no check has run, and every section has its empty state', () => {
    const page = render({ selectedTenantId: '55555555-5555-4555-8555-555555555555' });
    expect(page).toContain('No check has run for this tenant yet.');
    expect(page).toContain('No asset has been read for this tenant yet.');
    expect(page).toContain('No open alerts');
    expect(page).toContain('No renewal attempt is recorded for this tenant.');
  });

  test('when the expired APNs certificate is past Apple’s 30-day grace period, the page says only a new one will do', () => {
    const view = singleTenantView();
    const page = renderDashboard({ view, viewer: OPERATOR, nonce: NONCE, now: NOW + 40 * 86_400_000 });
    expect(page).toContain('grace period over: only a new certificate now');
  });

  test('when the selected tenant is unknown, the page says so and shows no tenant data', () => {
    const page = render({ selectedTenantId: 'nope<b>' });
    expect(page).toContain('<h1>Tenant not found</h1>');
    expect(page).toContain('nope&lt;b&gt;');
    expect(page).not.toContain('Contoso');
  });
});

describe('dashboardCsp', () => {
  test('when built, it allows only the nonce’d style and script, same-origin fetch and forms, and no framing', () => {
    expect(dashboardCsp(NONCE)).toBe(
      `default-src 'none'; script-src 'nonce-${NONCE}'; style-src 'nonce-${NONCE}'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    );
    expect(dashboardCsp(NONCE)).not.toContain('unsafe');
  });

  test('when the nonce is short or could break the header, it is refused', () => {
    expect(() => dashboardCsp('abc')).toThrow();
    expect(() => dashboardCsp("abcdefghijklmnopqrst'; script-src *")).toThrow();
  });

  test('when the inline script and stylesheet are embedded, neither can close its own element early', () => {
    expect(DASHBOARD_SCRIPT).not.toMatch(/<\/script/i);
    expect(DASHBOARD_STYLES).not.toMatch(/<\/style/i);
  });
});
