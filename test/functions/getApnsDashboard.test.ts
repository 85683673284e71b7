import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { createDashboardCsrHandler, createDashboardHandler, createDashboardRenewHandler, dashboardServicesOf, getApnsDashboard, renewFromApnsDashboard, type DashboardServices } from '../../functions/getApnsDashboard';
import { crossSiteReason, localGuard } from '../../shared/adapters/functions/requestGuard';
import type { FunctionServices } from '../../shared/composition/functionServices';
import type { TenantAccess } from '../../shared/composition/tenantAccess';
import { loadConfig } from '../../shared/config/loadConfig';
import { AppError } from '../../shared/domain/errors';
import { fixedClock } from '../../shared/ports/clock';
import type { Logger } from '../../shared/ports/logger';
import type { FleetStatusView } from '../../shared/useCases/getStatus';
import { recordingContext, withAppSettings } from '../support/functionEnv';
import { triggerOf } from '../support/functionsCoreApi';
import { contoso, CONTOSO_ID, fleetView, NOW } from '../shared/dashboard/dashboardFixtures';
import { principalHeaders } from '../shared/dashboard/dashboardServer';

const OPERATOR = principalHeaders('alex@contoso.com', ['ApnsMonitor.Operator']);
const READER = principalHeaders('robin@contoso.com', []);

