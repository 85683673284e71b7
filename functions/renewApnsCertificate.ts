import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { errorResponse } from '../shared/adapters/functions/httpErrors';
import { readJsonBody } from '../shared/adapters/functions/readJsonBody';
import { createRenewDeps } from '../shared/composition/createServices';
import { fallbackLogger, functionServices } from '../shared/composition/functionServices';
import { AppError, toAppError } from '../shared/domain/errors';
import { parseRenewalRequest, type RenewalRequest } from '../shared/domain/renewal';
import { renewCertificate } from '../shared/useCases/renewCertificate';

const MAX_BODY_BYTES = 16 * 1024;

/**
 * POST /api/apns/renew: the guarded upload of the renewed certificate from Key Vault (SPEC §5).
 * The function key is checked by the host before this runs. Behind Easy Auth the caller's name
 * (`x-ms-client-principal-name`) goes in the audit record.
 */
export async function renewApnsCertificate(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  let logger = fallbackLogger(context);
  try {
    const services = functionServices(context);
    logger = services.logger;
    let parsed: RenewalRequest | AppError;
    try {
      parsed = parseRenewalRequest(await readJsonBody(request, MAX_BODY_BYTES));
    } catch (error) {
      parsed = toAppError(error);
    }
    const deps = await createRenewDeps(services.config, { logger, credential: await services.credential });
    const result = await renewCertificate(deps, parsed, {
      tenantId: services.config.tenant.id,
      tenantName: services.config.tenant.name,
      defaultSecretName: services.config.renewal.secretName,
      actor: request.headers.get('x-ms-client-principal-name') ?? 'function key',
      via: 'http',
      correlationId: context.invocationId,
    });
    if (!result.ok) {
      const response = errorResponse(result.error, context, logger);
      return { ...response, jsonBody: { ...(response.jsonBody as object), checks: result.checks } };
    }
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      jsonBody: {
        outcome: result.code,
        message: result.message,
        before: result.before,
        after: result.after,
        checks: result.checks,
        notifications: result.notifications,
        correlationId: context.invocationId,
      },
    };
  } catch (error) {
    return errorResponse(error, context, logger);
  }
}

app.http('renewApnsCertificate', {
  methods: ['POST'],
  route: 'apns/renew',
  authLevel: 'function',
  handler: renewApnsCertificate,
});
