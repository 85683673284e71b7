#!/usr/bin/env node
'use strict';
/**
 * azure.yaml's postprovision hook: grants the Microsoft Graph (and status page) app roles that
 * infra/main.bicep decided, listed in its output APNS_APP_ROLE_GRANTS, which azd puts in the hook's
 * environment.
 *
 * Why here and not as Microsoft.Graph/appRoleAssignedTo resources in the Bicep: an app role assignment
 * to a principal created in the same deployment (the managed identity, the fleet app's service
 * principal) fails while Microsoft Entra replicates that principal — "Not a valid reference update"
 * (microsoftgraph/msgraph-bicep-types#193, open) — so the first `azd up` needed a rerun. This hook runs
 * right after provisioning and retries those answers until the principal is there (bounded), and it is
 * idempotent: a grant that exists is left alone.
 *
 * It signs in as the deploying account through azd itself (`azd auth token`), so it needs nothing
 * but azd and Node.js. Exit 0: every grant is in place; exit 1: the message says what is missing and
 * how to finish (`azd hooks run postprovision`, or by hand). Tokens are never printed.
 */
const { HookError, azdToken, retryBudget, runHook } = require('./azdHook');

const env = process.env;
const GRAPH = (env.APNS_GRAPH_BASE_URL || 'https://graph.microsoft.com').replace(/\/+$/, '');
// Entra replication usually takes seconds, sometimes minutes (retryBudget, per grant).
const { baseMs: BASE_MS, maxWaitMs: MAX_WAIT_MS } = retryBudget;
const REQUEST_TIMEOUT_MS = 30_000;

const out = (line) => process.stdout.write(`${line}\n`);

/** A Graph answer worth waiting for: the principal or the role is not replicated yet, or Graph is busy. */
function isTransient(status, text) {
  if (status === 429 || status >= 500) return true;
  if (status === 404) return true;
  return status === 400 && /Not a valid reference update|does not exist or one of its queried reference-property objects are not present/i.test(text);
}

function parseGrants(text) {
  if (!text || text.trim() === '') return [];
  let grants;
  try {
    grants = JSON.parse(text);
  } catch {
    throw new HookError('APNS_APP_ROLE_GRANTS is not the JSON array infra/main.bicep outputs: run `azd provision` again.');
  }
  if (!Array.isArray(grants)) throw new HookError('APNS_APP_ROLE_GRANTS is not a JSON array: run `azd provision` again.');
  for (const g of grants) {
    for (const field of ['principalId', 'principalType', 'resourceAppId', 'appRole']) {
      if (typeof g?.[field] !== 'string' || g[field] === '') throw new HookError(`APNS_APP_ROLE_GRANTS has an entry without ${field}: run \`azd provision\` again.`);
    }
  }
  return grants;
}

/** A Microsoft Graph token of the account azd is signed in with (the deployer). */
const graphToken = () => azdToken(GRAPH, 'a Microsoft Graph token', ', then run `azd hooks run postprovision`.');

