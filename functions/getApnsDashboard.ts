import { randomBytes } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { clientPrincipal, OPERATOR_ROLE } from '../shared/adapters/functions/clientPrincipal';
import { compressResponse } from '../shared/adapters/functions/compressResponse';
import { errorResponse } from '../shared/adapters/functions/httpErrors';
import { loadFleetStatus } from '../shared/composition/createServices';
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
  /** The read model, from stored state only (no Graph call per page view). */
  loadFleetStatus(): Promise<FleetStatusView>;
}

export interface DashboardDeps {
  services(context: InvocationContext): DashboardServices;
  /**
   * Set only by `apns-monitor serve` (127.0.0.1, the CLI's own state): the person at this computer.
   * The Functions host never sets it, so there the page needs Easy Auth and a signed-in principal.
   */
  localViewer?: Viewer;
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

type Admission = { viewer: Viewer } | { refused: { status: 401 | 403; title: string; message: string } };

/**
 * Who may see the page (and use its actions): the local viewer of `apns-monitor serve`, or a
 * principal App Service Authentication signed in, from the home tenant. Principal headers count only
 * when Easy Auth is on (it strips forged ones). A refusal is logged without the caller's name.
 */
function admit(request: HttpRequest, context: InvocationContext, localViewer: Viewer | undefined, services: Pick<DashboardServices, 'easyAuth' | 'homeTenantId' | 'logger'>): Admission {
  if (localViewer) return { viewer: localViewer };
  const principal = clientPrincipal(request.headers, services.easyAuth);
  if (principal === null) {
    services.logger.warn(`Status page refused: ${services.easyAuth ? 'no signed-in principal' : 'App Service Authentication is off'} (correlation id ${context.invocationId})`);
    return {
      refused: {
        status: 401,
        title: 'Sign-in required',
        message: services.easyAuth
          ? 'Sign in with your Microsoft Entra account to see this page.'
          : 'This page is served only behind App Service Authentication (Microsoft Entra sign-in), which is not enabled on this Function App, or on your computer by "apns-monitor serve".',
      },
    };
  }
  if (principal.tenantId !== undefined && principal.tenantId.toLowerCase() !== services.homeTenantId.toLowerCase()) {
    services.logger.warn(`Status page refused: a principal from another directory (correlation id ${context.invocationId})`);
    return { refused: { status: 403, title: 'Not allowed', message: 'This page is for the users of the tenant that runs the monitor.' } };
  }
  return { viewer: { name: principal.name, canRenew: principal.roles.includes(OPERATOR_ROLE) } };
}

/**
 * GET /api/apns/dashboard: the status page (SPEC §12). Anonymous at the host level (a browser
 * cannot send a function key), so the handler itself refuses — a 401 page with no data — unless
 * App Service Authentication is on and someone signed in, or it runs under the local server.
 */
export function createDashboardHandler(deps: DashboardDeps): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  const routes = deps.routes ?? DASHBOARD_ROUTES;
  const clock = deps.clock ?? systemClock;
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
      const admitted = admit(request, context, deps.localViewer, services);
      if ('refused' in admitted) return problem(admitted.refused.status, admitted.refused.title, admitted.refused.message, { backLink: false });
      viewer = admitted.viewer;
      const view = await services.loadFleetStatus();
      const tenantId = request.query.get('tenant') || undefined;
      if (tenantId !== undefined && !view.tenants.some((t) => t.tenantId === tenantId)) {
        return problem(404, 'Tenant not found', `No watched tenant has the id "${tenantId.slice(0, 100)}".`);
      }
      const filter = (request.query.get('q') ?? '').slice(0, MAX_FILTER_CHARS);
      const body = renderDashboard({
        view,
        viewer,
        nonce,
        now: clock.now(),
        routes,
        filter,
        ...(tenantId === undefined ? {} : { selectedTenantId: tenantId }),
        ...(services.bands ? { bands: services.bands } : {}),
      });
      // ~3 MB of HTML for 1,000 tenants, ~80 KB with brotli.
      return await compressResponse(request, htmlResponse(200, body, nonce));
    } catch (thrown) {
      // Logged (with its cause when unexpected) exactly as the JSON functions do; the page shows no stack.
      errorResponse(thrown, context, logger);
      const error = toAppError(thrown);
      // Details (e.g. which setting is wrong) only for someone signed in; the code and id for anyone.
      const message = viewer !== null && error.code !== 'internal_error' ? error.describe() : `The status page could not be shown (${error.code}).`;
      return problem(error.status, 'The status page could not be shown', message, { correlationId: context.invocationId });
    }
  };
}

