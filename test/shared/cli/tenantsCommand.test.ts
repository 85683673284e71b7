import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { main } from '../../../shared/cli/main';
import { loadFleetStatus } from '../../../shared/composition/createServices';
import { loadConfig } from '../../../shared/config/loadConfig';
import { renderDashboard } from '../../../shared/dashboard/renderDashboard';
import { apnsFixture, delegatedAdminCustomerFixture } from '../../../shared/simulator/tenantFixtures';
import { startGraphSimulator } from '../../../shared/simulator/graphSimulator';
import { uniqueTableName } from '../../support/azurite';
import { loopbackTls } from '../../support/loopbackTls';
import { bufferIo } from '../../support/bufferIo';
import { startFleetHarness, type FleetHarness } from '../../support/tenantHarness';

// `apns-monitor tenants add|remove|import|list` (SPEC §15): the fleet's registry beside APNS_TENANTS,
// against the state file and Table Storage (Azurite), with the real sign-ins of a fleet.
const DAY = 86_400_000;
const storage = process.env.APNS_TEST_STORAGE_CONNECTION as string;
const inDays = (d: number) => apnsFixture({ expiresAt: Date.now() + d * DAY + 3_600_000 });
const noCredential: TokenCredential = { getToken: async (): Promise<AccessToken | null> => null };
const FABRIKAM = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const WOODGROVE = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

let h: FleetHarness;
let dir: string;
let n = 0;

