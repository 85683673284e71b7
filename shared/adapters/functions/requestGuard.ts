import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { HttpRequest } from '@azure/functions';
import type { AppConfig } from '../../config/loadConfig';
import type { Viewer } from '../../dashboard/viewer';
import { AppError } from '../../domain/errors';
import { clientPrincipal, OPERATOR_ROLE } from './clientPrincipal';

/**
 * Who may call an HTTP route, and from where: the one guard of every HTTP function — the status
 * page, its actions and the function-key API — in Azure (`hostGuard`) and under `apns-monitor serve`
 * (`localGuard`), so a route cannot be added with a weaker door than the others (SPEC §9, §12).
 *
 * A state-changing route (a POST) takes JSON only and refuses what a browser says comes from another
 * site. A browser sends another site's request without a CORS preflight only as a "simple" request
 * (form content types, no custom header), so JSON-only plus this app never granting CORS leaves a
 * cross-site page no way in; `Sec-Fetch-Site` and `Origin` turn away the rest early and say why.
 * For a new page action (approve, acknowledge…), `{ route: 'action', method: 'POST' }` is the way:
 * a same-origin JSON POST from the served page by an Operator (or the person at this computer).
 */
export type RouteRule =
  /** The status page: a signed-in principal of the home tenant, or the local viewer. */
  | { route: 'page' }
  /**
   * The page's own actions: as the page, with the Operator role, from the page itself. `uploads`: the
   * action changes Intune (approving a renewal proposal): on `serve` it also needs this run's key, the
   * confirmation no web page can forge (SPEC §9).
   */
  | { route: 'action'; method: 'GET' | 'POST'; uploads?: boolean }
  /** The function-key API (`/api/apns/status`, `/csr`, `/renew`), for automation. */
  | { route: 'api'; method: 'GET' | 'POST' }
  /**
   * Event Grid's delivery to an Event Grid trigger (`/runtime/webhooks/eventgrid`): in Azure the host
   * checks its system key before any code runs; on `serve`, this run's key stands for it.
   */
  | { route: 'webhook' };

/** What the guard needs from the settings. */
export interface GuardSettings {
  /** App Service Authentication is on (`WEBSITE_AUTH_ENABLED`): only then are principal headers trusted. */
  easyAuth: boolean;
  /** The home tenant: a principal from another directory, or with no directory at all, is refused. */
  homeTenantId: string;
}

export function guardSettingsOf(config: Pick<AppConfig, 'easyAuth' | 'tenant'>): GuardSettings {
  return { easyAuth: config.easyAuth, homeTenantId: config.tenant.id };
}

export interface RequestGuard {
  /**
   * The caller (its name is recorded on any action; null when only a function key vouches for it),
   * or throws AppError `sign_in_required` (401) or `forbidden` (403) before anything is read.
   */
  admit(request: HttpRequest, settings: GuardSettings, rule: RouteRule): Viewer;
}

/** The header the Functions host reads a function key from; the local server's key travels in it too. */
export const FUNCTION_KEY_HEADER = 'x-functions-key';

/**
 * Why a request may have been sent by another site through the person's browser (CSRF), or
 * undefined. A POST must be JSON and come from the page's own origin when the browser says where it
 * comes from; a GET may also be typed or bookmarked (`Sec-Fetch-Site: none`).
 */
export function crossSiteReason(request: HttpRequest, method: 'GET' | 'POST', jsonTypes: readonly string[] = JSON_TYPES): string | undefined {
  const site = request.headers.get('sec-fetch-site')?.toLowerCase();
  if (site !== undefined && site !== 'same-origin' && !(method === 'GET' && site === 'none')) return `Sec-Fetch-Site is "${site.slice(0, 20)}"`;
  const origin = request.headers.get('origin');
  if (origin !== null && !ownOrigins(request).includes(origin)) return `it comes from ${origin === 'null' ? 'an opaque origin' : `the origin ${origin.slice(0, 100)}`}`;
  if (method === 'POST') {
    const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (!type || !jsonTypes.includes(type)) return `its content-type is ${type ? `"${type.slice(0, 60)}"` : 'missing'}, not ${jsonTypes.join(' or ')}`;
  }
  return undefined;
}

const JSON_TYPES = ['application/json'];
/**
 * What Event Grid posts: JSON, or CloudEvents in structured mode. Neither is a type a web page may
 * send another site without a CORS preflight (only form types and text/plain are), like JSON.
 */
const EVENT_GRID_TYPES = ['application/json', 'application/cloudevents+json', 'application/cloudevents-batch+json'];

/**
 * The origins of the request itself: its URL's, and the same host with the scheme the front end
 * reports (App Service ends TLS before the worker and says so in `x-forwarded-proto`).
 */
function ownOrigins(request: HttpRequest): string[] {
  const url = new URL(request.url);
  const forwarded = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return forwarded === 'https' || forwarded === 'http' ? [url.origin, `${forwarded}://${url.host}`] : [url.origin];
}

