import { randomUUID } from 'node:crypto';
import { InvocationContext, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { guardSettingsOf, type RequestGuard } from '../adapters/functions/requestGuard';
import type { ServicesFor } from '../composition/functionServices';
import { toAppError } from '../domain/errors';

/** An Event Grid trigger's handler, as registered with `app.eventGrid`. */
export type EventGridFunction = (event: unknown, context: InvocationContext) => Promise<void>;

/** Where the Functions host takes Event Grid's deliveries: `?functionName=<the trigger's function>`. */
export const EVENT_GRID_WEBHOOK_PATH = '/runtime/webhooks/eventgrid';

/** The Event Grid origins the host echoes in the CloudEvents handshake; any other gets the public cloud's. */
const ALLOWED_ORIGINS = ['eventgrid.azure.net', 'eventgrid.azure.us', 'eventgrid.azure.eaglex.ic.gov', 'eventgrid.azure.microsoft.scloud', 'eventgrid.azure.cn'];

const text = (status: number, body: string, headers: Record<string, string> = {}): HttpResponseInit => ({ status, body, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers } });

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * `apns-monitor serve`'s Event Grid webhook, answering exactly as the Functions host's Event Grid
 * extension does (Azure/azure-sdk-for-net, sdk/eventgrid/Microsoft.Azure.WebJobs.Extensions.EventGrid:
 * EventGridExtensionConfigProvider.ProcessAsync and TriggerBinding/HttpRequestProcessor.cs):
 * - an unknown `functionName`: 404 "cannot find function: '<name>'";
 * - OPTIONS (the CloudEvents abuse-protection handshake): 200 with `WebHook-Allowed-Origin`;
 * - `aeg-event-type: SubscriptionValidation`: 200 `{"validationResponse": <code>}`, the code from the
 *   array's first event (Event Grid schema) or the object's `data`, a JSON string (CloudEvents);
 * - `aeg-event-type: Notification`: an array (Event Grid schema) or one object (CloudEvents), each
 *   event handed to the function on its own; 202 when every one succeeded, else 500 (Event Grid then
 *   delivers the whole request again);
 * - `Unsubscribe`: 202; anything else: 400.
 * In Azure the host demands its `eventgrid_extension` system key (`?code=`); here the one guard of
 * every route demands this run's key instead, and refuses what a browser marks as another site's.
 * The host runs a batch's events in parallel; here they run in order, so a batch with two versions of
 * one secret proposes them in the order Key Vault created them.
 */
export function createEventGridWebhook(functions: Readonly<Record<string, EventGridFunction>>, options: { guard: RequestGuard; services: ServicesFor }) {
  return async function eventGridWebhook(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const settings = guardSettingsOf(options.services(context).config);
    try {
      options.guard.admit(request, settings, { route: 'webhook' });
    } catch (thrown) {
      const error = toAppError(thrown);
      context.warn(`${error.code}: ${error.message}`);
      return text(error.status, error.message);
    }
    const name = request.query.get('functionName') ?? '';
    const handler = Object.entries(functions).find(([registered]) => registered.toLowerCase() === name.toLowerCase())?.[1];
    if (!handler) return text(404, `cannot find function: '${name.slice(0, 100)}'`);
    if (request.method.toUpperCase() === 'OPTIONS') {
      const origin = request.headers.get('webhook-request-origin')?.trim().toLowerCase() ?? '';
      return { status: 200, headers: { 'webhook-allowed-origin': ALLOWED_ORIGINS.includes(origin) ? origin : 'eventgrid.azure.net' } };
    }
    const kind = request.headers.get('aeg-event-type')?.trim().toLowerCase();
    if (kind === 'unsubscribe') return { status: 202 };
    if (kind !== 'subscriptionvalidation' && kind !== 'notification') return { status: 400 };
    const body = parseJson(await request.text());
    if (kind === 'subscriptionvalidation') {
      const first = Array.isArray(body) ? (body[0] as { data?: { validationCode?: unknown } } | undefined)?.data : parseJson(String((body as { data?: unknown } | undefined)?.data ?? ''));
      const code = (first as { validationCode?: unknown } | undefined)?.validationCode;
      if (typeof code !== 'string') return text(400, 'The subscription validation event carries no validationCode.');
      context.info(`perform handshake with eventGrid for function: ${name}`);
      return { status: 200, jsonBody: { validationResponse: code } };
    }
    const events = Array.isArray(body) ? body : typeof body === 'object' && body !== null ? [body] : undefined;
    if (!events) return text(400, 'The request content should be a JSON object or array.');
    for (const event of events) {
      const invocation = new InvocationContext({
        functionName: name,
        invocationId: randomUUID(),
        logHandler: (level, ...args) => (level === 'error' || level === 'critical' ? context.error(...args) : level === 'warning' ? context.warn(...args) : context.info(...args)),
      });
      try {
        await handler(event, invocation);
      } catch (thrown) {
        // The function logged it; the host answers 500 with the exception's message.
        return text(500, toAppError(thrown).message);
      }
    }
    return { status: 202 };
  };
}
