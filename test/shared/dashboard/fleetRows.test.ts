import { fleetListing, fleetPage, fleetRows, tallyOf } from '../../../shared/dashboard/fleetRows';
import type { FleetStatusView } from '../../../shared/useCases/getStatus';
import { contoso, fleetView, NOW } from './dashboardFixtures';

const line = (r: { tenant: { tenantName: string }; asset?: { kind: string } | null; rows?: { asset: { kind: string } | null }[] }) =>
  `${r.tenant.tenantName}:${r.rows ? r.rows.map((x) => x.asset?.kind).join('+') : (r.asset?.kind ?? '-')}`;

/** `n` copies of Contoso (4 assets needing attention and an OK line each), with their own ids and names. */
function bigFleet(n: number): FleetStatusView {
  return { ...fleetView(), tenants: Array.from({ length: n }, (_, i) => ({ ...contoso(), tenantId: `t-${i}`, tenantName: `Tenant ${String(i).padStart(3, '0')}` })) };
}

describe('fleetListing (the fleet table of hundreds)', () => {
  test('when the fleet is listed, each asset needing attention has its own line, most urgent first, then one OK line per tenant, soonest expiry first', () => {
    const listing = fleetListing(fleetView(), NOW);
    expect(listing.attention.map(line)).toEqual(
      fleetRows(fleetView(), NOW)
        .filter((r) => r.severity !== 'ok')
        .map(line),
    );
    expect(listing.attention.map((r) => r.severity)).not.toContain('ok');
    // Adatum's next expiry is in 75 days, Woodgrove's 120, Contoso's VPP 210 (its MTD has no date), the last 300.
    expect(listing.ok.map(line)).toEqual(['Adatum:apns+ade', 'Woodgrove Bank:apns', 'Contoso Ltd:vpp+mtd', '<script>alert(1)</script>:apns']);
    expect(listing.ok.map((r) => r.next?.asset?.kind)).toEqual(['apns', 'apns', 'vpp', 'apns']);
  });

  test('when the fleet is listed, every asset of the fleet table is on exactly one line, and every tenant on at least one', () => {
    const view = fleetView();
    const listing = fleetListing(view, NOW);
    const keys = [...listing.attention.flatMap((r) => (r.asset ? [r.asset.key] : [])), ...listing.ok.flatMap((r) => r.rows.map((x) => x.asset?.key))];
    const expected = fleetRows(view, NOW).flatMap((r) => (r.asset ? [r.asset.key] : []));
    expect([...keys].sort()).toEqual([...expected].sort());
    expect(tallyOf(listing.attention, listing.ok)).toEqual({ assets: expected.length, tenants: view.tenants.length });
  });

  test("when a tenant's OK line is filtered, its text holds the tenant's and each OK asset's words", () => {
    const adatum = fleetListing(fleetView(), NOW).ok[0];
    expect(adatum?.filterText).toContain('adatum');
    expect(adatum?.filterText).toContain('mdm@adatum.example');
    expect(adatum?.filterText).toContain('ade token "adatum"');
  });
});

describe('fleetPage (a page of the lines that match)', () => {
  test('when the table is longer than a page, what needs attention comes first and the OK lines follow on the later pages', () => {
    const listing = fleetListing(bigFleet(60), NOW); // 240 attention lines, 60 OK lines
    const first = fleetPage(listing, '', 1, 200);
    expect([first.attention.length, first.ok.length, first.page, first.pages, first.first, first.matched]).toEqual([200, 0, 1, 2, 1, 300]);
    expect(first.attention[0]?.severity).toBe('expired');
    const second = fleetPage(listing, '', 2, 200);
    expect([second.attention.length, second.ok.length, second.first]).toEqual([40, 60, 201]);
    expect(second.total).toEqual({ assets: 360, tenants: 60 });
  });

  test('when the page asked for is out of range or not a number, the nearest page is shown', () => {
    const listing = fleetListing(bigFleet(60), NOW);
    expect(fleetPage(listing, '', 9, 200).page).toBe(2);
    expect(fleetPage(listing, '', 0, 200).page).toBe(1);
    expect(fleetPage(listing, '', Number.NaN, 200).page).toBe(1);
  });

  test('when a filter is given, it is applied before paging: every page searches the whole fleet, and the count is of what matches', () => {
    const listing = fleetListing(bigFleet(60), NOW);
    const page = fleetPage(listing, 'tenant 059', 1, 200);
    expect(page.attention.map((r) => r.tenant.tenantName)).toEqual(Array(4).fill('Tenant 059'));
    expect(page.ok.map((r) => r.tenant.tenantName)).toEqual(['Tenant 059']);
    expect(page.shown).toEqual({ assets: 6, tenants: 1 });
    expect(page.total).toEqual({ assets: 360, tenants: 60 });
    expect(fleetPage(listing, 'nothing like it', 1, 200)).toMatchObject({ matched: 0, first: 0, pages: 1, shown: { assets: 0, tenants: 0 } });
  });
});
