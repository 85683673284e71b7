import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { errorResponse } from '../shared/adapters/functions/httpErrors';
import { createCsrGateway } from '../shared/composition/createServices';
import { fallbackLogger, functionServices } from '../shared/composition/functionServices';

/** GET /api/apns/csr: Intune's certificate signing request, as a .csr file for the Apple portal. */
export async function getApnsCsr(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  let logger = fallbackLogger(context);
  try {
    const services = functionServices(context);
    logger = services.logger;
    const gateway = await createCsrGateway(services.config, { logger, credential: await services.credential });
    const csr = await gateway.downloadCsr();
    logger.info('The certificate signing request was downloaded.');
    return {
      status: 200,
      body: csr,
      headers: {
        'content-type': 'application/pkcs10',
        'content-disposition': 'attachment; filename="IntuneCSR.csr"',
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
