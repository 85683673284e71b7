import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { compressResponse } from '../shared/adapters/functions/compressResponse';
import { errorResponse } from '../shared/adapters/functions/httpErrors';
import { guardSettingsOf, hostGuard, type RequestGuard } from '../shared/adapters/functions/requestGuard';
import { consentUrlOf, createStatusStores, loadFleetStatus, watchedTenantFor } from '../shared/composition/createServices';
import { fallbackLogger, functionServices, watchedConfigOf, type ServicesFor } from '../shared/composition/functionServices';
import { getStatus } from '../shared/useCases/getStatus';

/**
 * GET /api/apns/status[?tenant=ID]: the last assessment per asset (as stored by the last run) and the
 * last renewals, with the tenant's name and id. A fleet answers every tenant unless one is named
 * (one query of the state and one of the audit trail), compressed when the client accepts it.
 */
export function createStatusHandler(deps: { services: ServicesFor; guard?: RequestGuard }): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async function getApnsStatus(request, context) {
    let logger = fallbackLogger(context);
    try {
      const services = deps.services(context);
      logger = services.logger;
      (deps.guard ?? hostGuard).admit(request, guardSettingsOf(services.config), { route: 'api', method: 'GET' });
      const { config, stateFile } = services;
      const credential = (await services.access).home;
      const requested = request.query.get('tenant') ?? undefined;
      if (config.fleet && requested === undefined) {
        return await compressResponse(request, { status: 200, jsonBody: await loadFleetStatus(config, credential, stateFile), headers: { 'cache-control': 'no-store' } });
      }
      const tenant = await watchedTenantFor(config, requested, 'The status', '?tenant=<tenant ID>', () => watchedConfigOf(services));
      const { store, proposals, audit } = await createStatusStores(config, credential, stateFile);
      return await compressResponse(request, { status: 200, jsonBody: await getStatus(store, tenant, audit, consentUrlOf(config), { store: proposals, now: Date.now() }), headers: { 'cache-control': 'no-store' } });
    } catch (error) {
      return errorResponse(error, context, logger);
    }
  };
}

export const getApnsStatus = createStatusHandler({ services: functionServices });

app.http('getApnsStatus', {
  methods: ['GET'],
  route: 'apns/status',
  authLevel: 'function',
  handler: getApnsStatus,
});
