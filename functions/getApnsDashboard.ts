import { randomBytes } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { compressResponse } from '../shared/adapters/functions/compressResponse';
import { errorResponse } from '../shared/adapters/functions/httpErrors';
import { guardSettingsOf, hostGuard, type RequestGuard } from '../shared/adapters/functions/requestGuard';
import { consentUrlOf, loadFleetStatus } from '../shared/composition/createServices';
import { fallbackLogger, functionServices, type FunctionServices, type ServicesFor } from '../shared/composition/functionServices';
import { dashboardCsp } from '../shared/dashboard/dashboardCsp';
import { DASHBOARD_ROUTES, renderDashboard, type DashboardRoutes, type Viewer } from '../shared/dashboard/renderDashboard';
import { renderErrorPage } from '../shared/dashboard/renderErrorPage';
import type { TimelineBands } from '../shared/dashboard/renderTimeline';
import { AppError, toAppError } from '../shared/domain/errors';
import { systemClock, type Clock } from '../shared/ports/clock';
import type { Logger } from '../shared/ports/logger';
import type { FleetStatusView } from '../shared/useCases/getStatus';
import { answerCsr } from './getApnsCsr';
import { answerRenewal, readRenewalRequest } from './renewApnsCertificate';

/** What one request needs, built from the settings (a bad setting throws: the error page). */
export interface DashboardServices {
  /** App Service Authentication is on (`WEBSITE_AUTH_ENABLED`): only then are principal headers trusted. */
  easyAuth: boolean;
  /** The home tenant: a signed-in principal from another directory is refused. */
  homeTenantId: string;
  logger: Logger;
  bands?: TimelineBands;
  /** The URLs the product writes into findings (the fleet's admin-consent links): the only ones made clickable. */
  links?: readonly string[];
  /** The read model, from stored state only (no Graph call per page view). */
  loadFleetStatus(): Promise<FleetStatusView>;
}

export interface DashboardDeps {
  services(context: InvocationContext): DashboardServices;
  /** Who may see the page: Easy Auth's principal in Azure (the default); `apns-monitor serve` passes its own. */
  guard?: RequestGuard;
  routes?: DashboardRoutes;
  clock?: Clock;
}

const MAX_FILTER_CHARS = 200;

function htmlResponse(status: number, body: string, nonce: string): HttpResponseInit {
  return {
    status,
    body,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': dashboardCsp(nonce),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    },
  };
}

/**
 * GET /api/apns/dashboard: the status page (SPEC §12). Anonymous at the host level (a browser
 * cannot send a function key), so the handler itself refuses — a 401 page with no data — unless
 * App Service Authentication is on and someone signed in, or it runs under the local server.
 */
export function createDashboardHandler(deps: DashboardDeps): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  const routes = deps.routes ?? DASHBOARD_ROUTES;
  const clock = deps.clock ?? systemClock;
  const guard = deps.guard ?? hostGuard;
  return async function getApnsDashboard(request, context) {
    // A fresh nonce per response: the only key to the page's inline style and script.
    const nonce = randomBytes(18).toString('base64');
    let logger = fallbackLogger(context);
    let viewer: Viewer | null = null;
    const problem = (status: number, title: string, message: string, extra: { correlationId?: string; backLink?: boolean } = {}) =>
      htmlResponse(status, renderErrorPage({ title, message, nonce, viewerName: viewer?.name ?? null, home: routes.dashboard, ...extra }), nonce);
    try {
      const services = deps.services(context);
      logger = services.logger;
      viewer = guard.admit(request, services, { route: 'page' });
      const view = await services.loadFleetStatus();
      const tenantId = request.query.get('tenant') || undefined;
      if (tenantId !== undefined && !view.tenants.some((t) => t.tenantId === tenantId)) {
        return problem(404, 'Tenant not found', `No watched tenant has the id "${tenantId.slice(0, 100)}".`);
      }
      const filter = (request.query.get('q') ?? '').slice(0, MAX_FILTER_CHARS);
      // Anything that is not a page number shows the first page (the render clamps it to the last).
      const page = Number.parseInt((request.query.get('page') ?? '').slice(0, 6), 10);
      const body = renderDashboard({
        view,
        viewer,
        nonce,
        now: clock.now(),
        routes,
        filter,
        page: Number.isNaN(page) ? 1 : page,
        ...(tenantId === undefined ? {} : { selectedTenantId: tenantId }),
        ...(services.bands ? { bands: services.bands } : {}),
        ...(services.links ? { links: services.links } : {}),
      });
      // A page of the fleet table is a few hundred KB of HTML at most (FLEET_PAGE_SIZE), a tenth with brotli.
      return await compressResponse(request, htmlResponse(200, body, nonce));
    } catch (thrown) {
      const error = toAppError(thrown);
      if (viewer === null && (error.code === 'sign_in_required' || error.code === 'forbidden')) {
        // The guard's refusal: a page with no data. Its message never names the caller.
        logger.warn(`Status page refused (${error.code}): ${error.message} (correlation id ${context.invocationId})`);
        return problem(error.status, error.code === 'forbidden' ? 'Not allowed' : 'Sign-in required', error.message, { backLink: false });
      }
      // Logged (with its cause when unexpected) exactly as the JSON functions do; the page shows no stack.
      errorResponse(thrown, context, logger);
      // Details (e.g. which setting is wrong) only for someone signed in; the code and id for anyone.
      const message = viewer !== null && error.code !== 'internal_error' ? error.describe() : `The status page could not be shown (${error.code}).`;
      return problem(error.status, 'The status page could not be shown', message, { correlationId: context.invocationId });
    }
  };
}