beforeAll(async () => {
  // Contoso is in APNS_TENANTS; the others are onboarded through the registry.
  h = await startFleetHarness({
    tenants: [
      { displayName: 'Contoso', graph: { apns: inDays(200) } },
      { displayName: 'Fabrikam', tenantId: FABRIKAM, graph: { apns: inDays(25) } },
      { displayName: 'Northwind', consent: 'noConsent', graph: { apns: inDays(5) } },
      // Consented, but the Configuration permission was never granted: its connectors' reads are refused.
      { displayName: 'Woodgrove', tenantId: WOODGROVE, roles: ['DeviceManagementServiceConfig.ReadWrite.All'], graph: { apns: inDays(90) } },
    ],
  });
  h.useIdentityEnv();
  dir = mkdtempSync(join(tmpdir(), 'apns-tenants-'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

const contoso = () => h.tenantIds[0] as string;
const northwind = () => h.tenantIds[2] as string;
// Routes FAB and EU are defined (never sent to here: no routed tenant is checked in this file).
const ROUTES = { APNS_ROUTE_FAB_TEAMS_WEBHOOK_URL: 'https://127.0.0.1:9/fab', APNS_ROUTE_EU_TEAMS_WEBHOOK_URL: 'https://127.0.0.1:9/eu' };
const settings = (over: Record<string, string> = {}) => ({ ...h.env, APNS_TENANTS: `${contoso()}=Contoso`, ...ROUTES, ...over });

async function cli(args: string[], over: Record<string, string> = {}) {
  const io = bufferIo(settings(over), dir);
  const code = await main(args, io);
  return { code, out: io.out.join('\n'), err: io.err.join('\n') };
}

/** The registry's tenants as `tenants list --json` shows them. */
async function listed(where: string[], over: Record<string, string> = {}) {
  const { code, out } = await cli(['tenants', 'list', '--json', ...where], over);
  expect(code).toBe(0);
  return JSON.parse(out) as { tenants: { tenantId: string; tenantName: string; source: string; routes: string[]; consent: { state: string; checkedAt: string | null; worstSeverity: string | null; missingPermissions: string[]; consentUrl: string | null; errorCode: string | null } }[]; shadowed: { tenantId: string }[] };
}

const stores: [string, () => { args: string[]; env: Record<string, string> }][] = [
  ['the state file', () => ({ args: ['--state-file', join(dir, `state-${++n}.json`)], env: {} })],
  ['Table Storage (Azurite, AzureWebJobsStorage)', () => ({ args: [], env: { AzureWebJobsStorage: storage, APNS_STATE_TABLE: uniqueTableName('tenants') } })],
];

describe.each(stores)('the registry in %s', (_where, where) => {
  test('when tenants are added, listed, updated and removed, each command says what it did and the list shows the setting first, then the registry', async () => {
    const { args, env } = where();
    const added = await cli(['tenants', 'add', FABRIKAM.toUpperCase(), '--name', 'Fabrikam, Inc.', '--route', 'fab', '--route', 'EU', ...args], env);
    expect(added).toMatchObject({ code: 0, out: expect.stringContaining(`Added Fabrikam, Inc. (${FABRIKAM}) (routes FAB+EU)`) });
    expect(added.out).toContain(`Its administrator grants consent once: ${h.entra.authorityHost}/${FABRIKAM}/adminconsent?client_id=${h.env.APNS_APP_CLIENT_ID}`);
    expect((await cli(['tenants', 'add', WOODGROVE, ...args], env)).code).toBe(0);

    let list = await listed(args, env);
    expect(list.tenants.map((t) => [t.tenantId, t.tenantName, t.source, t.routes])).toEqual([
      [contoso(), 'Contoso', 'setting', []],
      [FABRIKAM, 'Fabrikam, Inc.', 'registry', ['FAB', 'EU']],
      [WOODGROVE, WOODGROVE, 'registry', []],
    ]);
    expect(list.tenants.map((t) => t.consent.state)).toEqual(['not_checked', 'not_checked', 'not_checked']);

    // Added again with a route only: the name stays, the routes are replaced.
    expect(await cli(['tenants', 'add', FABRIKAM, '--route', 'FAB', ...args], env)).toMatchObject({ code: 0, out: expect.stringContaining(`Updated Fabrikam, Inc. (${FABRIKAM}) (routes FAB)`) });
    expect(await cli(['tenants', 'remove', WOODGROVE, ...args], env)).toMatchObject({ code: 0, out: expect.stringContaining(`Removed ${WOODGROVE} from the registry`) });
    list = await listed(args, env);
    expect(list.tenants.map((t) => [t.tenantId, t.routes])).toEqual([
      [contoso(), []],
      [FABRIKAM, ['FAB']],
    ]);

    const text = await cli(['tenants', 'list', ...args], env);
    expect(text.out.split('\n')[0]).toBe(`Fleet of 2 tenants, home tenant ${h.homeTenantId}: 1 from APNS_TENANTS, 1 registered with "apns-monitor tenants add".`);
    expect(text.out).toContain(`  Fabrikam, Inc. (${FABRIKAM})  [registry (routes FAB)]\n      not checked yet`);
  });

  test('when an import has bad lines, every one is reported with its number and nothing is added; the corrected file adds every tenant', async () => {
    const { args, env } = where();
    const bad = join(dir, `bad-${++n}.csv`);
    writeFileSync(bad, ['tenantId,name,routes', `${FABRIKAM},Fabrikam,FAB`, 'contoso,Not a tenant id,', `${contoso()},Contoso again,`, `${WOODGROVE},Woodgrove,EU 2`].join('\n'));
    const refused = await cli(['tenants', 'import', bad, ...args], env);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('3 bad lines');
    expect(refused.err).toContain('nothing was added');
    expect(refused.err).toMatch(/line 3: "contoso" is not a tenant ID/);
    expect(refused.err).toMatch(new RegExp(`line 4: tenant ${contoso()} comes from the APNS_TENANTS setting`));
    expect(refused.err).toMatch(/line 5: route "EU 2"/);
    expect((await listed(args, env)).tenants.map((t) => t.tenantId)).toEqual([contoso()]);

    const good = join(dir, `good-${++n}.csv`);
    writeFileSync(good, ['tenantId,name,routes', `${FABRIKAM},"Fabrikam, Inc.",FAB+EU`, `${WOODGROVE},Woodgrove Bank,`, `${northwind()},,`].join('\r\n'));
    expect(await cli(['tenants', 'import', good, ...args], env)).toMatchObject({ code: 0, out: expect.stringContaining('3 tenants in') });
    expect((await listed(args, env)).tenants.map((t) => [t.tenantName, t.routes])).toEqual([
      ['Contoso', []],
      ['Fabrikam, Inc.', ['FAB', 'EU']],
      ['Woodgrove Bank', []],
      [northwind(), []],
    ]);
  });
});

describe('what the registry refuses', () => {
  test('when a tenant of APNS_TENANTS is removed or added, it is refused (exit 1) saying it comes from the setting; an unknown one is "not registered"', async () => {
    const args = ['--state-file', join(dir, `state-${++n}.json`)];
    const removeSetting = await cli(['tenants', 'remove', contoso(), ...args]);
    expect(removeSetting).toMatchObject({ code: 1, err: expect.stringContaining(`tenant ${contoso()} comes from the APNS_TENANTS setting`) });
    expect(await cli(['tenants', 'add', contoso(), ...args])).toMatchObject({ code: 1, err: expect.stringContaining('comes from the APNS_TENANTS setting') });
    expect(await cli(['tenants', 'remove', FABRIKAM, ...args])).toMatchObject({ code: 1, err: expect.stringContaining(`tenant ${FABRIKAM} is not registered`) });
  });

  test('when a route is named that no APNS_ROUTE_<R>_… setting defines, add and import refuse it and nothing is written', async () => {
    const stateFile = join(dir, `state-${++n}.json`);
    const added = await cli(['tenants', 'add', FABRIKAM, '--route', 'FAB', '--route', 'ACME', '--state-file', stateFile]);
    expect(added).toMatchObject({ code: 3, err: expect.stringContaining('route ACME is not defined (no APNS_ROUTE_ACME_… setting') });
    const csv = join(dir, `routes-${++n}.csv`);
    writeFileSync(csv, [`${FABRIKAM},Fabrikam,FAB`, `${WOODGROVE},Woodgrove,ACME`].join('\n'));
    const imported = await cli(['tenants', 'import', csv, '--state-file', stateFile]);
    expect(imported).toMatchObject({ code: 1, err: expect.stringMatching(/line 2: route ACME is not defined/) });
    expect((await listed(['--state-file', stateFile])).tenants.map((t) => t.tenantId)).toEqual([contoso()]);
  });

  test('when the id, a route or the name is not valid, the command is refused before anything is read or written (exit 3)', async () => {
    const stateFile = join(dir, `state-${++n}.json`);
    const result = await cli(['tenants', 'add', 'contoso', '--route', 'a b', '--name', 'x\u001b[31m', '--state-file', stateFile]);
    expect(result.code).toBe(3);
    expect(result.err).toContain('"contoso" is not a tenant ID');
    expect(result.err).toContain('route "a b"');
    expect(result.err).toContain('control characters');
    expect(result.err).not.toContain('\u001b');
    expect((await cli(['tenants', 'list', '--json', '--state-file', stateFile])).code).toBe(0);
  });

  test('when the deployment watches one tenant (no APNS_TENANTS), adding is refused saying how to make it a fleet', async () => {
    const single = { ...h.env, APNS_TENANTS: '', APNS_APP_CLIENT_ID: '' };
    const io = bufferIo(single, dir);
    expect(await main(['tenants', 'add', FABRIKAM, '--state-file', join(dir, `state-${++n}.json`)], io)).toBe(3);
    expect(io.err.join('\n')).toContain('the registry adds tenants to a fleet');
    expect(io.err.join('\n')).toContain('Set APNS_TENANTS');
  });

  test('when the action is unknown, the usage of every tenants action is shown', async () => {
    expect(await cli(['tenants', 'rename', FABRIKAM])).toMatchObject({ code: 3, err: expect.stringContaining('apns-monitor tenants import FILE.csv') });
  });
});

describe('consent at a glance (SPEC §15)', () => {
  test('when a check ran over the setting and the registry with one unconsented tenant and one missing a permission, tenants list says per tenant what is wrong and what to open', async () => {
    const stateFile = join(dir, `state-${++n}.json`);
    const args = ['--state-file', stateFile];
    const csv = join(dir, `fleet-${++n}.csv`);
    writeFileSync(csv, [`${FABRIKAM},Fabrikam,`, `${northwind()},Northwind,`, `${WOODGROVE},Woodgrove,`].join('\n'));
    expect((await cli(['tenants', 'import', csv, ...args])).code).toBe(0);

    const check = await cli(['check', ...args]);
    expect(check.code).toBe(3); // Northwind cannot be read
    // The registered tenants were checked beside the setting's.
    for (const name of ['Contoso', 'Fabrikam', 'Northwind', 'Woodgrove']) expect(check.out).toContain(name);
    // A tenant added after the check has not been checked yet.
    expect((await cli(['tenants', 'add', 'tailspin.onmicrosoft.com', '--name', 'Tailspin', ...args])).code).toBe(0);

    const list = await listed(args);
    const consent = Object.fromEntries(list.tenants.map((t) => [t.tenantName, t.consent]));
    expect(consent.Contoso).toMatchObject({ state: 'read', worstSeverity: 'ok', missingPermissions: [], consentUrl: null, checkedAt: expect.stringMatching(/^\d{4}-/) });
    expect(consent.Fabrikam).toMatchObject({ state: 'read', worstSeverity: 'warning' });
    expect(consent.Northwind).toMatchObject({ state: 'consent_missing', worstSeverity: null, errorCode: 'graph_consent_missing', consentUrl: `${h.entra.authorityHost}/${northwind()}/adminconsent?client_id=${h.env.APNS_APP_CLIENT_ID}` });
    expect(consent.Woodgrove).toMatchObject({ state: 'permission_missing', missingPermissions: ['DeviceManagementConfiguration.Read.All'], worstSeverity: 'warning', consentUrl: expect.stringContaining(`/${WOODGROVE}/adminconsent`) });
    expect(consent.Tailspin).toMatchObject({ state: 'not_checked', checkedAt: null });

    const text = (await cli(['tenants', 'list', ...args])).out;
    expect(text).toMatch(/Contoso \(.+\) {2}\[APNS_TENANTS\]\n {6}consented and read, last check \d{4}-\d\d-\d\d \d\d:\d\d UTC, worst: ok/);
    expect(text).toContain(`Northwind (${northwind()})  [registry]\n      admin consent is missing, last check`);
    expect(text).toContain(`      consent: ${h.entra.authorityHost}/${northwind()}/adminconsent?client_id=`);
    expect(text).toMatch(/Woodgrove \(.+\) {2}\[registry\]\n {6}permission missing: DeviceManagementConfiguration\.Read\.All, last check .+ UTC, worst: warning/);
    expect(text).toContain('Tailspin (tailspin.onmicrosoft.com)  [registry]\n      not checked yet');

    // The status page says the same from the same state: the banner names Northwind, its rows link to its consent.
    const view = await loadFleetStatus(loadConfig(settings()), noCredential, stateFile);
    const page = renderDashboard({ view, viewer: { name: null, canRenew: false }, nonce: 'bm9uY2U=', now: Date.now() });
    const consentUrl = consent.Northwind?.consentUrl as string;
    expect(page).toContain(`<strong>1 tenant could not be read on the last run</strong>: <a href="/api/apns/dashboard?tenant=${northwind()}">Northwind</a> (admin consent is missing)`);
    expect(page).toContain(`read without some connectors</strong>, for lack of a permission: <a href="/api/apns/dashboard?tenant=${WOODGROVE}">Woodgrove</a> (permission missing: DeviceManagementConfiguration.Read.All)`);
    expect(page).toContain(`Admin consent is missing. <a href="${consentUrl}">Grant admin consent</a>`);
    expect(page).toMatch(/<details class="why"><summary>Details<\/summary><code>graph_consent_missing<\/code><span class="finding">Could not read anything \(all \d+ reads\) from Intune: Admin consent is missing/);
  });
});

describe('GDAP discovery (SPEC §15): the partner tenant\'s customers not watched yet', () => {
  const GDAP = 'DelegatedAdminRelationship.Read.All';
  const customers = Array.from({ length: 230 }, (_, i) => `c${String(i).padStart(7, '0')}-0000-4000-8000-000000000000`);
  beforeEach(() => {
    // The partner (home) tenant's customers: the fleet's own, and 230 more, some with hostile or no names.
    h.graph.tenant.delegatedAdminCustomers = [
      delegatedAdminCustomerFixture(contoso(), 'Contoso'),
      delegatedAdminCustomerFixture(FABRIKAM, 'Fabrikam'),
      ...customers.map((id, i) => delegatedAdminCustomerFixture(id, i === 0 ? 'Evil\u001b]0;pwned\u0007 Corp' : i === 1 ? null : `Customer ${i}`)),
    ];
    h.graph.gdapPageSize = 100;
    h.graph.reset();
    h.identity.roles = [GDAP];
  });
  afterEach(() => {
    h.identity.roles = undefined;
  });

  test('when discovery runs, it reads every page with the home identity and lists the customers neither in APNS_TENANTS nor registered; --add registers them, and then none is left', async () => {
    const args = ['--state-file', join(dir, `state-${++n}.json`)];
    expect((await cli(['tenants', 'add', FABRIKAM, ...args])).code).toBe(0);
    const found = await cli(['tenants', 'discover', ...args]);
    expect(found.code).toBe(0);
    expect(found.out.split('\n')[0]).toBe(`232 GDAP customers of the home tenant ${h.homeTenantId}; 230 not watched yet:`);
    expect(found.out).toContain(`  Customer 2 (${customers[2]})`);
    expect(found.out).toContain(`\n  ${customers[1]}\n`);
    expect(found.out).not.toContain('\u001b');
    expect(found.out).not.toContain(`(${contoso()})`);
    expect(found.out).toContain('tenants discover --add');
    // Three pages of at most 100, each with the home tenant's own token (the managed identity), in v1.0.
    const pages = h.graph.requests.filter((r) => r.path === '/v1.0/tenantRelationships/delegatedAdminCustomers');
    expect(pages.map((r) => [r.tenantId, r.status])).toEqual([
      [h.homeTenantId, 200],
      [h.homeTenantId, 200],
      [h.homeTenantId, 200],
    ]);
    // Listing changed nothing.
    expect((await listed(args)).tenants).toHaveLength(2);

    const added = await cli(['tenants', 'discover', '--add', '--json', ...args]);
    expect(added.code).toBe(0);
    expect((JSON.parse(added.out) as { added: string[] }).added.sort()).toEqual([...customers].sort());
    const list = await listed(args);
    expect(list.tenants).toHaveLength(232);
    const byId = new Map(list.tenants.map((t) => [t.tenantId, t]));
    expect(byId.get(customers[2] as string)).toMatchObject({ tenantName: 'Customer 2', source: 'registry', consent: { state: 'not_checked' } });
    expect(byId.get(customers[0] as string)?.tenantName).toBe('Evil ]0;pwned Corp');
    expect(byId.get(customers[1] as string)?.tenantName).toBe(customers[1]);
    expect((await cli(['tenants', 'discover', ...args])).out.split('\n')[0]).toBe(`232 GDAP customers of the home tenant ${h.homeTenantId}; 0 not watched yet.`);
  });

  test('when the home identity lacks DelegatedAdminRelationship.Read.All, Graph answers 403 and discovery fails naming the permission and who must get it; nothing is registered', async () => {
    // A Graph of its own: the managed identity's token for it is asked now, with the roles set here
    // (tokens are cached per resource for the whole process).
    const graph = await startGraphSimulator({ tls: loopbackTls(), tenantId: h.homeTenantId, tenant: { delegatedAdminCustomers: h.graph.tenant.delegatedAdminCustomers } });
    h.identity.roles = ['Mail.Send'];
    try {
      const args = ['--state-file', join(dir, `state-${++n}.json`)];
      const refused = await cli(['tenants', 'discover', '--add', ...args], { APNS_GRAPH_BASE_URL: graph.baseUrl });
      expect(refused.code).toBe(3);
      expect(refused.err).toContain(`the identity lacks the permission ${GDAP}`);
      expect(refused.err).toContain(`Grant ${GDAP} to the Function App's managed identity`);
      expect(graph.requests.map((r) => [r.path, r.status])).toEqual([['/v1.0/tenantRelationships/delegatedAdminCustomers', 403]]);
      expect((await listed(args)).tenants).toHaveLength(1);
    } finally {
      await graph.close();
    }
  });
});
