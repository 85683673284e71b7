#!/usr/bin/env node
'use strict';
/**
 * azure.yaml's postdeploy hook: subscribes the Key Vault's Event Grid system topic to the deployed
 * function keyVaultSecretVersionCreated (renewal proposals, SPEC §16).
 *
 * Why a hook: Event Grid refuses to create an AzureFunction subscription to a function that does not
 * exist, and azd provisions before it deploys. So the first provision creates the system topic only
 * (infra/main.bicep outputs APNS_KEY_VAULT_EVENTS_STATE=function-pending); after the deploy this hook
 * waits until Azure Resource Manager lists the function (the host syncs its triggers after a deploy,
 * which can take a minute on Flex Consumption), then turns the subscription on in the azd environment
 * (APNS_KEY_VAULT_EVENTS_SUBSCRIBED=true) and provisions again — the subscription stays declared in
 * Bicep, and every later `azd up` / `azd provision` keeps it. When the state is `subscribed` or
 * `off`, it does nothing.
 *
 * It signs in as the deploying account through azd itself (`azd auth token`), so it needs nothing but
 * azd and Node.js. Exit 0: subscribed (or nothing to do); exit 1: the message says what is missing and
 * how to finish. Tokens are never printed.
 */
const { HookError, azd, azdToken, retryBudget, runHook } = require('./azdHook');

const env = process.env;
const ARM = (env.AZURE_RESOURCE_MANAGER_ENDPOINT || 'https://management.azure.com/').replace(/\/+$/, '');
const FUNCTION_ID = env.APNS_KEY_VAULT_EVENTS_FUNCTION_ID || '';
const STATE = env.APNS_KEY_VAULT_EVENTS_STATE || '';
// The function is usually listed within seconds of the deploy, sometimes a few minutes (retryBudget).
const { baseMs: BASE_MS, maxWaitMs: MAX_WAIT_MS } = retryBudget;
const REQUEST_TIMEOUT_MS = 30_000;
const API_VERSION = '2024-04-01'; // Microsoft.Web/sites/functions

const out = (line) => process.stdout.write(`${line}\n`);
const FINISH = 'Once the function keyVaultSecretVersionCreated is deployed, run `azd hooks run postdeploy` (or `azd env set APNS_KEY_VAULT_EVENTS_SUBSCRIBED true`, then `azd provision`).';

/** An Azure Resource Manager token of the account azd is signed in with (the deployer). */
const armToken = () => azdToken(ARM, 'an Azure Resource Manager token', `. ${FINISH}`);

/** GET the function: 'listed', 'not yet' (404, or ARM busy), or throws on a refusal. */
async function functionListed(token) {
  let response;
  try {
    response = await fetch(`${ARM}${FUNCTION_ID}?api-version=${API_VERSION}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    return { listed: false, reason: `network error: ${error.cause?.code ?? error.name}` };
  }
  const text = await response.text();
  if (response.status === 200) return { listed: true };
  if (response.status === 404 || response.status === 429 || response.status >= 500) return { listed: false, reason: `${response.status}` };
  let message = text.slice(0, 300);
  try {
    message = JSON.parse(text).error?.message ?? message;
  } catch {
    // the text as it came
  }
  throw new HookError(`Azure Resource Manager answered ${response.status} for the function keyVaultSecretVersionCreated: ${message} ${FINISH}`);
}

async function waitForFunction(token) {
  const deadline = Date.now() + MAX_WAIT_MS;
  let delay = BASE_MS;
  for (;;) {
    const answer = await functionListed(token);
    if (answer.listed) return;
    if (Date.now() + delay > deadline) {
      throw new HookError(`The function keyVaultSecretVersionCreated is still not listed after ${Math.round(MAX_WAIT_MS / 1000)} s (${answer.reason}): the Event Grid subscription was not created. ${FINISH}`);
    }
    out(`  … waiting for the deployed function keyVaultSecretVersionCreated to be listed (${answer.reason}); trying again in ${Math.round(delay / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 60_000);
  }
}

async function main() {
  if (STATE === 'off') {
    out('postdeploy: renewal proposals from Key Vault are off (APNS_KEY_VAULT_EVENTS=false, or APNS_ENABLE_RENEWAL=false): nothing to subscribe.');
    return 0;
  }
  if (STATE === 'subscribed') {
    out('postdeploy: the Key Vault events already reach keyVaultSecretVersionCreated (Event Grid subscription in place).');
    return 0;
  }
  if (STATE !== 'function-pending' || !FUNCTION_ID.includes('/functions/')) {
    throw new HookError('APNS_KEY_VAULT_EVENTS_STATE / APNS_KEY_VAULT_EVENTS_FUNCTION_ID are not what infra/main.bicep outputs: run `azd provision` again.');
  }
  out('postdeploy: subscribing the Key Vault\'s Event Grid topic to keyVaultSecretVersionCreated (renewal proposals)…');
  await waitForFunction(armToken());
  const set = azd(['env', 'set', 'APNS_KEY_VAULT_EVENTS_SUBSCRIBED', 'true']);
  if (set.error || set.status !== 0) throw new HookError(`azd env set failed (${(set.stderr || set.stdout || String(set.error)).trim().split('\n').pop()}). ${FINISH}`);
  out('  ✓ the function is deployed; provisioning again with the Event Grid subscription (azd provision)…');
  // The provision's own output goes to the person's terminal as it runs.
  const provision = azd(['provision', '--no-prompt'], { inherit: true, timeout: 30 * 60_000 });
  if (provision.error || provision.status !== 0) {
    throw new HookError(`azd provision failed${provision.status === null ? '' : ` (exit ${provision.status})`}: the Event Grid subscription may be missing. Fix the cause above, then run \`azd provision\` (APNS_KEY_VAULT_EVENTS_SUBSCRIBED is already true).`);
  }
  out('postdeploy: Key Vault events now reach keyVaultSecretVersionCreated: storing the renewed certificate proposes it for approval on the status page.');
  return 0;
}

runHook('postdeploy', main);
