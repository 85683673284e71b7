import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest } from '@azure/functions';
import { createDashboardHandler } from '../../../functions/getApnsDashboard';
import { fixedClock } from '../../../shared/ports/clock';
import { silentLogger } from '../../../shared/ports/logger';
import type { FleetStatusView } from '../../../shared/useCases/getStatus';
import { recordingContext } from '../../support/functionEnv';
import { CONSENT_URL, CONTOSO_ID, NOW } from './dashboardFixtures';

export const HOSTILE_CHECK_DETAIL = '<img src=x onerror=alert(4)> secret apns-certificate';
/** Who the page's dry run is recorded under (as the real route records the signed-in name). */
export const DRY_RUN_ACTOR = 'alex@contoso.com';

/** What App Service Authentication would put in front of a signed-in operator's request. */
export function principalHeaders(name: string, roles: string[]): Record<string, string> {
  const claims = [{ typ: 'name', val: name }, { typ: 'http://schemas.microsoft.com/identity/claims/tenantid', val: CONTOSO_ID }, ...roles.map((r) => ({ typ: 'roles', val: r }))];
  const principal = { auth_typ: 'aad', claims, name_typ: 'name', role_typ: 'roles' };
  return { 'x-ms-client-principal': Buffer.from(JSON.stringify(principal)).toString('base64'), 'x-ms-client-principal-name': name };
}

export interface DashboardServer {
  origin: string;
  /** The read model the next page view renders. */
  view: FleetStatusView;
  /** JSON bodies the page posted to the renewal route. */
  renewRequests: unknown[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A loopback server that plays the Functions host for the page: GET /api/apns/dashboard goes
 * through the real handler (as if Easy Auth had signed in an operator), and the page's dry-run route
 * (POST /api/apns/dashboard/renew) records the attempt in the audit trail and answers a refused dry
 * run whose check detail is hostile text.
 */
export async function startDashboardServer(initial: FleetStatusView): Promise<DashboardServer> {
  const state = { view: initial, renewRequests: [] as unknown[] };
  const handler = createDashboardHandler({
    services: () => ({ easyAuth: true, homeTenantId: CONTOSO_ID, logger: silentLogger, links: [CONSENT_URL], loadFleetStatus: async () => state.view }),
    clock: fixedClock(NOW),
  });
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'GET' && url.pathname === '/api/apns/dashboard') {
        const request = new HttpRequest({ method: 'GET', url: `http://127.0.0.1${url.pathname}${url.search}`, headers: principalHeaders('alex@contoso.com', ['ApnsMonitor.Operator']) });
        const response = await handler(request, recordingContext('getApnsDashboard'));
        res.writeHead(response.status ?? 200, response.headers as Record<string, string>);
        res.end(response.body as string);
        return;
      }
      if (req.method === 'POST' && url.pathname === '/api/apns/dashboard/renew') {
        const posted = JSON.parse(await readBody(req)) as { tenantId?: string; secretName?: string };
        state.renewRequests.push(posted);
        // As the real route does, the attempt goes into the tenant's audit trail (newest first).
        state.view = {
          ...state.view,
          tenants: state.view.tenants.map((t) => {
            if (t.tenantId !== posted.tenantId) return t;
            const entry = { id: 'audit-dry-run', tenantId: t.tenantId, at: new Date(NOW).toISOString(), actor: DRY_RUN_ACTOR, via: 'http' as const, secretName: posted.secretName ?? 'apns-certificate', secretVersion: null, dryRun: true, allowNewTopic: false, outcome: 'topic_mismatch', message: 'The topic differs from Intune’s <b>current</b> one.', old: null, new: null, correlationId: 'corr-42' };
            return { ...t, renewals: [entry, ...t.renewals], lastRenewal: entry };
          }),
        };
        res.writeHead(409, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { code: 'topic_mismatch', message: 'The topic differs from Intune’s <b>current</b> one.', correlationId: 'corr-42' },
            checks: [
              { step: 1, check: 'request', ok: true, detail: 'secret apns-certificate, dry run' },
              { step: 6, check: 'same topic', ok: false, detail: HOSTILE_CHECK_DETAIL },
            ],
          }),
        );
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    get view() {
      return state.view;
    },
    set view(v: FleetStatusView) {
      state.view = v;
    },
    renewRequests: state.renewRequests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
