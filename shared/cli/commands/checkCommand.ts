import { createRedactor } from '../../adapters/logging/redact';
import { checkOptionsFrom, createCheckDeps, secretsOf } from '../../composition/createServices';
import { AppError } from '../../domain/errors';
import { parseGraphDateTime } from '../../domain/graphDateTime';
import { checkExpiry } from '../../useCases/checkExpiry';
import { alertConsole, cliLogger } from '../cliIo';
import { exitCodeOf, formatReport, reportJson } from '../formatReport';
import { parseFlags, type CliContext } from '../main';
import { resolveStateFile } from '../stateFile';

/** `apns-monitor check`: one monitoring run with Nagios exit codes. */
export async function runCheckCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, {
    json: { type: 'boolean', default: false },
    'no-notify': { type: 'boolean', default: false },
    now: { type: 'string' },
    'state-file': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  });
  const now = values.now === undefined ? undefined : parseNow(String(values.now));
  const config = ctx.loadConfig();
  const redact = createRedactor(secretsOf(config));
  const logger = cliLogger(ctx.io, redact, values.verbose === true);
  // A forecast (--now) is read-only: it never notifies and never writes the real state, or it would
  // send "expired" everywhere today and then silence every real alert that follows (SPEC §3).
  const forecast = now !== undefined;
  const notify = values['no-notify'] !== true && !forecast;
  const stateFile = resolveStateFile(config, ctx.env, values['state-file'] as string | undefined);
  const deps = await createCheckDeps(config, { logger, alertLogger: alertConsole(ctx.io, redact), ...(stateFile ? { stateFile } : {}) });
  try {
    const report = await checkExpiry(deps, checkOptionsFrom(config, { notify, ...(now === undefined ? {} : { now }) }));
    const exitCode = exitCodeOf(report);
    ctx.io.stdout(redact(values.json ? JSON.stringify(reportJson(report, exitCode, { forecast }), null, 2) : formatReport(report, exitCode, { forecast })));
    return exitCode;
  } finally {
    await deps.telemetry.flush();
  }
}

/** `--now` takes an ISO 8601 instant with a zone, or a plain date (midnight UTC). */
export function parseNow(text: string): number {
  const value = /^\d{4}-\d{2}-\d{2}$/.test(text) ? parseGraphDateTime(`${text}T00:00:00Z`) : parseGraphDateTime(text);
  if (value === undefined) {
    throw new AppError('cli_usage', `--now: must be an ISO 8601 date-time with a zone (e.g. 2027-01-15T08:00:00Z) or a date (2027-01-15), got "${text}".`);
  }
  return value;
}