/** The page's services from the functions' ones (the Functions' app settings, or the CLI's). */
export function dashboardServicesOf(services: FunctionServices): DashboardServices {
  const { config, logger, access, stateFile } = services;
  const consent = consentUrlOf(config);
  return {
    easyAuth: config.easyAuth,
    homeTenantId: config.tenant.id,
    logger,
    bands: config.policy,
    // The consent link a fleet tenant's "admin consent is missing" hint carries (identity/explainers).
    links: consent ? config.tenants.map((t) => consent(t.id)) : [],
    // State lives in the home tenant's storage: its credential reads every tenant's record.
    loadFleetStatus: async () => loadFleetStatus(config, (await access).home, stateFile),
  };
}

export const getApnsDashboard = createDashboardHandler({ services: (context) => dashboardServicesOf(functionServices(context)) });

// ── The page's actions ────────────────────────────────────────────────────────────────────────
// `/api/apns/renew` and `/api/apns/csr` need a function key, which a browser does not have: the page
// posts and links to these routes instead, anonymous at the host and guarded here like the page,
// for the ApnsMonitor.Operator role only. They run the same code and answer the same JSON.

export interface DashboardActionDeps {
  services: ServicesFor;
  /** As for the page: Easy Auth's principal by default; `apns-monitor serve` passes its own. */
  guard?: RequestGuard;
}

type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/** The viewer, if it may act from the page (an Operator from the page itself); else the guard throws 401/403. */
function operator(request: HttpRequest, deps: DashboardActionDeps, services: FunctionServices, method: 'GET' | 'POST'): Viewer {
  return (deps.guard ?? hostGuard).admit(request, guardSettingsOf(services.config), { route: 'action', method });
}

/**
 * POST /api/apns/dashboard/renew: the page's renewal dry run. Only dry runs: the upload that changes
 * Intune stays with `POST /api/apns/renew` (function key) and `apns-monitor renew`, deliberate steps
 * outside a page anyone signed in can be tricked into clicking.
 */
export function createDashboardRenewHandler(deps: DashboardActionDeps): HttpHandler {
  return async function renewFromApnsDashboard(request, context) {
    let logger = fallbackLogger(context);
    try {
      const services = deps.services(context);
      logger = services.logger;
      const viewer = operator(request, deps, services, 'POST');
      const parsed = await readRenewalRequest(request);
      if (!(parsed instanceof AppError) && parsed.dryRun !== true) {
        throw new AppError('invalid_request', 'The status page runs the renewal checks only ({"dryRun": true}); upload with "apns-monitor renew" or POST /api/apns/renew (function key).');
      }
      return await answerRenewal(services, parsed, viewer.name ?? 'status page', context);
    } catch (error) {
      return errorResponse(error, context, logger);
    }
  };
}

/** GET /api/apns/dashboard/csr?tenant=ID: the page's CSR link (the step before the Apple portal). */
export function createDashboardCsrHandler(deps: DashboardActionDeps): HttpHandler {
  return async function getApnsDashboardCsr(request, context) {
    let logger = fallbackLogger(context);
    try {
      const services = deps.services(context);
      logger = services.logger;
      operator(request, deps, services, 'GET');
      return await answerCsr(services, request);
    } catch (error) {
      return errorResponse(error, context, logger);
    }
  };
}

export const renewFromApnsDashboard = createDashboardRenewHandler({ services: functionServices });
export const getApnsDashboardCsr = createDashboardCsrHandler({ services: functionServices });

app.http('getApnsDashboard', {
  methods: ['GET'],
  route: 'apns/dashboard',
  authLevel: 'anonymous',
  handler: getApnsDashboard,
});

app.http('renewFromApnsDashboard', {
  methods: ['POST'],
  route: 'apns/dashboard/renew',
  authLevel: 'anonymous',
  handler: renewFromApnsDashboard,
});

app.http('getApnsDashboardCsr', {
  methods: ['GET'],
  route: 'apns/dashboard/csr',
  authLevel: 'anonymous',
  handler: getApnsDashboardCsr,
});
