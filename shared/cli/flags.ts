import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { findTenant, type AppConfig, type Env, type TenantRef } from '../config/loadConfig';
import { AppError } from '../domain/errors';
import { parseDateOrInstant } from '../domain/graphDateTime';
import type { CliIo } from './cliIo';

/**
 * What every command shares: the usage text, the flag parser and the context. Imported by main.ts and
 * by each command, so main.ts can load commands lazily (`check` never loads the demo, its simulators
 * or node-forge).
 */
export const USAGE = `Usage: apns-monitor <command> [options]

Commands:
  check [--json] [--no-notify] [--now ISO] [--state-file PATH] [--tenant ID]... [--device-code] [--verbose]
        One monitoring run (every tenant of a fleet, or those named). Exit 0 ok/notice, 1 warning,
        2 critical or expired, 3 the check itself failed (for any tenant).
        --now evaluates as if at another instant: a read-only forecast (nothing sent, no state written).
  renew [--tenant ID] [--secret NAME] [--version V] [--file PEM [--password-stdin]] [--apple-id ID] [--dry-run] [--allow-new-topic] [--device-code] [--json]
        The guarded upload of the renewed certificate, from Key Vault or from a file on disk
        (PEM, DER or PKCS#12; a protected .p12's password from stdin, or asked on a terminal).
        Exit 0 success, 1 refusal (nothing uploaded), 3 failure.
  renewals list [--tenant ID] | propose [--tenant ID] [--secret NAME] [--version V] | approve ID | reject ID --reason TEXT [--json] [--state-file PATH] [--device-code]
        Renewal proposals: a certificate stored in Key Vault is dry-run on its event and waits for a
        person's approval. approve runs the guarded renewal of that version (exit 0 uploaded or already
        current, 1 refused: closed, lapsed, your own proposal, or a check failed; 3 failure).
  csr [--tenant ID] [--out FILE] [--device-code]
        Download Intune's certificate signing request for the Apple Push Certificates Portal.
  login [--tenant ID]
        Check that you can sign in as a person with a device code (APNS_PUBLIC_CLIENT_ID) and read
        Intune. Nothing is kept: the other commands sign you in with --device-code each time.
  tenants list [--json] | add ID [--name NAME] [--route R]... | remove ID | import FILE.csv | discover [--add] | consent-url ID
        A fleet's tenants: APNS_TENANTS and the registry kept with the state (each action takes
        --state-file like check; watched from the next run, no redeploy), whether each can be read
        (consent, a permission, not checked yet), the partner tenant's GDAP customers not watched yet,
        and the admin-consent link a customer admin opens once.
  calendar [--tenant ID]... [--state-file PATH]
        The expiry calendar (iCalendar, RFC 5545) from stored state: one all-day event per asset on
        its date, with alarms at the policy's thresholds. Save it: apns-monitor calendar > expiries.ics
  ack KEY --until DATE --reason TEXT [--state-file PATH]
        Pause the reminders of one alert (its key from check --json) at its current severity, at most
        30 days and never past the expiry; anything worse still alerts. Expired assets and monitor
        failures are refused: they never go quiet. Exit 0 acknowledged, 1 refused.
  unack KEY [--state-file PATH]
        End an acknowledgement: the reminders resume on the next run.
  serve [--port N] [--state-file PATH]
        Serve the status page and the HTTP API on 127.0.0.1 from the CLI's state (Ctrl-C stops it).
  demo [--serve] [--port N]
        The whole product against embedded simulated tenants (no Azure account needed).
  help  This text.

Global options:
  --settings FILE   Functions settings file whose "Values" are read (default ./local.settings.json,
                    used when present). Environment variables win over the file.

Settings, permissions and examples: see README.md.`;

export interface CliContext {
  io: CliIo;
  /** Environment merged with local.settings.json Values. */
  env: Env;
  loadConfig(): AppConfig;
}

export type Command = (args: readonly string[], ctx: CliContext) => Promise<number>;

/** Parses a command's flags; unknown flags are an error a person can read. */
export function parseFlags<const T extends ParseArgsOptionsConfig>(args: readonly string[], options: T, positionals = false) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: positionals, strict: true });
  } catch (error) {
    throw new AppError('cli_usage', `${(error as Error).message.split('\n')[0]}\n\n${USAGE}`);
  }
}

/** The tenants `--tenant` names (each must be watched), or all of them. */
export function selectTenants(config: AppConfig, requested: readonly string[] | undefined): TenantRef[] {
  if (!requested || requested.length === 0) return [...config.tenants];
  return requested.map((id) => {
    const found = findTenant(config, id);
    if (!found) throw new AppError('cli_usage', `--tenant ${id.slice(0, 64)}: not one of the watched tenants (${config.tenants.map((t) => t.id).join(', ')}).`);
    return found;
  });
}

/** `--now`, `--until`: an ISO 8601 instant with a zone, or a plain date (midnight UTC). */
export function parseInstant(flag: string, text: string): number {
  const value = parseDateOrInstant(text);
  if (value === undefined) {
    throw new AppError('cli_usage', `${flag}: must be an ISO 8601 date-time with a zone (e.g. 2027-01-15T08:00:00Z) or a date (2027-01-15), got "${text.slice(0, 60)}".`);
  }
  return value;
}
