import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { errorResponse } from '../shared/adapters/functions/httpErrors';
import { createRenewalStorage, createStateStore } from '../shared/composition/createServices';
import { fallbackLogger, functionServices } from '../shared/composition/functionServices';
import { getStatus } from '../shared/useCases/getStatus';

/** GET /api/apns/status: the last assessment per asset (as stored by the last run) and the last renewal. */
export async function getApnsStatus(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  let logger = fallbackLogger(context);
  try {
    const services = functionServices(context);
    logger = services.logger;
    const credential = await services.credential;
    const [store, { audit }] = await Promise.all([createStateStore(services.config, credential), createRenewalStorage(services.config, credential)]);
    const status = await getStatus(store, services.config.tenant, audit);
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
