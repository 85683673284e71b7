import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { errorResponse } from '../shared/adapters/functions/httpErrors';
import { guardSettingsOf, hostGuard, type RequestGuard } from '../shared/adapters/functions/requestGuard';
import { createCsrGateway, watchedTenantFor } from '../shared/composition/createServices';
import { fallbackLogger, functionServices, watchedConfigOf, type FunctionServices, type ServicesFor } from '../shared/composition/functionServices';

/**
 * Intune's certificate signing request of the tenant named by `?tenant=` (or the only one), as a
 * .csr file: shared by this function and the status page's CSR link.
 */
export async function answerCsr(services: FunctionServices, request: HttpRequest): Promise<HttpResponseInit> {
  const { config, logger } = services;
  const tenant = await watchedTenantFor(config, request.query.get('tenant') ?? undefined, 'The CSR', '?tenant=<tenant ID>', () => watchedConfigOf(services));
  const gateway = await createCsrGateway(config, { logger, access: await services.access }, tenant);
  const csr = await gateway.downloadCsr();
  logger.info(`The certificate signing request of tenant ${tenant.id} was downloaded.`);
  return {
    status: 200,
    body: csr,
    headers: {
      'content-type': 'application/pkcs10',
      'content-disposition': `attachment; filename="IntuneCSR${config.fleet ? `-${tenant.id.replace(/[^A-Za-z0-9.-]/g, '')}` : ''}.csr"`,
      'cache-control': 'no-store',
    },
  };
}

/** GET /api/apns/csr[?tenant=ID]: Intune's certificate signing request, as a .csr file for the Apple portal. */
export function createCsrHandler(deps: { services: ServicesFor; guard?: RequestGuard }): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async function getApnsCsr(request, context) {
    let logger = fallbackLogger(context);
    try {
      const services = deps.services(context);
      logger = services.logger;
      (deps.guard ?? hostGuard).admit(request, guardSettingsOf(services.config), { route: 'api', method: 'GET' });
      return await answerCsr(services, request);
    } catch (error) {
      return errorResponse(error, context, logger);
    }
  };
}

export const getApnsCsr = createCsrHandler({ services: functionServices });

app.http('getApnsCsr', {
  methods: ['GET'],
  route: 'apns/csr',
  authLevel: 'function',
  handler: getApnsCsr,
});
