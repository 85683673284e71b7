import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as nodeModule from 'node:module';

import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit, type LogLevel } from '@azure/functions';
import { createLocalKey, FUNCTION_KEY_HEADER, localGuard, type RequestGuard } from '../adapters/functions/requestGuard';
import type { ServicesFor } from '../composition/functionServices';
import type { Viewer } from '../dashboard/viewer';
import { AppError } from '../domain/errors';
import { osUser } from './osActor';

/**
 * The HTTP functions on 127.0.0.1, for `apns-monitor serve` and `demo --serve`: each request becomes
 * an `HttpRequest` handed with a fresh `InvocationContext` to the same handlers the Functions host
 * calls, built from the CLI's settings and state instead of the app settings. Only this computer
 * can reach it — but so can every web page its browser opens. There is no Easy Auth: the person at
 * it is the viewer, through the same guard as in Azure (`localGuard`): the page's actions only from
 * the page itself, and the API's POST only with the key this run prints (the function key's part).
 */

type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

export interface LocalRoute {
  /** The function's name, as registered with `app.http` (or the host's webhook it stands for). */
  name: string;
  methods: readonly string[];
  /** The route as registered (`apns/status`), served under `/api/`. */
  route: string;
  /** A path of the host itself instead (`/runtime/webhooks/eventgrid`), matched in any case as the host does. */
  path?: string;
  handler: HttpHandler;
}

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  /** The status page. */
  dashboardUrl: string;
  /**
   * This run's key for the API's POST (`x-functions-key`), as a function key is in Azure: printed
   * on the terminal that started the server, unknown to any web page.
   */
  key: string;
  /** Stops listening, closes idle connections and waits for requests still running (a renewal finishes). */
  close(): Promise<void>;
}

export interface LocalServerOptions {
  /** 0 picks a free port. */
  port: number;
  services: ServicesFor;
  viewer: Viewer;
  /** Where the invocations' log lines go (already redacted by the handlers' loggers). */
  log(level: LogLevel, text: string): void;
}

// The Functions host accepts up to 100 MB; the handlers refuse more than 16 KB themselves (SPEC §9):
// this bound only keeps a runaway client from filling memory.
const MAX_BODY_BYTES = 1024 * 1024;
const LOOPBACK = '127.0.0.1';

/** The person at this computer: who the page greets and the audit trail records. */
export function localViewer(): Viewer {
  return { name: `${osUser()} (local)`, canRenew: true, confirmsUploadWithKey: true };
}

/** `--port`: a whole number 0–65535 (0: any free port), default 7071 as the Functions host uses. */
export function parsePort(value: string | undefined): number {
  if (value === undefined) return 7071;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new AppError('cli_usage', `--port: must be a port number from 0 to 65535 (0: any free port), got "${value.slice(0, 20)}".`);
  return Number(value);
}

let quietHost = false;

/**
 * Inside Azure the worker hands `@azure/functions` its registration API (`@azure/functions-core`);
 * without it the library prints "test mode" warnings for every `app.http` in the function files.
 * Here this process is the host and routes requests itself, so it provides an API that registers
 * nothing. (Tests map that module in jest.config.js instead.)
 */
export function provideQuietFunctionsCore(): void {
  if (quietHost || typeof nodeModule.registerHooks !== 'function') return;
  quietHost = true;
  const url = 'apns-monitor:functions-core';
  nodeModule.registerHooks({
    resolve: (specifier, context, next) => (specifier === '@azure/functions-core' ? { url, format: 'commonjs', shortCircuit: true } : next(specifier, context)),
    load: (target, context, next) =>
      target === url
        ? {
            format: 'commonjs',
            shortCircuit: true,
            source: 'const none = { dispose() {} }; module.exports = { setProgrammingModel() {}, registerFunction: () => none, registerHook: () => none, log() {} };',
          }
        : next(target, context),
  });
}

