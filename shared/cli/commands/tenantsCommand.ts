import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { adminConsentUrl } from '../../adapters/identity/explainers';
import { createRedactor } from '../../adapters/logging/redact';
import { escapeLogText } from '../../adapters/notifiers/plainText';
import { consentUrlOf, createPartnerDirectory, createStateStorage, secretsOf, watchedForRun, type StateStorage } from '../../composition/createServices';
import { createHomeCredential } from '../../composition/tenantAccess';
import type { AppConfig } from '../../config/loadConfig';
import { consentHeadline } from '../../domain/consentStatus';
import { describeTenant } from '../../domain/describeTenant';
import { AppError } from '../../domain/errors';
import { parseRegistryEntry, parseTenantsCsv, shadowedEntries, type RegisteredTenant, type RegistryChange } from '../../domain/tenantRegistry';
import { systemClock } from '../../ports/clock';
import { getFleetStatus, type StatusView } from '../../useCases/getStatus';
import { addToRegistry, discoverTenants, removeFromRegistry, type RegistryDeps } from '../../useCases/manageRegistry';
import { cliLogger } from '../cliIo';
import { parseFlags, type CliContext } from '../flags';
import { resolveStateFile } from '../stateFile';
import { routeSettingPrefix } from '../../config/settings';

/** The routes named that no `APNS_ROUTE_<R>_…` setting defines: refused when added, not at the next run. */
function undefinedRoutes(config: AppConfig, routes: readonly string[] = []): string[] {
  return routes.filter((r) => !config.routes[r]).map((r) => `route ${r} is not defined (no ${routeSettingPrefix(r)}… setting sets a channel for it)`);
}

const USAGE = `Usage:
  apns-monitor tenants list [--json] [--state-file PATH]
  apns-monitor tenants add ID [--name NAME] [--route R]... [--state-file PATH]
  apns-monitor tenants remove ID [--state-file PATH]
  apns-monitor tenants import FILE.csv [--state-file PATH]       (lines tenantId,name,routes; routes R1+R2)
  apns-monitor tenants discover [--add] [--json] [--state-file PATH]
  apns-monitor tenants consent-url ID`;

// A CSV of 10,000 tenants is well under a megabyte; anything larger is not a tenant list.
const MAX_CSV_BYTES = 4 * 1024 * 1024;

/**
 * `apns-monitor tenants …`: the fleet's registry (SPEC §15) — tenants added beside APNS_TENANTS, kept
 * with the state (Table Storage when configured, else the state file; `--state-file` like `check`) and
 * watched from the next run on with no redeploy — their consent status at a glance, the partner
 * tenant's GDAP customers not watched yet, and the admin-consent link a customer's admin opens once.
 */
export async function runTenantsCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'list':
      return listTenants(rest, ctx);
    case 'add':
      return addTenant(rest, ctx);
    case 'remove':
      return removeTenant(rest, ctx);
    case 'import':
      return importTenants(rest, ctx);
    case 'discover':
      return discover(rest, ctx);
    case 'consent-url':
      return consentUrl(rest, ctx);
    default:
      throw new AppError('cli_usage', USAGE);
  }
}

const STATE_FILE = { 'state-file': { type: 'string' } } as const;

/** The positional arguments an action takes, exactly. */
function positionals(list: readonly string[], names: readonly string[]): string[] {
  if (list.length !== names.length) throw new AppError('cli_usage', `${names.length === 0 ? 'No argument is expected' : `Expected ${names.join(' ')}`}.\n\n${USAGE}`);
  return [...list];
}

/** Where the registry and the state live: Table Storage when configured, else the state file (`--state-file`). */
async function storageOf(config: AppConfig, ctx: CliContext, flag: string | undefined): Promise<StateStorage> {
  const stateFile = resolveStateFile(config, ctx.env, flag);
  return createStateStorage(config, await createHomeCredential(config), stateFile);
}

/** Changing the registry: a fleet's only (it adds to APNS_TENANTS and is read through the fleet's app). */
function fleetConfig(ctx: CliContext, what: string): AppConfig {
  const config = ctx.loadConfig();
  if (!config.fleet) {
    throw new AppError(
      'config_invalid',
      `tenants ${what}: the registry adds tenants to a fleet, and this configuration watches one tenant (APNS_TENANT_ID). Set APNS_TENANTS (the tenants the deployment itself lists, e.g. the home tenant) and APNS_APP_CLIENT_ID first: README "MSP fleet".`,
    );
  }
  return config;
}

function registryDeps(config: AppConfig, storage: StateStorage): RegistryDeps {
  return { registry: storage.registry, setting: config.tenants, clock: systemClock };
}

// Names are data (what a customer's admin typed, or Graph's displayName): every line stays one line.
const print = (ctx: CliContext, lines: readonly string[]) => ctx.io.stdout(lines.map(escapeLogText).join('\n'));

function routesText(routes: readonly string[]): string {
  return routes.length === 0 ? '' : ` (routes ${routes.join('+')})`;
}

