import { randomBytes } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { clientPrincipal, OPERATOR_ROLE } from '../shared/adapters/functions/clientPrincipal';
import { errorResponse } from '../shared/adapters/functions/httpErrors';
import { loadFleetStatus } from '../shared/composition/createServices';
import { fallbackLogger, functionServices } from '../shared/composition/functionServices';
import { dashboardCsp } from '../shared/dashboard/dashboardCsp';
import { DASHBOARD_ROUTES, renderDashboard, type DashboardRoutes, type Viewer } from '../shared/dashboard/renderDashboard';
import { renderErrorPage } from '../shared/dashboard/renderErrorPage';
import type { TimelineBands } from '../shared/dashboard/renderTimeline';
import { toAppError } from '../shared/domain/errors';
import { systemClock, type Clock } from '../shared/ports/clock';
import type { Logger } from '../shared/ports/logger';
import type { FleetStatusView } from '../shared/useCases/getStatus';

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
      if (deps.localViewer) {
        viewer = deps.localViewer;
      } else {
        const principal = clientPrincipal(request.headers, services.easyAuth);
        if (principal === null) {
          logger.warn(`Status page refused: ${services.easyAuth ? 'no signed-in principal' : 'App Service Authentication is off'} (correlation id ${context.invocationId})`);
          return problem(
            401,
            'Sign-in required',
            services.easyAuth
              ? 'Sign in with your Microsoft Entra account to see this page.'
              : 'This page is served only behind App Service Authentication (Microsoft Entra sign-in), which is not enabled on this Function App, or on your computer by "apns-monitor serve".',
            { backLink: false },
          );
        }
        if (principal.tenantId !== undefined && principal.tenantId.toLowerCase() !== services.homeTenantId.toLowerCase()) {
          logger.warn(`Status page refused: a principal from another directory (correlation id ${context.invocationId})`);
          return problem(403, 'Not allowed', 'This page is for the users of the tenant that runs the monitor.', { backLink: false });
        }
        viewer = { name: principal.name, canRenew: principal.roles.includes(OPERATOR_ROLE) };
      }
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
      return htmlResponse(200, body, nonce);
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

export const getApnsDashboard = createDashboardHandler({
  services(context) {
    const { config, logger, access } = functionServices(context);
    return {
      easyAuth: config.easyAuth,
      homeTenantId: config.tenant.id,
      logger,
      bands: config.policy,
      // State lives in the home tenant's storage: its credential reads every tenant's record.
      loadFleetStatus: async () => loadFleetStatus(config, (await access).home),
    };
  },
});

app.http('getApnsDashboard', {
  methods: ['GET'],
  route: 'apns/dashboard',
  authLevel: 'anonymous',
  handler: getApnsDashboard,
});
