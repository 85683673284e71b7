import { join, resolve } from 'node:path';
import { createRedactor } from '../adapters/logging/redact';
import { loadConfig, type Env } from '../config/loadConfig';
import { AppError, toAppError } from '../domain/errors';
import { escapeNagiosText } from '../adapters/notifiers/plainText';
import { processIo, terminalIo, type CliIo } from './cliIo';
import { USAGE, type Command } from './flags';
import { readLocalSettings } from './localSettings';

type Loader = () => Promise<Command>;

// Loaded on demand: a command pays only for its own imports (check never loads the demo).
const COMMANDS: Record<string, Loader> = {
  check: async () => (await import('./commands/checkCommand')).runCheckCommand,
  renew: async () => (await import('./commands/renewCommand')).runRenewCommand,
  renewals: async () => (await import('./commands/renewalsCommand')).runRenewalsCommand,
  csr: async () => (await import('./commands/csrCommand')).runCsrCommand,
  login: async () => (await import('./commands/loginCommand')).runLoginCommand,
  tenants: async () => (await import('./commands/tenantsCommand')).runTenantsCommand,
  ack: async () => (await import('./commands/ackCommand')).runAckCommand,
  unack: async () => (await import('./commands/ackCommand')).runUnackCommand,
  calendar: async () => (await import('./commands/calendarCommand')).runCalendarCommand,
  serve: async () => (await import('./commands/serveCommand')).runServeCommand,
  demo: async () => (await import('./commands/demoCommand')).runDemoCommand,
};

/** Runs one CLI command and returns its exit code. Never throws, never prints a stack trace. */
export async function main(argv: readonly string[], terminal: CliIo = processIo()): Promise<number> {
  const io = terminalIo(terminal);
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.stdout(USAGE);
    return command ? 0 : 3;
  }
  const load = COMMANDS[command];
  if (!load) {
    io.stderr(`apns-monitor: unknown command "${command}".\n\n${USAGE}`);
    return 3;
  }
  try {
    const { settingsFile, explicit, args } = extractSettingsFlag(rest, io.cwd);
    const fileValues = readLocalSettings(settingsFile);
    // The default file is optional; a file named on the command line must exist.
    if (explicit && fileValues === undefined) throw new AppError('cli_usage', `--settings ${settingsFile}: no such file.`);
    const env: Env = { ...(fileValues ?? {}), ...definedOnly(io.env) };
    const run = await load();
    return await run(args, { io, env, loadConfig: () => loadConfig(env) });
  } catch (thrown) {
    const error = toAppError(thrown);
    const redact = createRedactor();
    const text = error.code === 'internal_error' ? describeUnexpected(thrown) : error.describe();
    // Nagios reads only the first line of stdout: a check that could not even start says UNKNOWN there.
    if (command === 'check') io.stdout(redact(`APNS UNKNOWN - ${escapeNagiosText(oneLine(text))}`));
    io.stderr(redact(`apns-monitor ${command}: ${text}`));
    return command === 'check' ? 3 : error.exitCode;
  }
}

/** "Invalid configuration:\n  A: …\n  B: …" as one line: "Invalid configuration: A: …; B: …". */
function oneLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.reduce((out, line) => (out === '' ? line : out.endsWith(':') ? `${out} ${line}` : `${out}; ${line}`), '');
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

function extractSettingsFlag(args: readonly string[], cwd: string): { settingsFile: string; explicit: boolean; args: string[] } {
  const out: string[] = [];
  let settingsFile = join(cwd, 'local.settings.json');
  let explicit = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--settings') {
      const value = args[++i];
      if (!value) throw new AppError('cli_usage', '--settings needs a file path.');
      settingsFile = resolve(cwd, value);
      explicit = true;
    } else if (arg.startsWith('--settings=')) {
      settingsFile = resolve(cwd, arg.slice('--settings='.length));
      explicit = true;
    } else {
      out.push(arg);
    }
  }
  return { settingsFile, explicit, args: out };
}