async function graph(token, method, path, body) {
  let response;
  try {
    response = await fetch(`${GRAPH}/v1.0${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    return { status: 0, text: `network error: ${error.cause?.code ?? error.name}`, json: undefined, retryAfterMs: undefined };
  }
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  return { status: response.status, text, json, retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined };
}

const graphMessage = (answer) => answer.json?.error?.message ?? answer.text.slice(0, 300);

/**
 * Calls `attempt` until it returns a value; an answer it calls transient is waited out with backoff
 * (or Retry-After) until the budget is spent. Says what it waits for, once per wait.
 */
async function withRetries(what, attempt) {
  const deadline = Date.now() + MAX_WAIT_MS;
  let delay = BASE_MS;
  for (;;) {
    const result = await attempt();
    if (result.done) return result.value;
    const wait = Math.min(result.retryAfterMs ?? delay, 60_000);
    if (Date.now() + wait > deadline) {
      throw new HookError(`${what}: still "${result.reason}" after ${Math.round(MAX_WAIT_MS / 1000)} s.`);
    }
    out(`  … ${what}: ${result.reason}; Microsoft Entra may still be replicating it, trying again in ${Math.round(wait / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, wait));
    delay = Math.min(delay * 2, 60_000);
  }
}

function fail(what, answer) {
  if (answer.status === 401 || answer.status === 403) {
    throw new HookError(
      `${what}: Microsoft Graph refused (${answer.status}: ${graphMessage(answer)}). Granting Microsoft Graph application permissions needs the Privileged Role Administrator role (or AppRoleAssignment.ReadWrite.All for azd in CI).`,
    );
  }
  throw new HookError(`${what}: Microsoft Graph answered ${answer.status}: ${graphMessage(answer)}`);
}

/** The service principal of an application in this tenant, with its app roles. */
async function resourceOf(token, appId, cache) {
  if (!cache.has(appId)) {
    cache.set(
      appId,
      withRetries(`finding the service principal of application ${appId}`, async () => {
        const answer = await graph(token, 'GET', `/servicePrincipals(appId='${encodeURIComponent(appId)}')?$select=id,displayName,appRoles`);
        if (answer.status === 200 && answer.json?.id) return { done: true, value: answer.json };
        if (isTransient(answer.status, answer.text) || answer.status === 0) return { done: false, reason: answer.status === 0 ? answer.text : `${answer.status} ${graphMessage(answer)}`, retryAfterMs: answer.retryAfterMs };
        return fail(`finding the service principal of application ${appId}`, answer);
      }),
    );
  }
  return cache.get(appId);
}

async function grantOne(token, grant, resources) {
  const who = `${grant.appRole} for ${grant.principal || grant.principalId}`;
  const resource = await resourceOf(token, grant.resourceAppId, resources);
  let roles = resource.appRoles ?? [];
  let appRoleId;
  return withRetries(`granting ${who}`, async () => {
    appRoleId ??= roles.find((r) => r.value === grant.appRole)?.id;
    if (!appRoleId) {
      // A new application's roles replicate like the rest: read them again on the next try.
      roles = (await graph(token, 'GET', `/servicePrincipals/${resource.id}?$select=id,appRoles`)).json?.appRoles ?? roles;
      return { done: false, reason: `${resource.displayName ?? grant.resourceAppId} has no app role ${grant.appRole} yet` };
    }
    const collection = grant.principalType === 'User' ? 'users' : grant.principalType === 'Group' ? 'groups' : 'servicePrincipals';
    const existing = await graph(token, 'GET', `/${collection}/${encodeURIComponent(grant.principalId)}/appRoleAssignments?$select=resourceId,appRoleId`);
    if (existing.status === 200 && (existing.json?.value ?? []).some((a) => a.resourceId === resource.id && a.appRoleId === appRoleId)) {
      return { done: true, value: 'already granted' };
    }
    if (existing.status !== 200) {
      if (isTransient(existing.status, existing.text) || existing.status === 0) return { done: false, reason: existing.status === 0 ? existing.text : `${existing.status} ${graphMessage(existing)}`, retryAfterMs: existing.retryAfterMs };
      return fail(`granting ${who}`, existing);
    }
    const created = await graph(token, 'POST', `/servicePrincipals/${resource.id}/appRoleAssignedTo`, { principalId: grant.principalId, resourceId: resource.id, appRoleId });
    if (created.status === 201 || created.status === 200) return { done: true, value: 'granted' };
    if (created.status === 400 && /already exists/i.test(created.text)) return { done: true, value: 'already granted' };
    if (isTransient(created.status, created.text) || created.status === 0) return { done: false, reason: created.status === 0 ? created.text : `${created.status} ${graphMessage(created)}`, retryAfterMs: created.retryAfterMs };
    return fail(`granting ${who}`, created);
  });
}

async function main() {
  const grants = parseGrants(env.APNS_APP_ROLE_GRANTS);
  if (grants.length === 0) {
    out('postprovision: no app role to grant (APNS_GRANT_GRAPH_PERMISSIONS=false: grant the README "Graph permissions" by hand).');
    return 0;
  }
  out(`postprovision: granting ${grants.length} app role${grants.length === 1 ? '' : 's'} in Microsoft Entra (${GRAPH})…`);
  const token = graphToken();
  const resources = new Map();
  const failures = [];
  for (const grant of grants) {
    try {
      const outcome = await grantOne(token, grant, resources);
      out(`  ✓ ${grant.appRole} → ${grant.principal || grant.principalId}: ${outcome}`);
    } catch (error) {
      if (!(error instanceof HookError)) throw error;
      failures.push(error.message);
      out(`  ✗ ${error.message}`);
    }
  }
  if (failures.length === 0) return 0;
  out(
    [
      `postprovision: ${failures.length} of ${grants.length} app roles are NOT granted, so the monitor cannot yet read Intune (or send e-mail, or let you use the status page's actions).`,
      'The Azure resources are deployed. Once the cause above is fixed, run `azd hooks run postprovision` (or `azd provision`) to grant the rest,',
      'or have an administrator grant them by hand (README "Deploy" › "If the grant step fails").',
    ].join('\n'),
  );
  return 1;
}

runHook('postprovision', main);
