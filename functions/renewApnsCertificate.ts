import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { clientPrincipal } from '../shared/adapters/functions/clientPrincipal';
import { errorResponse } from '../shared/adapters/functions/httpErrors';
import { readJsonBody } from '../shared/adapters/functions/readJsonBody';
import { createRenewDeps, renewOptionsFor, tenantFor } from '../shared/composition/createServices';
import { fallbackLogger, functionServices } from '../shared/composition/functionServices';
import { AppError, toAppError } from '../shared/domain/errors';
import { parseRenewalRequest, type RenewalRequest } from '../shared/domain/renewal';
import { renewCertificate } from '../shared/useCases/renewCertificate';

const MAX_BODY_BYTES = 16 * 1024;

/**
 * POST /api/apns/renew: the guarded upload of the renewed certificate from Key Vault (SPEC §5).
 * The function key is checked by the host before this runs. The caller's name goes in the audit
 * record only when App Service Authentication vouches for it; otherwise the actor is "function key".
 * In a fleet of several tenants, `tenantId` is required and checked before anything is read.
 */
export async function renewApnsCertificate(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  let logger = fallbackLogger(context);
  try {
    const services = functionServices(context);
    logger = services.logger;
    const { config } = services;
    let parsed: RenewalRequest | AppError;
    try {
      parsed = parseRenewalRequest(await readJsonBody(request, MAX_BODY_BYTES));
    } catch (error) {
      parsed = toAppError(error);
    }
    const tenant = tenantFor(config, parsed instanceof AppError ? undefined : parsed.tenantId, 'The renewal', '"tenantId"');
    const deps = await createRenewDeps(config, { logger, access: await services.access }, tenant);
    const actor = clientPrincipal(request.headers, config.easyAuth)?.name ?? 'function key';
    const result = await renewCertificate(deps, parsed, renewOptionsFor(config, tenant, { actor, via: 'http', correlationId: context.invocationId }));
    if (!result.ok) {
      const response = errorResponse(result.error, context, logger);
      return { ...response, jsonBody: { ...(response.jsonBody as object), tenantId: tenant.id, checks: result.checks } };
    }
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      jsonBody: {
        outcome: result.code,
        message: result.message,
        tenantId: tenant.id,
        tenantName: tenant.name,
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
