import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { errorResponse } from '../shared/adapters/functions/httpErrors';
import { readJsonBody } from '../shared/adapters/functions/readJsonBody';
import { guardSettingsOf, hostGuard, type RequestGuard } from '../shared/adapters/functions/requestGuard';
import { createRenewDeps, renewOptionsFor, watchedTenantFor } from '../shared/composition/createServices';
import { fallbackLogger, functionServices, watchedConfigOf, type FunctionServices, type ServicesFor } from '../shared/composition/functionServices';
import { AppError, toAppError } from '../shared/domain/errors';
import { parseRenewalRequest, type RenewalRequest } from '../shared/domain/renewal';
import { renewCertificate } from '../shared/useCases/renewCertificate';

const MAX_BODY_BYTES = 16 * 1024;

export interface RenewHandlerDeps {
  services: ServicesFor;
  /**
   * Who may call: in Azure (the default) the host checked the function key and the actor is the
   * Easy Auth principal or "function key"; `apns-monitor serve` passes its own (its key, the person
   * at this computer as the actor).
   */
  guard?: RequestGuard;
}

/** The body as a renewal request (≤ 16 KB, documented shape), or the `invalid_request` that refuses it. */
export async function readRenewalRequest(request: HttpRequest): Promise<RenewalRequest | AppError> {
  try {
    return parseRenewalRequest(await readJsonBody(request, MAX_BODY_BYTES));
  } catch (error) {
    return toAppError(error);
  }
}

/**
 * Runs the renewal of SPEC §5 for a parsed request and answers it as JSON: shared by this function
 * and the status page's dry-run action, so both answer the same way. In a fleet of several tenants,
 * `tenantId` is required and checked before anything is read.
 */
export async function answerRenewal(services: FunctionServices, parsed: RenewalRequest | AppError, actor: string, context: InvocationContext): Promise<HttpResponseInit> {
  const { config, logger } = services;
  const tenant = await watchedTenantFor(config, parsed instanceof AppError ? undefined : parsed.tenantId, 'The renewal', '"tenantId"', () => watchedConfigOf(services));
  const deps = await createRenewDeps(config, { logger, access: await services.access, ...(services.stateFile ? { stateFile: services.stateFile } : {}) }, tenant);
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
}

/**
 * POST /api/apns/renew: the guarded upload of the renewed certificate from Key Vault (SPEC §5).
 * The function key is checked by the host before this runs; the guard then takes JSON only and
 * refuses what a browser marks as another site's. The caller's name goes in the audit record only
 * when App Service Authentication vouches for it; otherwise the actor is "function key".
 */
export function createRenewHandler(deps: RenewHandlerDeps): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async function renewApnsCertificate(request, context) {
    let logger = fallbackLogger(context);
    try {
      const services = deps.services(context);
      logger = services.logger;
      // Before the body is read: a refused request changes and reads nothing.
      const caller = (deps.guard ?? hostGuard).admit(request, guardSettingsOf(services.config), { route: 'api', method: 'POST' });
      const parsed = await readRenewalRequest(request);
      return await answerRenewal(services, parsed, caller.name ?? 'function key', context);
    } catch (error) {
      return errorResponse(error, context, logger);
    }
  };
}

export const renewApnsCertificate = createRenewHandler({ services: functionServices });

app.http('renewApnsCertificate', {
  methods: ['POST'],
  route: 'apns/renew',
  authLevel: 'function',
  handler: renewApnsCertificate,
});