function refuseCrossSite(request: HttpRequest, rule: Exclude<RouteRule, { route: 'page' }>): void {
  // Event Grid also sends an OPTIONS (the CloudEvents handshake): no body, so no content type to check.
  const method = rule.route === 'webhook' ? (request.method.toUpperCase() === 'POST' ? 'POST' : 'GET') : rule.method;
  const reason = crossSiteReason(request, method, rule.route === 'webhook' ? EVENT_GRID_TYPES : JSON_TYPES);
  if (reason === undefined) return;
  throw new AppError(
    'forbidden',
    rule.route === 'action'
      ? `Refused: this action is accepted only from the status page itself (${reason}).`
      : rule.route === 'webhook'
        ? `Refused: this request looks sent by another web site through a browser (${reason}); the Event Grid webhook takes Event Grid's deliveries.`
        : `Refused: this request looks sent by another web site through a browser (${reason}); the API takes JSON from scripts and tools.`,
  );
}

/** A signed-in principal of the home tenant (Easy Auth), or throws 401/403. */
function signedIn(request: HttpRequest, settings: GuardSettings): Viewer {
  const principal = clientPrincipal(request.headers, settings.easyAuth);
  if (principal === null) {
    throw new AppError(
      'sign_in_required',
      settings.easyAuth
        ? 'Sign in with your Microsoft Entra account to see this page.'
        : 'This page is served only behind App Service Authentication (Microsoft Entra sign-in), which is not enabled on this Function App, or on your computer by "apns-monitor serve".',
    );
  }
  // SPEC §9: a principal with no tenant claim is not "from the home tenant" (App Service always
  // passes Entra's `tid`; its absence means a provider or a token this page was not set up for).
  if (principal.tenantId === undefined || principal.tenantId.toLowerCase() !== settings.homeTenantId.toLowerCase()) {
    throw new AppError('forbidden', 'This page is for the users of the tenant that runs the monitor.');
  }
  return { name: principal.name, canRenew: principal.roles.includes(OPERATOR_ROLE) };
}

function requireOperator(viewer: Viewer): void {
  if (viewer.canRenew) return;
  throw new AppError('forbidden', `The status page's actions are for the ${OPERATOR_ROLE} app role; ask an administrator of the monitor for it, or use "apns-monitor renew --dry-run".`);
}

/**
 * In Azure: the page and its actions need Easy Auth's signed-in principal of the home tenant (the
 * actions the Operator role too); the API's function key was checked by the host before the code
 * ran, and the caller's name counts only when Easy Auth vouches for it.
 */
export const hostGuard: RequestGuard = {
  admit(request, settings, rule) {
    if (rule.route === 'api') {
      if (rule.method === 'POST') refuseCrossSite(request, rule);
      return { name: clientPrincipal(request.headers, settings.easyAuth)?.name ?? null, canRenew: true };
    }
    if (rule.route === 'webhook') {
      refuseCrossSite(request, rule);
      return { name: null, canRenew: false };
    }
    const viewer = signedIn(request, settings);
    if (rule.route === 'page') return viewer;
    requireOperator(viewer);
    refuseCrossSite(request, rule);
    return viewer;
  },
};

/** A key for one run of the local server: 256 random bits, printed on its terminal only. */
export function createLocalKey(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * `apns-monitor serve`: every page on this computer's browser can reach 127.0.0.1, so the person at
 * it is the viewer and operator only through the page itself (same-origin JSON), and the API's POST
 * needs the key this run printed on the terminal — the function key's part here, which no web page
 * can know or send (a custom header needs a CORS preflight this server never grants).
 */
export function localGuard(viewer: Viewer, key: string): RequestGuard {
  const expected = digest(key);
  // Digests compared in constant time: neither the key nor its length leaks through timing.
  const keyed = (given: string | null) => given !== null && timingSafeEqual(digest(given), expected);
  return {
    admit(request, _settings, rule) {
      if (rule.route === 'page') return viewer;
      if (rule.route === 'action') {
        requireOperator(viewer);
        refuseCrossSite(request, rule);
        if (rule.uploads && !keyed(request.headers.get(FUNCTION_KEY_HEADER))) {
          throw new AppError(
            'sign_in_required',
            `An upload from the local server's page needs its key: type the key "apns-monitor serve" printed when it started (a new one each run) in the page's key field. No web page can know it.`,
          );
        }
        return viewer;
      }
      if (rule.route === 'webhook') {
        refuseCrossSite(request, rule);
        // Event Grid puts the host's system key in the URL it posts to (`?code=`), a script may send the header.
        if (!keyed(request.headers.get(FUNCTION_KEY_HEADER) ?? request.query.get('code'))) {
          throw new AppError(
            'sign_in_required',
            `The local server's Event Grid webhook takes a delivery only with its key, as the Functions host takes it only with its system key: add ?code=<key> (or the header ${FUNCTION_KEY_HEADER}) with the key "apns-monitor serve" printed when it started.`,
          );
        }
        return { name: null, canRenew: false };
      }
      if (rule.method === 'POST') {
        refuseCrossSite(request, rule);
        if (!keyed(request.headers.get(FUNCTION_KEY_HEADER))) {
          throw new AppError(
            'sign_in_required',
            `The local server's API takes a POST only with its key: send the header ${FUNCTION_KEY_HEADER} with the key "apns-monitor serve" printed when it started (a new one each run). The status page's own dry run needs none.`,
          );
        }
      }
      return viewer;
    },
  };
}
