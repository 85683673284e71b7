import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { errorResponse } from '../shared/adapters/functions/httpErrors';
import { createStateStore } from '../shared/composition/createServices';
import { fallbackLogger, functionServices } from '../shared/composition/functionServices';
import { getStatus } from '../shared/useCases/getStatus';

/** GET /api/apns/status: the last assessment per asset, as stored by the last monitoring run. */
export async function getApnsStatus(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  let logger = fallbackLogger(context);
  try {
    const services = functionServices(context);
    logger = services.logger;
    const store = await createStateStore(services.config, await services.credential);
    const status = await getStatus(store, services.config.tenant.id);
    return { status: 200, jsonBody: status, headers: { 'cache-control': 'no-store' } };
  } catch (error) {
    return errorResponse(error, context, logger);
  }
}

app.http('getApnsStatus', {
  methods: ['GET'],
  route: 'apns/status',
  authLevel: 'function',
  handler: getApnsStatus,
});