function changeLines(change: RegistryChange, where: string): string[] {
  const lines: string[] = [];
  const each = (verb: string, list: readonly RegisteredTenant[]) => list.forEach((t) => lines.push(`${verb} ${describeTenant(t.id, t.name)}${routesText(t.routes)}`));
  each('Added', change.added);
  each('Updated', change.updated);
  each('Already registered, unchanged:', change.unchanged);
  const changed = change.added.length + change.updated.length;
  lines.push(changed === 0 ? `Nothing changed in the registry (${where}).` : `Saved in the registry (${where}); the next run checks ${change.added.length === 1 ? 'it' : 'them'} with no redeploy.`);
  return lines;
}

async function addTenant(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals: given } = parseFlags(args, { ...STATE_FILE, name: { type: 'string' }, route: { type: 'string', multiple: true } }, true);
  const [id] = positionals(given, ['ID']) as [string];
  const parsed = parseRegistryEntry({ id, name: values.name, routes: values.route });
  if ('problems' in parsed) throw new AppError('cli_usage', `tenants add: ${parsed.problems.join('; ')}.`);
  const config = fleetConfig(ctx, 'add');
  const unknownRoutes = undefinedRoutes(config, parsed.entry.routes);
  if (unknownRoutes.length > 0) throw new AppError('cli_usage', `tenants add: ${unknownRoutes.join('; ')}. Nothing was added.`);
  const storage = await storageOf(config, ctx, values['state-file']);
  const change = await addToRegistry(registryDeps(config, storage), [parsed.entry], 'add');
  print(ctx, changeLines(change, storage.registry.location));
  const url = consentUrlOf(config);
  if (url && change.added.length > 0) print(ctx, [`Its administrator grants consent once: ${url(parsed.entry.id)}`]);
  return 0;
}

async function removeTenant(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals: given } = parseFlags(args, STATE_FILE, true);
  const [id] = positionals(given, ['ID']) as [string];
  const config = fleetConfig(ctx, 'remove');
  const storage = await storageOf(config, ctx, values['state-file']);
  const { removed, stillInSetting } = await removeFromRegistry(registryDeps(config, storage), id);
  print(ctx, [
    `Removed ${describeTenant(removed.id, removed.name)} from the registry (${storage.registry.location}).`,
    stillInSetting ? 'It is still watched: it is listed in APNS_TENANTS too.' : 'It is not checked from the next run on; its stored state and alerts stay until you delete them.',
  ]);
  return 0;
}

