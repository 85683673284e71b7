import type { Logger } from '../ports/logger';
import type { Redactor } from '../adapters/logging/redact';

/** Where the CLI reads and writes: the process in production, buffers in tests. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Log lines to stderr (stdout is for the report), redacted; info only when verbose. */
export function cliLogger(io: CliIo, redact: Redactor, verbose: boolean): Logger {
  return {
    info: (m) => {
      if (verbose) io.stderr(redact(`info: ${m}`));
    },
    warn: (m) => io.stderr(redact(`warning: ${m}`)),
    error: (m) => io.stderr(redact(`error: ${m}`)),
  };
}

/** The console channel: every alert the run sends, printed to stderr. */
export function alertConsole(io: CliIo, redact: Redactor): Logger {
  const print = (m: string) => io.stderr(redact(`\n${m}\n`));
  return { info: print, warn: print, error: print };
}
