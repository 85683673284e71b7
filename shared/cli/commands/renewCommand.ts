import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { createRedactor } from '../../adapters/logging/redact';
import { createRenewDeps, secretsOf } from '../../composition/createServices';
import { AppError, toAppError } from '../../domain/errors';
import { parseRenewalRequest, type CheckLine, type RenewalRequest } from '../../domain/renewal';
import { renewalExitCode, renewCertificate, type RenewalResult } from '../../useCases/renewCertificate';
import { alertConsole, cliLogger } from '../cliIo';
import { parseFlags, type CliContext } from '../main';
import { resolveStateFile } from '../stateFile';

/** The OS user on this machine: who did it, for the audit trail. */
function osActor(): string {
  let user = 'unknown user';
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? user; // no passwd entry (containers)
  }
  return `${user}@${hostname()} (CLI)`;
}

function formatChecks(checks: readonly CheckLine[]): string[] {
  return checks.map((c) => `  ${c.ok ? '✓' : '✗'} ${String(c.step).padStart(2)}. ${c.check}: ${c.detail}`);
}

export function formatRenewal(result: RenewalResult): string {
  if (result.ok) {
    const lines = [result.message];
    if (result.code === 'renewed' && result.before && result.after) lines.push(`Expiry: ${result.before.expiresAt} → ${result.after.expiresAt}`);
    lines.push('', 'Checked:', ...formatChecks(result.checks));
    for (const n of result.notifications) lines.push(`Notified ${n.channel}: ${n.sent} sent${n.failed ? `, ${n.failed} failed (retried on the next run)` : ''}`);
    return lines.join('\n');
  }
  const e = result.error;
  return [`Refused (${e.code}): ${e.message}`, ...(e.hint ? [`Hint: ${e.hint}`] : []), '', 'Checked:', ...formatChecks(result.checks)].join('\n');
}

/** `apns-monitor renew`: exit 0 success (renewed, already current, valid dry run), 1 refusal, 3 failure. */
export async function runRenewCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, {
    secret: { type: 'string' },
    version: { type: 'string' },
    'apple-id': { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    'allow-new-topic': { type: 'boolean', default: false },
    'state-file': { type: 'string' },
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  });
  const config = ctx.loadConfig();
  const redact = createRedactor(secretsOf(config));
  const logger = cliLogger(ctx.io, redact, values.verbose === true);
  let request: RenewalRequest | AppError;
  try {
    request = parseRenewalRequest({
      ...(values.secret !== undefined ? { secretName: values.secret } : {}),
      ...(values.version !== undefined ? { secretVersion: values.version } : {}),
      ...(values['apple-id'] !== undefined ? { appleIdentifier: values['apple-id'] } : {}),
      dryRun: values['dry-run'] === true,
      allowNewTopic: values['allow-new-topic'] === true,
    });
  } catch (error) {
    request = toAppError(error);
  }
  const stateFile = resolveStateFile(config, ctx.env, values['state-file'] as string | undefined);
  const deps = await createRenewDeps(config, { logger, alertLogger: alertConsole(ctx.io, redact), ...(stateFile ? { stateFile } : {}) });
  const result = await renewCertificate(deps, request, {
    tenantId: config.tenant.id,
    tenantName: config.tenant.name,
    defaultSecretName: config.renewal.secretName,
    actor: osActor(),
    via: 'cli',
    correlationId: randomUUID(),
  });
  const output = values.json
    ? JSON.stringify(result.ok ? { outcome: result.code, message: result.message, before: result.before, after: result.after, checks: result.checks } : { error: { code: result.error.code, message: result.error.describe() }, checks: result.checks }, null, 2)
    : formatRenewal(result);
  ctx.io.stdout(redact(output));
  return renewalExitCode(result);
}
