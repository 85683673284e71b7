'use strict';
/**
 * What azure.yaml's Node.js hooks share (grantAppRoles.js, subscribeKeyVaultEvents.js): the error a
 * person can act on, the deploying account's token from azd itself, the retry budget, and the way a
 * hook ends (its message on stderr, exit 1). Tokens are never printed.
 */
const { spawnSync } = require('node:child_process');

/** A failure whose message says what is missing and how to finish (no stack trace). */
class HookError extends Error {}

// What Entra or Azure Resource Manager takes a while to show: first retry after 5 s, doubling to 60 s,
// for at most 10 minutes. (Both can be shortened for tests.)
const retryBudget = {
  baseMs: Number(process.env.APNS_HOOK_RETRY_BASE_MS || 5000),
  maxWaitMs: Number(process.env.APNS_HOOK_MAX_WAIT_SECONDS || 600) * 1000,
};

function azd(args, options = {}) {
  return spawnSync('azd', args, { encoding: 'utf8', windowsHide: true, timeout: options.timeout ?? 120_000, stdio: options.inherit ? 'inherit' : 'pipe' });
}

/**
 * A token for `resource` (its base URL) of the account azd is signed in with (the deployer).
 * `what` names it in the error ("a Microsoft Graph token"); `then` follows "Sign in with `azd auth login`".
 */
function azdToken(resource, what, then) {
  const result = azd(['auth', 'token', '--output', 'json', '--scope', `${resource}/.default`]);
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : (result.stderr || result.stdout || '').trim().split('\n').pop();
    throw new HookError(`Could not get ${what} from azd (${why}). Sign in with \`azd auth login\`${then}`);
  }
  try {
    const token = JSON.parse(result.stdout).token;
    if (typeof token === 'string' && token !== '') return token;
  } catch {
    // reported below
  }
  throw new HookError(`azd auth token gave no token. Sign in with \`azd auth login\`${then}`);
}

/** Runs the hook's `main` and exits with its code; a failure is one line on stderr, prefixed by `label`. */
function runHook(label, main) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${label}: ${error instanceof HookError ? error.message : `unexpected error: ${error?.stack ?? error}`}\n`);
      process.exit(1);
    },
  );
}

module.exports = { HookError, azd, azdToken, retryBudget, runHook };
