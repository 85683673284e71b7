import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { join } from 'node:path';
import { createRedactor } from '../adapters/logging/redact';
import { loadConfig, type AppConfig, type Env } from '../config/loadConfig';
import { AppError, toAppError } from '../domain/errors';
import { processIo, type CliIo } from './cliIo';
import { runCheckCommand } from './commands/checkCommand';
import { runCsrCommand } from './commands/csrCommand';
import { runDemoCommand } from './commands/demoCommand';
import { runRenewCommand } from './commands/renewCommand';
import { readLocalSettings } from './localSettings';

export const USAGE = `Usage: apns-monitor <command> [options]

Commands:
  check [--json] [--no-notify] [--now ISO] [--state-file PATH] [--verbose]
        One monitoring run. Exit 0 ok/notice, 1 warning, 2 critical or expired, 3 the check failed.
  renew [--secret NAME] [--version V] [--apple-id ID] [--dry-run] [--allow-new-topic] [--json]
        Upload the renewed certificate from Key Vault after every check of the guarded renewal.
        Exit 0 success, 1 refusal (nothing uploaded), 3 failure.
  csr [--out FILE]
        Download Intune's certificate signing request for the Apple Push Certificates Portal.
  demo  The whole product against an embedded simulated Intune tenant (no Azure account needed).
  help  This text.

Global options:
  --settings FILE   Functions settings file whose "Values" are read (default ./local.settings.json).
                    Environment variables win over the file.

Settings, permissions and examples: see README.md.`;

export interface CliContext {
  io: CliIo;
  /** Environment merged with local.settings.json Values. */
  env: Env;
  loadConfig(): AppConfig;
}

type Command = (args: readonly string[], ctx: CliContext) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  check: runCheckCommand,
  renew: runRenewCommand,
  csr: runCsrCommand,
  demo: runDemoCommand,
};

/** Runs one CLI command and returns its exit code. Never throws, never prints a stack trace. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.stdout(USAGE);
    return command ? 0 : 3;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr(`apns-monitor: unknown command "${command}".\n\n${USAGE}`);
    return 3;
  }
  try {
    const { settingsFile, args } = extractSettingsFlag(rest, io.cwd);
    const fileValues = readLocalSettings(settingsFile);
    const env: Env = { ...(fileValues ?? {}), ...definedOnly(io.env) };
    return await run(args, { io, env, loadConfig: () => loadConfig(env) });
  } catch (thrown) {
    const error = toAppError(thrown);
    const redact = createRedactor();
    io.stderr(redact(`apns-monitor ${command}: ${error.code === 'internal_error' ? describeUnexpected(thrown) : error.describe()}`));
    return error.exitCode;
  }
}

function describeUnexpected(thrown: unknown): string {
  const message = thrown instanceof AppError ? thrown.message : 'An unexpected error occurred';
  const cause = thrown instanceof Error ? ` (${thrown.name}: ${thrown.message.split('\n')[0]})` : '';
  return `${message}${cause}`;
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function extractSettingsFlag(args: readonly string[], cwd: string): { settingsFile: string; args: string[] } {
  const out: string[] = [];
  let settingsFile = join(cwd, 'local.settings.json');
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--settings') {
      const value = args[++i];
      if (!value) throw new AppError('cli_usage', '--settings needs a file path.');
      settingsFile = value;
    } else if (arg.startsWith('--settings=')) {
      settingsFile = arg.slice('--settings='.length);
    } else {
      out.push(arg);
    }
  }
  return { settingsFile, args: out };
}

/** Parses a command's flags; unknown flags are an error a person can read. */
export function parseFlags<const T extends ParseArgsOptionsConfig>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: false, strict: true });
  } catch (error) {
    throw new AppError('cli_usage', `${(error as Error).message.split('\n')[0]}\n\n${USAGE}`);
  }
}