/** The page's services from the functions' ones (the Functions' app settings, or the CLI's). */
export function dashboardServicesOf(services: FunctionServices): DashboardServices {
  const { config, logger, access, stateFile } = services;
  return {
    easyAuth: config.easyAuth,
    homeTenantId: config.tenant.id,
    logger,
    bands: config.policy,
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
  /** As for the page: set only by `apns-monitor serve`. */
  localViewer?: Viewer;
}

type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/**
 * Why a request may have been sent by another site through the signed-in browser (CSRF), or
 * undefined. A POST must be JSON — which a cross-site page can send only after a CORS preflight this
 * app never grants — and come from the page's own origin when the browser says where it comes from.
 */
export function crossSiteReason(request: HttpRequest, method: 'GET' | 'POST'): string | undefined {
  const site = request.headers.get('sec-fetch-site')?.toLowerCase();
  // `none`: a person typed or bookmarked the link (fine for the CSR download, never for a POST).
  if (site !== undefined && site !== 'same-origin' && !(method === 'GET' && site === 'none')) return `Sec-Fetch-Site is "${site.slice(0, 20)}"`;
  const origin = request.headers.get('origin');
  if (origin !== null && !ownOrigins(request).includes(origin)) return `it comes from ${origin === 'null' ? 'an opaque origin' : `the origin ${origin.slice(0, 100)}`}`;
  if (method === 'POST') {
    const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') return `its content-type is ${type ? `"${type.slice(0, 60)}"` : 'missing'}, not application/json`;
  }
  return undefined;
}

/**
 * The origins of the request itself: its URL's, and the same host with the scheme the front end
 * reports (App Service ends TLS before the worker and says so in `x-forwarded-proto`).
 */
function ownOrigins(request: HttpRequest): string[] {
  const url = new URL(request.url);
  const forwarded = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return forwarded === 'https' || forwarded === 'http' ? [url.origin, `${forwarded}://${url.host}`] : [url.origin];
}

/** The viewer, if it may act from the page (an Operator, or the person at this computer); else throws 401/403. */
function operator(request: HttpRequest, context: InvocationContext, deps: DashboardActionDeps, services: FunctionServices, method: 'GET' | 'POST'): Viewer {
  const admitted = admit(request, context, deps.localViewer, { easyAuth: services.config.easyAuth, homeTenantId: services.config.tenant.id, logger: services.logger });
  if ('refused' in admitted) throw new AppError(admitted.refused.status === 401 ? 'sign_in_required' : 'forbidden', admitted.refused.message);
  if (!admitted.viewer.canRenew) {
    throw new AppError('forbidden', `The status page's renewal actions are for the ${OPERATOR_ROLE} app role; ask an administrator of the monitor for it, or use "apns-monitor renew --dry-run".`);
  }
  const crossSite = crossSiteReason(request, method);
  // Logged (as every refusal) by errorResponse.
  if (crossSite !== undefined) throw new AppError('forbidden', `Refused: this action is accepted only from the status page itself (${crossSite}).`);
  return admitted.viewer;
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
      const viewer = operator(request, context, deps, services, 'POST');
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
      operator(request, context, deps, services, 'GET');
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
