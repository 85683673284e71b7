import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { errorResponse } from '../shared/adapters/functions/httpErrors';
import { readJsonBody } from '../shared/adapters/functions/readJsonBody';
import { guardSettingsOf, hostGuard, type RequestGuard, type RouteRule } from '../shared/adapters/functions/requestGuard';
import { createDecideDeps, createProposeDeps, renewOptionsFor, watchedTenantFor } from '../shared/composition/createServices';
import { fallbackLogger, functionServices, serviceOptionsOf, watchedConfigOf, type FunctionServices, type ServicesFor } from '../shared/composition/functionServices';
import { AppError } from '../shared/domain/errors';
import { SECRET_NAME, SECRET_VERSION } from '../shared/domain/renewal';
import { parseProposalId, parseRejectionReason } from '../shared/domain/renewalProposal';
import { approveRenewal, rejectRenewal } from '../shared/useCases/approveRenewal';
import { proposalView } from '../shared/useCases/listProposals';
import { proposeRenewal } from '../shared/useCases/proposeRenewal';

// The status page's actions on renewal proposals (SPEC §16): same-origin JSON POSTs by an Operator,
// guarded like the page's other actions — approving, which uploads, also needs on `serve` the key
// that server printed (no web page can send it). Anonymous at the host (a browser has no function
// key), behind App Service Authentication like the page; the CLI's `renewals` runs the same use cases.

const MAX_BODY_BYTES = 4 * 1024;

export interface ProposalActionDeps {
  services: ServicesFor;
  /** Easy Auth's principal in Azure (the default); `apns-monitor serve` passes its own. */
  guard?: RequestGuard;
}

type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/** The body as an object with only the fields allowed, or `invalid_request`. */
async function readFields(request: HttpRequest, allowed: readonly string[]): Promise<Record<string, unknown>> {
  const body = await readJsonBody(request, MAX_BODY_BYTES);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('invalid_request', `The request body must be a JSON object with ${allowed.join(', ')}.`);
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new AppError('invalid_request', `Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')} (allowed: ${allowed.join(', ')}).`);
  return body as Record<string, unknown>;
}

/** One action: the guard first (nothing read before it admits), then the body, then the use case. */
function action(deps: ProposalActionDeps, rule: RouteRule, run: (request: HttpRequest, services: FunctionServices, person: string, context: InvocationContext) => Promise<HttpResponseInit>): HttpHandler {
  return async (request, context) => {
    let logger = fallbackLogger(context);
    try {
      const services = deps.services(context);
      logger = services.logger;
      const viewer = (deps.guard ?? hostGuard).admit(request, guardSettingsOf(services.config), rule);
      // Behind Easy Auth a principal always has a name; without one there is nobody to record.
      if (!viewer.name) throw new AppError('sign_in_required', 'Sign in to decide on a renewal proposal: the decision is recorded under your name.');
      return await run(request, services, viewer.name, context);
    } catch (error) {
      return errorResponse(error, context, logger);
    }
  };
}

const ok = (body: Record<string, unknown>): HttpResponseInit => ({ status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: body });

/** POST /api/apns/dashboard/renewals/approve `{id}`: the guarded renewal of that proposal's version, once. */
export function createApproveProposalHandler(deps: ProposalActionDeps): HttpHandler {
  return action(deps, { route: 'action', method: 'POST', uploads: true }, async (request, services, person, context) => {
    const id = parseProposalId((await readFields(request, ['id'])).id);
    const decide = await createDecideDeps(services.config, await serviceOptionsOf(services), { via: 'http', correlationId: context.invocationId });
    const { proposal, renewal } = await approveRenewal(decide, id, person);
    const view = proposalView(proposal, decide.clock.now());
    if (!renewal.ok) {
      const response = errorResponse(renewal.error, context, services.logger);
      return { ...response, jsonBody: { ...(response.jsonBody as object), proposal: view, checks: renewal.checks } };
    }
    return ok({ outcome: renewal.code, message: renewal.message, proposal: view, checks: renewal.checks, notifications: renewal.notifications, correlationId: context.invocationId });
  });
}

/** POST /api/apns/dashboard/renewals/reject `{id, reason}`: it can no longer be approved. */
export function createRejectProposalHandler(deps: ProposalActionDeps): HttpHandler {
  return action(deps, { route: 'action', method: 'POST' }, async (request, services, person) => {
    const body = await readFields(request, ['id', 'reason']);
    const id = parseProposalId(body.id);
    const reason = parseRejectionReason(body.reason);
    const decide = await createDecideDeps(services.config, await serviceOptionsOf(services), { via: 'http', correlationId: '' });
    const proposal = await rejectRenewal(decide, id, person, reason);
    return ok({ outcome: 'rejected', message: `Proposal ${id} was rejected; it can no longer be approved.`, proposal: proposalView(proposal, decide.clock.now()) });
  });
}

/**
 * POST /api/apns/dashboard/renewals/propose `{tenantId, secretName?, secretVersion?}`: a person
 * proposes a version of the certificate secret (the latest when none is named); another person approves.
 */
export function createProposeHandler(deps: ProposalActionDeps): HttpHandler {
  return action(deps, { route: 'action', method: 'POST' }, async (request, services, person, context) => {
    const body = await readFields(request, ['tenantId', 'secretName', 'secretVersion']);
    const { config } = services;
    if (body.tenantId !== undefined && typeof body.tenantId !== 'string') throw new AppError('invalid_request', 'tenantId must be a tenant ID.');
    const tenant = await watchedTenantFor(config, body.tenantId as string | undefined, 'The proposal', '"tenantId"', () => watchedConfigOf(services));
    const options = renewOptionsFor(config, tenant, { actor: person, via: 'http', correlationId: context.invocationId });
    const secretName = optional(body.secretName, SECRET_NAME, 'secretName must match ^[0-9a-zA-Z-]{1,127}$') ?? options.defaultSecretName;
    const version = optional(body.secretVersion, SECRET_VERSION, 'secretVersion must be a Key Vault secret version (letters and digits)');
    const propose = await createProposeDeps(config, await serviceOptionsOf(services), tenant);
    const outcome = await proposeRenewal(propose, { secretName, ...(version ? { secretVersion: version } : {}), proposedBy: person, person: true }, options);
    const view = proposalView(outcome.proposal, propose.renew.clock.now());
    return ok({ outcome: view.state, created: outcome.created, message: outcome.proposal.message, proposal: view, checks: outcome.proposal.checks, notifications: outcome.notifications, correlationId: context.invocationId });
  });
}

function optional(value: unknown, pattern: RegExp, why: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) throw new AppError('invalid_request', `The proposal request is invalid: ${why}.`);
  return value;
}

export const approveRenewalProposal = createApproveProposalHandler({ services: functionServices });
export const rejectRenewalProposal = createRejectProposalHandler({ services: functionServices });
export const proposeRenewalFromDashboard = createProposeHandler({ services: functionServices });

app.http('approveRenewalProposal', { methods: ['POST'], route: 'apns/dashboard/renewals/approve', authLevel: 'anonymous', handler: approveRenewalProposal });
app.http('rejectRenewalProposal', { methods: ['POST'], route: 'apns/dashboard/renewals/reject', authLevel: 'anonymous', handler: rejectRenewalProposal });
app.http('proposeRenewalFromDashboard', { methods: ['POST'], route: 'apns/dashboard/renewals/propose', authLevel: 'anonymous', handler: proposeRenewalFromDashboard });
