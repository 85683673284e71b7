import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { errorResponse } from '../shared/adapters/functions/httpErrors';
import { readJsonBody } from '../shared/adapters/functions/readJsonBody';
import { guardSettingsOf, hostGuard, type RequestGuard } from '../shared/adapters/functions/requestGuard';
import { createAcknowledgeDeps } from '../shared/composition/createServices';
import { fallbackLogger, functionServices, type FunctionServices, type ServicesFor } from '../shared/composition/functionServices';
import { describeAcknowledgement, type Acknowledgement } from '../shared/domain/acknowledgement';
import { AppError } from '../shared/domain/errors';
import { parseDateOrInstant } from '../shared/domain/graphDateTime';
import { acknowledgeAlert, unacknowledgeAlert, type AcknowledgeCaller, type AcknowledgeDeps } from '../shared/useCases/acknowledgeAlert';
import { acknowledgementView } from '../shared/useCases/getStatus';

/**
 * The status page's acknowledgements (SPEC §15): POST /api/apns/dashboard/ack `{key, until, reason}`
 * and POST /api/apns/dashboard/unack `{key}`. Anonymous at the host like the page's other actions,
 * guarded here by the one request guard: an Operator (or the person at this computer under
 * `apns-monitor serve`), a same-origin JSON POST from the page itself. The same use case as
 * `apns-monitor ack` / `unack`, so both refuse and record alike.
 */
export interface AcknowledgeHandlerDeps {
  services: ServicesFor;
  /** Easy Auth's principal by default; `apns-monitor serve` passes its own. */
  guard?: RequestGuard;
}

type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

// A key, a date and a sentence: a few hundred bytes.
const MAX_BODY_BYTES = 4 * 1024;

function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value.trim() === '') throw new AppError('invalid_request', `"${name}" is required (a string). Nothing was changed.`);
  return value;
}

async function readBody(request: HttpRequest): Promise<Record<string, unknown>> {
  const body = await readJsonBody(request, MAX_BODY_BYTES);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('invalid_request', 'The request body must be a JSON object. Nothing was changed.');
  return body as Record<string, unknown>;
}

/** Guard first (a refused request reads nothing), then the body, then the use case on the stored state. */
function actionHandler(deps: AcknowledgeHandlerDeps, act: (ackDeps: AcknowledgeDeps, body: Record<string, unknown>, caller: AcknowledgeCaller) => Promise<HttpResponseInit>): HttpHandler {
  return async (request, context) => {
    let logger = fallbackLogger(context);
    try {
      const services: FunctionServices = deps.services(context);
      logger = services.logger;
      const viewer = (deps.guard ?? hostGuard).admit(request, guardSettingsOf(services.config), { route: 'action', method: 'POST' });
      const body = await readBody(request);
      const ackDeps = await createAcknowledgeDeps(services.config, (await services.access).home, services.stateFile);
      try {
        return await act(ackDeps, body, { actor: viewer.name ?? 'status page', via: 'http', correlationId: context.invocationId });
      } finally {
        await ackDeps.store.close();
      }
    } catch (error) {
      return errorResponse(error, context, logger);
    }
  };
}

function answer(outcome: 'acknowledged' | 'unacknowledged', ack: Acknowledgement & { assetName: string }, message: string, caller: AcknowledgeCaller): HttpResponseInit {
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    jsonBody: { outcome, message, key: ack.key, assetName: ack.assetName, acknowledgement: acknowledgementView(ack), correlationId: caller.correlationId },
  };
}

export function createAcknowledgeHandler(deps: AcknowledgeHandlerDeps): HttpHandler {
  return actionHandler(deps, async (ackDeps, body, caller) => {
    const untilText = field(body, 'until');
    const until = parseDateOrInstant(untilText);
    if (until === undefined) throw new AppError('invalid_request', `"until" must be a date (2027-01-15) or an ISO 8601 date-time with a zone, got "${untilText.slice(0, 40)}". Nothing was changed.`);
    const ack = await acknowledgeAlert(ackDeps, { key: field(body, 'key'), until, reason: field(body, 'reason') }, caller);
    return answer('acknowledged', ack, `${ack.assetName}: reminders at ${ack.severity} paused ${describeAcknowledgement(ack)}. A worse severity still alerts at once.`, caller);
  });
}

export function createUnacknowledgeHandler(deps: AcknowledgeHandlerDeps): HttpHandler {
  return actionHandler(deps, async (ackDeps, body, caller) => {
    const ack = await unacknowledgeAlert(ackDeps, field(body, 'key'), caller);
    return answer('unacknowledged', ack, `${ack.assetName}: acknowledgement ended; its reminders resume on the next run.`, caller);
  });
}

export const acknowledgeApnsAlert = createAcknowledgeHandler({ services: functionServices });
export const unacknowledgeApnsAlert = createUnacknowledgeHandler({ services: functionServices });

app.http('acknowledgeApnsAlert', {
  methods: ['POST'],
  route: 'apns/dashboard/ack',
  authLevel: 'anonymous',
  handler: acknowledgeApnsAlert,
});

app.http('unacknowledgeApnsAlert', {
  methods: ['POST'],
  route: 'apns/dashboard/unack',
  authLevel: 'anonymous',
  handler: unacknowledgeApnsAlert,
});