/** The HTTP functions, made with the given services and guard: the status page, its actions and the API. */
export async function localRoutes(services: ServicesFor, guard: RequestGuard): Promise<LocalRoute[]> {
  provideQuietFunctionsCore();
  const [dashboard, status, csr, renew, acknowledge, calendar, proposals, keyVaultEvents, { createEventGridWebhook, EVENT_GRID_WEBHOOK_PATH }] = await Promise.all([
    import('../../functions/getApnsDashboard'),
    import('../../functions/getApnsStatus'),
    import('../../functions/getApnsCsr'),
    import('../../functions/renewApnsCertificate'),
    import('../../functions/acknowledgeApnsAlert'),
    import('../../functions/getApnsCalendar'),
    import('../../functions/renewalProposalActions'),
    import('../../functions/keyVaultSecretVersionCreated'),
    import('./eventGridWebhook'),
  ]);
  // Every route gets the one guard: none can be served here with a weaker door than the others.
  const local = { services, guard };
  // Event Grid triggers are reached through the host's webhook, as in Azure.
  const eventGrid = createEventGridWebhook({ keyVaultSecretVersionCreated: keyVaultEvents.createKeyVaultEventHandler({ services }) }, local);
  return [
    { name: 'getApnsDashboard', methods: ['GET'], route: 'apns/dashboard', handler: dashboard.createDashboardHandler({ guard, services: (context) => dashboard.dashboardServicesOf(services(context)) }) },
    { name: 'renewFromApnsDashboard', methods: ['POST'], route: 'apns/dashboard/renew', handler: dashboard.createDashboardRenewHandler(local) },
    { name: 'getApnsDashboardCsr', methods: ['GET'], route: 'apns/dashboard/csr', handler: dashboard.createDashboardCsrHandler(local) },
    { name: 'acknowledgeApnsAlert', methods: ['POST'], route: 'apns/dashboard/ack', handler: acknowledge.createAcknowledgeHandler(local) },
    { name: 'unacknowledgeApnsAlert', methods: ['POST'], route: 'apns/dashboard/unack', handler: acknowledge.createUnacknowledgeHandler(local) },
    { name: 'getApnsStatus', methods: ['GET'], route: 'apns/status', handler: status.createStatusHandler(local) },
    { name: 'getApnsCalendar', methods: ['GET'], route: 'apns/calendar.ics', handler: calendar.createCalendarHandler(local) },
    { name: 'getApnsCsr', methods: ['GET'], route: 'apns/csr', handler: csr.createCsrHandler(local) },
    { name: 'renewApnsCertificate', methods: ['POST'], route: 'apns/renew', handler: renew.createRenewHandler(local) },
    { name: 'approveRenewalProposal', methods: ['POST'], route: 'apns/dashboard/renewals/approve', handler: proposals.createApproveProposalHandler(local) },
    { name: 'rejectRenewalProposal', methods: ['POST'], route: 'apns/dashboard/renewals/reject', handler: proposals.createRejectProposalHandler(local) },
    { name: 'proposeRenewalFromDashboard', methods: ['POST'], route: 'apns/dashboard/renewals/propose', handler: proposals.createProposeHandler(local) },
    // Named after the Event Grid trigger it delivers to (the host's webhook serves every such trigger).
    { name: 'keyVaultSecretVersionCreated', methods: ['POST', 'OPTIONS'], route: '', path: EVENT_GRID_WEBHOOK_PATH, handler: eventGrid },
  ];
}

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const key = createLocalKey();
  const server = await startHttpBridge(await localRoutes(options.services, localGuard(options.viewer, key)), options);
  return { ...server, key };
}

/** What `serve` and `demo --serve` print about the API: how a script sends this run's key. */
export function describeLocalApi(server: LocalServer): string {
  return [
    `The API is under ${server.origin}/api/apns/ (status, calendar.ics, csr, renew). POST /api/apns/renew needs this run's key,`,
    `which a web page cannot send: -H '${FUNCTION_KEY_HEADER}: ${server.key}' -H 'content-type: application/json'`,
    `Approving a renewal proposal on the page asks for the same key. Key Vault events (Event Grid) go to`,
    `${eventGridWebhookUrl(server)}`,
  ].join('\n');
}