function get(query = '', headers: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/apns/dashboard${query}`, headers });
}

function harness(options: { easyAuth?: boolean; load?: () => Promise<FleetStatusView>; localViewer?: { name: string; canRenew: boolean } } = {}) {
  const logged: string[] = [];
  const logger: Logger = { info: (m) => logged.push(`info ${m}`), warn: (m) => logged.push(`warn ${m}`), error: (m) => logged.push(`error ${m}`) };
  let loads = 0;
  const services = (): DashboardServices => ({
    easyAuth: options.easyAuth ?? true,
    homeTenantId: CONTOSO_ID,
    logger,
    loadFleetStatus: async () => {
      loads++;
      return (options.load ?? (async () => fleetView()))();
    },
  });
  const handler = createDashboardHandler({ services, clock: fixedClock(NOW), ...(options.localViewer ? { guard: localGuard(options.localViewer, 'local key') } : {}) });
  return { handler, logged, loads: () => loads };
}

const headersOf = (r: HttpResponseInit) => r.headers as Record<string, string>;
const bodyOf = (r: HttpResponseInit) => r.body as string;

function expectHtmlHeaders(response: HttpResponseInit): string {
  const headers = headersOf(response);
  expect(headers['content-type']).toBe('text/html; charset=utf-8');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['cache-control']).toBe('no-store');
  const nonce = /script-src 'nonce-([^']+)'/.exec(headers['content-security-policy'] ?? '')?.[1];
  expect(nonce).toBeDefined();
  expect(bodyOf(response)).toContain(`<style nonce="${nonce}">`);
  return nonce as string;
}

describe('getApnsDashboard (HTTP, the status page)', () => {
  test('when App Service Authentication is off, it answers a 401 page with no data, and forged principal headers change nothing', async () => {
    const h = harness({ easyAuth: false });
    const response = await h.handler(get('', OPERATOR), recordingContext('getApnsDashboard'));
    expect(response.status).toBe(401);
    expectHtmlHeaders(response);
    expect(bodyOf(response)).toContain('not enabled on this Function App');
    expect(bodyOf(response)).not.toMatch(/Contoso|Fabrikam|alex@/);
    expect(h.loads()).toBe(0);
    expect(h.logged).toEqual([expect.stringMatching(/^warn Status page refused \(sign_in_required\): This page is served only behind App Service Authentication/)]);
  });

  test('when Easy Auth is on but nobody signed in, it answers 401 and reads no state', async () => {
    const h = harness();
    const response = await h.handler(get(), recordingContext('getApnsDashboard'));
    expect(response.status).toBe(401);
    expect(bodyOf(response)).toContain('Sign in with your Microsoft Entra account');
    expect(h.loads()).toBe(0);
  });

  test('when an operator is signed in, it answers 200 with the strict headers, the name and the fleet', async () => {
    const h = harness();
    const response = await h.handler(get('', OPERATOR), recordingContext('getApnsDashboard'));
    expect(response.status).toBe(200);
    const nonce = expectHtmlHeaders(response);
    expect(headersOf(response)['content-security-policy']).toBe(
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    );
    expect(bodyOf(response)).toContain(`<script nonce="${nonce}">`);
    expect(bodyOf(response)).toContain('Signed in as <strong>alex@contoso.com</strong>');
    expect(bodyOf(response)).toContain('<h1>Fleet: 8 tenants</h1>');
  });

  test('when two pages are served, each has its own nonce', async () => {
    const h = harness();
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i++) nonces.add(expectHtmlHeaders(await h.handler(get('', OPERATOR), recordingContext('getApnsDashboard'))));
    expect(nonces.size).toBe(3);
  });

  test('when the viewer has the Operator role, the tenant view offers the dry run; without it, it does not', async () => {
    const h = harness();
    const asOperator = await h.handler(get(`?tenant=${CONTOSO_ID}`, OPERATOR), recordingContext('getApnsDashboard'));
    expect(bodyOf(asOperator)).toContain('id="dryrun"');
    const asReader = await h.handler(get(`?tenant=${CONTOSO_ID}`, READER), recordingContext('getApnsDashboard'));
    expect(asReader.status).toBe(200);
    expect(bodyOf(asReader)).not.toContain('id="dryrun"');
  });

  test('when the signed-in principal comes from another directory, it answers 403 and reads no state', async () => {
    const h = harness();
    const claims = [{ typ: 'name', val: 'eve@fabrikam.com' }, { typ: 'tid', val: '99999999-9999-4999-8999-999999999999' }];
    const foreign = { 'x-ms-client-principal': Buffer.from(JSON.stringify({ auth_typ: 'aad', claims })).toString('base64') };
    const response = await h.handler(get('', foreign), recordingContext('getApnsDashboard'));
    expect(response.status).toBe(403);
    expect(h.loads()).toBe(0);
  });

  test.each([
    ['claims without a tenant id', { 'x-ms-client-principal': Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: [{ typ: 'name', val: 'eve@example.com' }, { typ: 'roles', val: 'ApnsMonitor.Operator' }] })).toString('base64') }],
    ['only a name header', { 'x-ms-client-principal-name': 'eve@example.com' }],
  ])('when the signed-in principal has %s, it is not from the home tenant: 403, and no state is read', async (_what, headers) => {
    const h = harness();
    const response = await h.handler(get('', headers), recordingContext('getApnsDashboard'));
    expect(response.status).toBe(403);
    expect(bodyOf(response)).not.toMatch(/Contoso|Fabrikam|eve@/);
    expect(h.loads()).toBe(0);
  });

  test('when the local server names its viewer, the page is served without Easy Auth', async () => {
    const h = harness({ easyAuth: false, localViewer: { name: 'alex (this computer)', canRenew: true } });
    const response = await h.handler(get(`?tenant=${CONTOSO_ID}`), recordingContext('getApnsDashboard'));
    expect(response.status).toBe(200);
    expect(bodyOf(response)).toContain('Signed in as <strong>alex (this computer)</strong>');
    expect(bodyOf(response)).toContain('id="dryrun"');
  });

  test.each([
    ['?page=2', 'Lines 201–300 of 300 (page 2 of 2).'],
    ['?page=99', 'Lines 201–300 of 300 (page 2 of 2).'],
    ['?page=two', 'Lines 1–200 of 300 (page 1 of 2).'],
    ['?page=-1', 'Lines 1–200 of 300 (page 1 of 2).'],
  ])('when a fleet longer than a page is asked for %s, that page (or the nearest) is served', async (query, lines) => {
    const many = () => ({ ...fleetView(), tenants: Array.from({ length: 60 }, (_, i) => ({ ...contoso(), tenantId: `t-${i}`, tenantName: `Tenant ${i}` })) });
    const h = harness({ load: async () => many() });
    const response = await h.handler(get(query, OPERATOR), recordingContext('getApnsDashboard'));
    expect(response.status).toBe(200);
    expect(bodyOf(response)).toContain(lines);
  });

  test('when ?tenant= names no watched tenant, it answers a 404 page without tenant data', async () => {
    const h = harness();
    const response = await h.handler(get('?tenant=%3Cscript%3Ex', OPERATOR), recordingContext('getApnsDashboard'));
    expect(response.status).toBe(404);
    expectHtmlHeaders(response);
    expect(bodyOf(response)).toContain('No watched tenant has the id &quot;&lt;script&gt;x&quot;.');
    expect(bodyOf(response)).not.toContain('Fabrikam');
  });

  test('when reading state fails unexpectedly, it answers a 500 page with the correlation id, logs the cause, and shows no stack', async () => {
    const h = harness({ load: async () => Promise.reject(new TypeError('boom at secret place')) });
    const context = recordingContext('getApnsDashboard');
    const response = await h.handler(get('', OPERATOR), context);
    expect(response.status).toBe(500);
    expectHtmlHeaders(response);
    expect(bodyOf(response)).toContain(`<code>${context.invocationId}</code>`);
    expect(bodyOf(response)).toContain('(internal_error)');
    expect(bodyOf(response)).not.toMatch(/boom|TypeError|\s+at\s.+:\d+:\d+/);
    expect(h.logged.join('\n')).toContain('TypeError: boom at secret place');
  });

  test('when state storage is unavailable, a signed-in viewer sees the reason', async () => {
    const h = harness({ load: async () => Promise.reject(new AppError('state_unavailable', 'Table Storage did not answer.')) });
    const response = await h.handler(get('', OPERATOR), recordingContext('getApnsDashboard'));
    expect(response.status).toBe(503);
    expect(bodyOf(response)).toContain('Table Storage did not answer.');
  });

  test("when a fleet's page is served, the links it may make clickable are exactly each tenant's admin-consent URL", () => {
    const fabrikam = '44444444-4444-4444-8444-444444444444';
    const config = loadConfig({ APNS_TENANT_ID: CONTOSO_ID, APNS_TENANTS: `${CONTOSO_ID}=Contoso,${fabrikam}=Fabrikam`, APNS_APP_CLIENT_ID: '99999999-9999-4999-8999-999999999999' });
    const services = dashboardServicesOf({ config, logger: { info: () => undefined, warn: () => undefined, error: () => undefined }, access: new Promise(() => undefined) });
    expect(services.links).toEqual([CONTOSO_ID, fabrikam].map((id) => `https://login.microsoftonline.com/${id}/adminconsent?client_id=99999999-9999-4999-8999-999999999999`));
  });

  describe('the deployed instance', () => {
    let restore: () => void = () => undefined;
    afterEach(() => restore());

    test('when the settings are invalid, it answers a 500 page with the code and correlation id, not the details (nobody is signed in yet)', async () => {
      restore = withAppSettings({ APNS_TENANT_ID: 'contoso.onmicrosoft.com', APNS_NOTICE_DAYS: 'soon' });
      const context = recordingContext('getApnsDashboard');
      const response = await getApnsDashboard(get('', OPERATOR), context);
      expect(response.status).toBe(500);
      expect(bodyOf(response)).toContain('(config_invalid)');
      expect(bodyOf(response)).toContain(context.invocationId);
      expect(bodyOf(response)).not.toContain('APNS_NOTICE_DAYS');
      expect(context.lines.join('\n')).toContain('APNS_NOTICE_DAYS');
    });

    test('when WEBSITE_AUTH_ENABLED is not set, it refuses even a request carrying principal headers', async () => {
      restore = withAppSettings({ APNS_TENANT_ID: 'contoso.onmicrosoft.com', WEBSITE_AUTH_ENABLED: undefined });
      const response = await getApnsDashboard(get('', OPERATOR), recordingContext('getApnsDashboard'));
      expect(response.status).toBe(401);
    });
  });
});

