import { randomUUID } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { createRedactor } from '../../adapters/logging/redact';
import { escapeLogText } from '../../adapters/notifiers/plainText';
import { createRenewDeps, renewOptionsFor, secretsOf, watchedTenantFor } from '../../composition/createServices';
import { AppError, toAppError } from '../../domain/errors';
import { parseRenewalRequest, type CheckLine, type RenewalRequest } from '../../domain/renewal';
import { renewalExitCode, renewCertificate, type RenewalResult } from '../../useCases/renewCertificate';
import { alertConsole, cliLogger } from '../cliIo';
import { deviceCodeSignIn } from '../deviceCode';
import { parseFlags, type CliContext } from '../flags';
import { osActor } from '../osActor';
import { filePassword } from '../password';
import { resolveStateFile, watchedConfigLoader } from '../stateFile';

export function formatChecks(checks: readonly CheckLine[]): string[] {
  return checks.map((c) => `  ${c.ok ? '✓' : '✗'} ${String(c.step).padStart(2)}. ${c.check}: ${c.detail}`);
}

/** The renewal's outcome for a person; each line escaped whole, so Graph's and the certificate's text stays on it. */
export function formatRenewal(result: RenewalResult): string {
  return renewalLines(result).map(escapeLogText).join('\n');
}

function renewalLines(result: RenewalResult): string[] {
  if (result.ok) {
    const lines = [result.message];
    if (result.before && result.after && result.code !== 'already_current') lines.push(`Expiry: ${result.before.expiresAt} → ${result.after.expiresAt}${result.code === 'valid' ? ' (if uploaded)' : ''}`);
    lines.push('', 'Checked:', ...formatChecks(result.checks));
    for (const n of result.notifications) lines.push(`Notified ${n.channel}: ${n.sent} sent${n.failed ? `, ${n.failed} failed (retried on the next run)` : ''}`);
    return lines;
  }
  const e = result.error;
  return [`Refused (${e.code}): ${e.message}`, ...(e.hint ? [`Hint: ${e.hint}`] : []), '', 'Checked:', ...formatChecks(result.checks)];
}

/**
 * `apns-monitor renew`: the guarded renewal, from Key Vault or from a file (`--file`, e.g. with
 * `--dry-run` to check the .pem before uploading it in the Intune admin center by hand).
 * Exit 0 success (renewed, already current, valid dry run), 1 refusal, 3 failure.
 */
export async function runRenewCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, {
    tenant: { type: 'string' },
    secret: { type: 'string' },
    version: { type: 'string' },
    file: { type: 'string' },
    'apple-id': { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    'allow-new-topic': { type: 'boolean', default: false },
    'device-code': { type: 'boolean', default: false },
    'password-stdin': { type: 'boolean', default: false },
    'state-file': { type: 'string' },
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  });
  if (values.file !== undefined && (values.secret !== undefined || values.version !== undefined)) {
    throw new AppError('cli_usage', '--file and --secret/--version are two sources of the certificate: give one.');
  }
  if (values['password-stdin'] && values.file === undefined) throw new AppError('cli_usage', '--password-stdin goes with --file (the password of a protected .p12).');
  const config = ctx.loadConfig();
  // In a fleet of several tenants, the tenant must be named: refused before anything is read.
  const tenant = await watchedTenantFor(config, values.tenant, 'renew', '--tenant ID', watchedConfigLoader(config, ctx.env, values['state-file'] as string | undefined), 'cli_usage');
  const redact = createRedactor(secretsOf(config));
  const logger = cliLogger(ctx.io, redact, values.verbose === true);
  const dryRun = values['dry-run'] === true;
  let request: RenewalRequest | AppError;
  try {
    request = parseRenewalRequest({
      ...(values.secret !== undefined ? { secretName: values.secret } : {}),
      ...(values.version !== undefined ? { secretVersion: values.version } : {}),
      ...(values['apple-id'] !== undefined ? { appleIdentifier: values['apple-id'] } : {}),
      dryRun,
      allowNewTopic: values['allow-new-topic'] === true,
    });
  } catch (error) {
    request = toAppError(error);
  }
  const file = values.file === undefined ? undefined : resolve(ctx.io.cwd, String(values.file));
  const stateFile = resolveStateFile(config, ctx.env, values['state-file'] as string | undefined);
  const deps = await createRenewDeps(
    config,
    {
      logger,
      alertLogger: alertConsole(ctx.io, redact),
      env: ctx.env,
      ...(stateFile ? { stateFile } : {}),
      ...(file ? { certificateFile: { path: file, password: filePassword(ctx.io, values['password-stdin'] === true, basename(file)) } } : {}),
      // A dry run only reads: the person needs ReadWrite only to upload.
      ...(values['device-code'] ? { deviceCode: deviceCodeSignIn(ctx.io, redact, !dryRun) } : {}),
    },
    tenant,
  );
  const options = renewOptionsFor(config, tenant, { actor: osActor(), via: 'cli', correlationId: randomUUID() });
  const result = await renewCertificate(deps, request, file ? { ...options, defaultSecretName: `file:${basename(file)}` } : options);
  const output = values.json
    ? JSON.stringify(
        result.ok
          ? { outcome: result.code, message: result.message, tenantId: tenant.id, tenantName: tenant.name, before: result.before, after: result.after, checks: result.checks }
          : { error: { code: result.error.code, message: result.error.describe() }, tenantId: tenant.id, tenantName: tenant.name, checks: result.checks },
        null,
        2,
      )
    : formatRenewal(result);
  ctx.io.stdout(redact(output));
  return renewalExitCode(result);
}
