import { createRedactor } from '../../adapters/logging/redact';
import { checkDepsFor, checkOptionsFor, createSharedCheckServices, fleetHealthReport, fleetTenantCheck, secretsOf, watchedForRun } from '../../composition/createServices';
import type { TenantRef } from '../../config/loadConfig';
import { AppError, toAppError } from '../../domain/errors';
import type { Logger } from '../../ports/logger';
import { checkExpiry } from '../../useCases/checkExpiry';
import { checkFleet } from '../../useCases/checkFleet';
import { alertConsole, cliLogger } from '../cliIo';
import { exitCodeOf, fleetExitCode, fleetJson, formatFleetReport, formatReport, reportJson } from '../formatReport';
import { parseFlags, parseInstant, selectTenants, type CliContext } from '../flags';
import { deviceCodeSignIn } from '../deviceCode';
import { resolveStateFile } from '../stateFile';

/**
 * `apns-monitor check`: one monitoring run with Nagios exit codes — of the tenant, or of every
 * tenant of a fleet (bounded concurrency, `APNS_FLEET_CONCURRENCY`) or those named with `--tenant`.
 */
export async function runCheckCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, {
    json: { type: 'boolean', default: false },
    'no-notify': { type: 'boolean', default: false },
    now: { type: 'string' },
    'state-file': { type: 'string' },
    tenant: { type: 'string', multiple: true },
    'device-code': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  });
  const now = values.now === undefined ? undefined : parseInstant('--now', String(values.now));
  const settings = ctx.loadConfig();
  const redact = createRedactor(secretsOf(settings));
  const logger = cliLogger(ctx.io, redact, values.verbose === true);
  // A forecast (--now) is read-only: it never notifies, sends no telemetry and never writes the real
  // state, or it would send "expired" everywhere today and then silence every real alert that follows
  // (SPEC §3, §9).
  const forecast = now !== undefined;
  const notify = values['no-notify'] !== true && !forecast;
  const deviceCodeUsage = () => new AppError('cli_usage', '--device-code signs one person in to one tenant: name it with --tenant ID (a fleet is read through its multi-tenant app).');
  if (values['device-code'] && settings.fleet && values.tenant?.length !== 1) throw deviceCodeUsage();
  const stateFile = resolveStateFile(settings, ctx.env, values['state-file'] as string | undefined);
  const shared = await createSharedCheckServices(settings, {
    logger,
    alertLogger: alertConsole(ctx.io, redact),
    env: ctx.env,
    forecast,
    // The whole fleet (no --tenant): its state in one query rather than one request per tenant.
    preloadState: values.tenant === undefined && settings.fleet,
    ...(stateFile ? { stateFile } : {}),
    ...(values['device-code'] ? { deviceCode: deviceCodeSignIn(ctx.io, redact, false) } : {}),
  });
  const overrides = { notify, ...(now === undefined ? {} : { now }) };
  const output = (text: string) => ctx.io.stdout(redact(text));
  try {
    // A fleet's tenants are APNS_TENANTS and the registry, read with the state (SPEC §15).
    const { config, registryFailure } = await watchedForRun(settings, shared.registry);
    if (registryFailure) logger.error(registryFailure.describe(), { code: registryFailure.code });
    const tenants = selectTenants(config, values.tenant);
    if (values['device-code'] && tenants.length !== 1) throw deviceCodeUsage();
    if (!config.fleet && tenants.length === 1) {
      const tenant = tenants[0] as TenantRef;
      const report = await checkExpiry(await checkDepsFor(config, shared, tenant), checkOptionsFor(config, tenant, overrides));
      const exitCode = exitCodeOf(report);
      output(values.json ? JSON.stringify(reportJson(report, exitCode, { forecast }), null, 2) : formatReport(report, exitCode, { forecast }));
      return exitCode;
    }
    const at = now ?? shared.clock.now();
    const results = await checkFleet(tenants, fleetTenantCheck(config, shared, overrides, (tenant) => tenantLogger(logger, tenant)), {
      concurrency: config.fleetConcurrency,
      ...(ctx.io.progress ? { onProgress: (done: number, total: number) => ctx.io.progress?.(`Checking tenants: ${done}/${total}`) } : {}),
      // The fleet's one alert for a shared cause: only a run that notifies raises or resolves it.
      ...(notify ? { reportHealth: fleetHealthReport(config, shared, overrides) } : {}),
    });
    ctx.io.progress?.(undefined);
    if (registryFailure) results.registryFailure = registryFailure;
    const exitCode = fleetExitCode(results);
    output(values.json ? JSON.stringify(fleetJson(results, exitCode, at, { forecast }), null, 2) : formatFleetReport(results, exitCode, at, { forecast }));
    return exitCode;
  } finally {
    await shared.telemetry.flush();
    // Every change is already in the state (the file's journal): tidying it failing is a warning, not a failed check.
    await shared.store.close().catch((error: unknown) => logger.warn(`The state was not compacted (it stays valid): ${toAppError(error).describe()}`));
  }
}

/** In a fleet, each log line says which tenant it is about. */
function tenantLogger(logger: Logger, tenant: TenantRef): Logger {
  const prefix = `[${tenant.name}] `;
  return { info: (m, p) => logger.info(prefix + m, p), warn: (m, p) => logger.warn(prefix + m, p), error: (m, p) => logger.error(prefix + m, p) };
}
