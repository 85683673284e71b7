import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { errorResponse } from '../shared/adapters/functions/httpErrors';
import { createCsrGateway, tenantFor } from '../shared/composition/createServices';
import { fallbackLogger, functionServices } from '../shared/composition/functionServices';

/** GET /api/apns/csr[?tenant=ID]: Intune's certificate signing request, as a .csr file for the Apple portal. */
export async function getApnsCsr(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  let logger = fallbackLogger(context);
  try {
    const services = functionServices(context);
    logger = services.logger;
    const tenant = tenantFor(services.config, request.query.get('tenant') ?? undefined, 'The CSR', '?tenant=<tenant ID>');
    const gateway = await createCsrGateway(services.config, { logger, access: await services.access }, tenant);
    const csr = await gateway.downloadCsr();
    logger.info(`The certificate signing request of tenant ${tenant.id} was downloaded.`);
    return {
      status: 200,
      body: csr,
      headers: {
        'content-type': 'application/pkcs10',
        'content-disposition': `attachment; filename="IntuneCSR${services.config.fleet ? `-${tenant.id.replace(/[^A-Za-z0-9.-]/g, '')}` : ''}.csr"`,
        'cache-control': 'no-store',
      },
    };
  } catch (error) {
    return errorResponse(error, context, logger);
  }
}

app.http('getApnsCsr', {
  methods: ['GET'],
  route: 'apns/csr',
  authLevel: 'function',
  handler: getApnsCsr,
});