/** Where Event Grid (or a script standing for it) delivers Key Vault events to this server, with this run's key. */
export function eventGridWebhookUrl(server: Pick<LocalServer, 'origin' | 'key'>): string {
  return `${server.origin}/runtime/webhooks/eventgrid?functionName=keyVaultSecretVersionCreated&code=${server.key}`;
}

/** Reads the body, or null when it is larger than the bound. */
async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  if (Number(req.headers['content-length'] ?? '0') > MAX_BODY_BYTES) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(`${text}\n`);
}

/** Serves the routes on 127.0.0.1 as the Functions host would: `/api/<route>`, the handler's response as it returned it. */
export async function startHttpBridge(routes: readonly LocalRoute[], options: Pick<LocalServerOptions, 'port' | 'log'>): Promise<Omit<LocalServer, 'key'>> {
  let closing = false;
  let port = options.port;
  const logHandler = (level: LogLevel, ...args: unknown[]) => options.log(level, args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // Only the names of this server: a page on another site that makes its own host name resolve to
    // 127.0.0.1 (DNS rebinding) would otherwise read the status and drive the API with this person's rights.
    const host = (req.headers.host ?? '').toLowerCase();
    if (host !== `${LOOPBACK}:${port}` && host !== `localhost:${port}`) {
      return plain(res, 421, `This server answers only http://${LOOPBACK}:${port}/ (the request named the host "${host.slice(0, 100)}").`);
    }
    const url = new URL(req.url ?? '/', `http://${host}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.toLowerCase().replace(/\/+$/, '');
    const route = routes.find((r) => (r.path ?? `/api/${r.route}`) === path);
    if (!route) return plain(res, 404, `Nothing here. The status page is http://${host}/api/apns/dashboard`);
    if (!route.methods.includes(method)) return plain(res, 405, `${route.name} answers ${route.methods.join(', ')} only.`, { allow: route.methods.join(', ') });
    const body = await readBody(req);
    if (body === null) return plain(res, 413, `The request body is larger than ${MAX_BODY_BYTES / 1024} KB.`, { connection: 'close' });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      // App Service Authentication strips these from every request; there is none here to vouch for them.
      if (value === undefined || name.startsWith('x-ms-client-principal')) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const request = new HttpRequest({ method, url: url.href, headers, ...(body.length > 0 ? { body: { bytes: body } } : {}) });
    const context = new InvocationContext({ functionName: route.name, invocationId: randomUUID(), logHandler });
    const response = new HttpResponse(await route.handler(request, context));
    const payload = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(payload);
  };

  const server = createServer((req, res) => {
    if (closing) res.shouldKeepAlive = false;
    res.on('finish', () => {
      if (closing) server.closeIdleConnections();
    });
    handle(req, res).catch((error: unknown) => {
      // The handlers answer their own errors; this is the bridge itself failing.
      options.log('error', `The local server could not answer ${req.method ?? ''} ${(req.url ?? '').split('?')[0] ?? ''}: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) plain(res, 500, 'The local server failed to answer this request (see its log).');
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new AppError('cli_usage', `Port ${options.port} on ${LOOPBACK} is already in use (by the Functions host, "func start"?): choose another with --port N, or --port 0 for any free one.`)
          : error,
      );
    });
    server.listen({ port: options.port, host: LOOPBACK, exclusive: true }, resolve);
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${LOOPBACK}:${port}`;
  return {
    origin,
    port,
    dashboardUrl: `${origin}/api/apns/dashboard`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing = true;
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

/**
 * Resolves on the first Ctrl-C (SIGINT) or SIGTERM. Its listeners are removed then, so a second
 * Ctrl-C ends the process at once if stopping hangs.
 */
export function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