async function importTenants(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals: given } = parseFlags(args, STATE_FILE, true);
  const [file] = positionals(given, ['FILE.csv']) as [string];
  const config = fleetConfig(ctx, 'import');
  const path = resolve(ctx.io.cwd, file);
  let text: string;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new AppError('cli_usage', `tenants import: ${file} is not a file.`);
    if (stat.size > MAX_CSV_BYTES) throw new AppError('cli_usage', `tenants import: ${file} is larger than ${MAX_CSV_BYTES / 1024 / 1024} MB; it is not a tenant list.`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('cli_usage', `tenants import: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  const { entries, problems } = parseTenantsCsv(text);
  // A tenant of the setting is a bad line too: the setting decides for it.
  const inSetting = new Set(config.tenants.map((t) => t.id.toLowerCase()));
  for (const e of entries) if (inSetting.has(e.id)) problems.push({ line: e.line, message: `tenant ${e.id} comes from the APNS_TENANTS setting (it is watched already)` });
  for (const e of entries) for (const message of undefinedRoutes(config, e.routes)) problems.push({ line: e.line, message });
  problems.sort((a, b) => a.line - b.line);
  if (problems.length > 0) {
    const lines = problems.map((p) => `  line ${p.line}: ${p.message}`);
    throw new AppError('invalid_request', `tenants import: ${problems.length} bad line${problems.length === 1 ? '' : 's'} in ${file}; nothing was added.\n${lines.join('\n')}`);
  }
  const storage = await storageOf(config, ctx, values['state-file']);
  const change = await addToRegistry(registryDeps(config, storage), entries, 'import');
  print(ctx, [`${entries.length} tenant${entries.length === 1 ? '' : 's'} in ${file}: ${change.added.length} added, ${change.updated.length} updated, ${change.unchanged.length} unchanged.`, ...changeLines(change, storage.registry.location).slice(-1)]);
  return 0;
}

async function discover(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals: given } = parseFlags(args, { ...STATE_FILE, add: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } }, true);
  positionals(given, []);
  const config = fleetConfig(ctx, 'discover');
  const logger = cliLogger(ctx.io, createRedactor(secretsOf(config)), values.verbose === true);
  const [storage, directory] = await Promise.all([storageOf(config, ctx, values['state-file']), createPartnerDirectory(config, { logger, env: ctx.env })]);
  const found = await discoverTenants({ ...registryDeps(config, storage), directory }, { add: values.add === true });
  if (values.json) {
    ctx.io.stdout(JSON.stringify({ customers: found.customers.length, unwatched: found.unwatched, added: found.change?.added.map((t) => t.id) ?? [] }, null, 2));
    return 0;
  }
  const lines = [`${found.customers.length} GDAP customer${found.customers.length === 1 ? '' : 's'} of the home tenant ${config.tenant.id}; ${found.unwatched.length} not watched yet${found.unwatched.length > 0 ? ':' : '.'}`];
  for (const c of found.unwatched) lines.push(`  ${describeTenant(c.tenantId, c.displayName ?? c.tenantId)}`);
  if (found.change) lines.push(...changeLines(found.change, storage.registry.location));
  else if (found.unwatched.length > 0) lines.push('Register them with "apns-monitor tenants discover --add" (each customer\'s admin then grants consent once: apns-monitor tenants list shows the links).');
  print(ctx, lines);
  return 0;
}

async function consentUrl(args: readonly string[], ctx: CliContext): Promise<number> {
  const { positionals: given } = parseFlags(args, {}, true);
  const [id] = positionals(given, ['ID']) as [string];
  const config = ctx.loadConfig();
  if (!config.entra.appClientId) throw new AppError('config_invalid', 'APNS_APP_CLIENT_ID: is required for the consent link (the multi-tenant app of the fleet).');
  // A tenant being onboarded need not be watched yet.
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new AppError('cli_usage', `consent-url: "${id.slice(0, 64)}" is not a tenant ID.`);
  ctx.io.stdout(adminConsentUrl(config.entra.authorityHost, id, config.entra.appClientId));
  return 0;
}

// ── list ─────────────────────────────────────────────────────────────────────────────────────

async function listTenants(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals: given } = parseFlags(args, { ...STATE_FILE, json: { type: 'boolean', default: false } }, true);
  positionals(given, []);
  const settings = ctx.loadConfig();
  const storage = await storageOf(settings, ctx, values['state-file']);
  try {
    // An unreadable registry still lists the setting's tenants, and says so (exit 3).
    const { config, registryFailure, registry } = await watchedForRun(settings, storage.registry);
    const tenants = await getFleetStatus(storage.store, config.tenants, undefined, consentUrlOf(config));
    const shadowed = registry ? shadowedEntries(settings.tenants, registry) : [];
    if (values.json) {
      ctx.io.stdout(JSON.stringify(listJson(config, tenants, shadowed, registryFailure), null, 2));
    } else {
      print(ctx, listLines(config, tenants, shadowed));
      if (registryFailure) ctx.io.stderr(escapeLogText(`apns-monitor tenants: ${registryFailure.describe()}`));
    }
    return registryFailure ? registryFailure.exitCode : 0;
  } finally {
    await storage.store.close();
  }
}

function listJson(config: AppConfig, tenants: readonly StatusView[], shadowed: readonly RegisteredTenant[], registryFailure: AppError | undefined) {
  return {
    fleet: config.fleet,
    homeTenantId: config.tenant.id,
    tenants: tenants.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName, source: t.source, routes: t.routes, consent: t.consent, lastSuccessfulCheckAt: t.lastSuccessfulCheckAt })),
    shadowed: shadowed.map((t) => ({ tenantId: t.id, tenantName: t.name })),
    registryError: registryFailure ? { code: registryFailure.code, message: registryFailure.message } : null,
  };
}

function listLines(config: AppConfig, tenants: readonly StatusView[], shadowed: readonly RegisteredTenant[]): string[] {
  const registered = tenants.filter((t) => t.source === 'registry').length;
  const plural = (n: number) => `${n} tenant${n === 1 ? '' : 's'}`;
  const lines = [
    config.fleet
      ? `Fleet of ${plural(tenants.length)}, home tenant ${config.tenant.id}: ${tenants.length - registered} from APNS_TENANTS, ${registered} registered with "apns-monitor tenants add".`
      : 'One tenant (APNS_TENANT_ID); set APNS_TENANTS to watch a fleet:',
  ];
  for (const t of tenants) {
    const from = t.source === 'registry' ? `registry${routesText(t.routes)}` : config.fleet ? 'APNS_TENANTS' : 'APNS_TENANT_ID';
    lines.push(`  ${describeTenant(t.tenantId, t.tenantName)}  [${from}]`, `      ${consentLine(t)}`);
    if (t.consent.consentUrl) lines.push(`      consent: ${t.consent.consentUrl}`);
  }
  if (shadowed.length > 0) {
    lines.push(`Registered but listed in APNS_TENANTS too (the setting wins; "apns-monitor tenants remove ID" tidies them): ${shadowed.map((t) => t.id).join(', ')}.`);
  }
  return lines;
}

/** "consented and read, last check 2026-12-04 08:00 UTC, worst: warning". */
function consentLine(t: StatusView): string {
  const c = t.consent;
  const parts = [consentHeadline(c)];
  if (c.checkedAt) parts.push(`last check ${c.checkedAt.slice(0, 16).replace('T', ' ')} UTC`);
  if (c.worstSeverity) parts.push(`worst: ${c.worstSeverity}`);
  return parts.join(', ');
}