describe('the status page actions (POST /api/apns/dashboard/renew, GET /api/apns/dashboard/csr)', () => {
  const ORIGIN = 'https://apns-monitor.azurewebsites.net';

  /** Services whose sign-ins record any use: a refused action must read nothing. */
  function actions(options: { easyAuth?: boolean; websiteAuthEnabled?: string; localViewer?: { name: string; canRenew: boolean } } = {}) {
    const logged: string[] = [];
    let reads = 0;
    const logger: Logger = { info: (m) => logged.push(`info ${m}`), warn: (m) => logged.push(`warn ${m}`), error: (m) => logged.push(`error ${m}`) };
    const access = {
      get home(): never {
        reads++;
        throw new Error('a refused action must not sign in');
      },
      forTenant(): never {
        reads++;
        throw new Error('a refused action must not sign in');
      },
      tokenFetches: () => 0,
    } as unknown as TenantAccess;
    const config = loadConfig({ APNS_TENANT_ID: CONTOSO_ID, ...(options.easyAuth === false ? {} : { WEBSITE_AUTH_ENABLED: options.websiteAuthEnabled ?? 'True' }) });
    const deps = { services: (): FunctionServices => ({ config, logger, access: Promise.resolve(access) }), ...(options.localViewer ? { guard: localGuard(options.localViewer, 'local key') } : {}) };
    return { renew: createDashboardRenewHandler(deps), csr: createDashboardCsrHandler(deps), logged, reads: () => reads };
  }

  function post(body: unknown, headers: Record<string, string> = {}): HttpRequest {
    return new HttpRequest({
      method: 'POST',
      url: `${ORIGIN}/api/apns/dashboard/renew`,
      body: { string: JSON.stringify(body) },
      headers: { 'content-type': 'application/json', origin: ORIGIN, 'sec-fetch-site': 'same-origin', ...headers },
    });
  }
  const csrGet = (headers: Record<string, string> = {}) => new HttpRequest({ method: 'GET', url: `${ORIGIN}/api/apns/dashboard/csr?tenant=${CONTOSO_ID}`, headers });
  const errorOf = (r: HttpResponseInit) => (r.jsonBody as { error: { code: string; message: string } }).error;

  test('when the entry point registers them, both are anonymous at the host (a browser has no function key) under the page’s route', () => {
    expect(triggerOf('renewFromApnsDashboard')).toMatchObject({ type: 'httpTrigger', route: 'apns/dashboard/renew', methods: ['POST'], authLevel: 'anonymous' });
    expect(triggerOf('getApnsDashboardCsr')).toMatchObject({ type: 'httpTrigger', route: 'apns/dashboard/csr', methods: ['GET'], authLevel: 'anonymous' });
  });

  test('when App Service writes WEBSITE_AUTH_ENABLED=1, a signed-in operator is not refused: the CSR action goes on to Intune', async () => {
    const a = actions({ websiteAuthEnabled: '1' });
    const response = await a.csr(csrGet({ ...OPERATOR, 'sec-fetch-site': 'same-origin' }), recordingContext('getApnsDashboardCsr'));
    expect(response.status).not.toBe(401);
    expect(a.reads()).toBe(1); // it signed in to read the CSR (this harness refuses the sign-in itself)
  });

  test('when App Service Authentication is off, the dry run answers 401 and reads nothing, forged operator headers or not', async () => {
    const a = actions({ easyAuth: false });
    const response = await a.renew(post({ dryRun: true }, OPERATOR), recordingContext('renewFromApnsDashboard'));
    expect(response.status).toBe(401);
    expect(errorOf(response).code).toBe('sign_in_required');
    expect(a.reads()).toBe(0);
  });

  test('when a signed-in user lacks the Operator role, the dry run and the CSR answer 403 naming the role, and read nothing', async () => {
    const a = actions();
    for (const response of [await a.renew(post({ dryRun: true }, READER), recordingContext('renewFromApnsDashboard')), await a.csr(csrGet(READER), recordingContext('getApnsDashboardCsr'))]) {
      expect(response.status).toBe(403);
      expect(errorOf(response)).toMatchObject({ code: 'forbidden', message: expect.stringContaining('ApnsMonitor.Operator') });
    }
    expect(a.reads()).toBe(0);
  });

  test.each([
    ['another origin', { origin: 'https://evil.example' }],
    ['an opaque origin', { origin: 'null' }],
    ['a cross-site fetch', { 'sec-fetch-site': 'cross-site' }],
    ['a same-site sibling', { 'sec-fetch-site': 'same-site' }],
    ['a form post (text/plain)', { 'content-type': 'text/plain' }],
    ['no content-type', { 'content-type': '' }],
  ])('when an operator’s browser is made to post from %s, it answers 403 and reads nothing', async (_what, headers) => {
    const a = actions();
    const response = await a.renew(post({ dryRun: true }, { ...OPERATOR, ...headers }), recordingContext('renewFromApnsDashboard'));
    expect(response.status).toBe(403);
    expect(errorOf(response).message).toMatch(/^Refused: this action is accepted only from the status page itself/);
    expect(a.reads()).toBe(0);
  });

  test('when an operator asks for a real upload, it answers 400 and points to the CLI and the function-key API', async () => {
    const a = actions();
    const response = await a.renew(post({ secretName: 'apns-certificate' }, OPERATOR), recordingContext('renewFromApnsDashboard'));
    expect(response.status).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('POST /api/apns/renew') });
    expect(a.reads()).toBe(0);
  });

  test('when the CSR link is opened from another site, it answers 403; typed in the address bar (Sec-Fetch-Site: none), it passes the guard', async () => {
    const a = actions();
    const crossSite = await a.csr(csrGet({ ...OPERATOR, 'sec-fetch-site': 'cross-site' }), recordingContext('getApnsDashboardCsr'));
    expect(crossSite.status).toBe(403);
    expect(a.reads()).toBe(0);
    // Past the guard it signs in to read Intune: here the recording sign-in refuses, so a 500.
    const typed = await a.csr(csrGet({ ...OPERATOR, 'sec-fetch-site': 'none' }), recordingContext('getApnsDashboardCsr'));
    expect(typed.status).toBe(500);
    expect(a.reads()).toBe(1);
  });

  test('when the request comes from the page itself, or from a client that names no origin (curl), the guard lets it through', () => {
    expect(crossSiteReason(post({}), 'POST')).toBeUndefined();
    expect(crossSiteReason(new HttpRequest({ method: 'POST', url: `${ORIGIN}/x`, headers: { 'content-type': 'application/json; charset=utf-8' } }), 'POST')).toBeUndefined();
    expect(crossSiteReason(csrGet(), 'GET')).toBeUndefined();
    // TLS ended at App Service's front end: the worker may see http:// while the page is https://.
    const behindFrontEnd = new HttpRequest({ method: 'POST', url: 'http://apns-monitor.azurewebsites.net/x', headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-forwarded-proto': 'https' } });
    expect(crossSiteReason(behindFrontEnd, 'POST')).toBeUndefined();
    expect(crossSiteReason(new HttpRequest({ method: 'POST', url: 'http://apns-monitor.azurewebsites.net/x', headers: { 'content-type': 'application/json', origin: 'https://evil.example', 'x-forwarded-proto': 'https' } }), 'POST')).toMatch(/evil\.example/);
  });

  describe('the deployed instance', () => {
    let restore: () => void = () => undefined;
    afterEach(() => restore());

    test('when WEBSITE_AUTH_ENABLED is not set, the dry run is refused with 401 before anything is read', async () => {
      restore = withAppSettings({ APNS_TENANT_ID: CONTOSO_ID, WEBSITE_AUTH_ENABLED: undefined });
      const response = await renewFromApnsDashboard(post({ dryRun: true }, OPERATOR), recordingContext('renewFromApnsDashboard'));
      expect(response.status).toBe(401);
      expect(errorOf(response).code).toBe('sign_in_required');
    });
  });
});
