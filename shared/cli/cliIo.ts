import type { Logger } from '../ports/logger';
import type { Redactor } from '../adapters/logging/redact';
import { escapeLogText, escapeTerminalOutput } from '../adapters/notifiers/plainText';

/** Where the CLI reads and writes: the process in production, buffers in tests. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /**
   * A progress line for long work (a fleet of 300 tenants), redrawn in place on stderr — only when
   * stderr is a terminal; absent otherwise, so Nagios, cron and CI get nothing extra.
   * `undefined` ends it (the line is cleared).
   */
  progress?: (text: string | undefined) => void;
}

export function processIo(): CliIo {
  const io: CliIo = {
    stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    env: process.env,
    cwd: process.cwd(),
  };
  if (process.stderr.isTTY) io.progress = (text) => process.stderr.write(text === undefined ? '\r\x1b[K' : `\r${text}\x1b[K`);
  return io;
}

/**
 * What every command prints through: each line of stdout and stderr escaped (`escapeTerminalOutput`),
 * so no control or bidi character from Graph or state ever reaches the terminal raw, whatever a
 * formatter forgot. The progress line (our own fixed text) is left as it is.
 */
export function terminalIo(io: CliIo): CliIo {
  return { ...io, stdout: (text) => io.stdout(escapeTerminalOutput(text)), stderr: (text) => io.stderr(escapeTerminalOutput(text)) };
}

/** Log lines to stderr (stdout is for the report), redacted, one line each; info only when verbose. */
export function cliLogger(io: CliIo, redact: Redactor, verbose: boolean): Logger {
  const line = (text: string) => escapeLogText(redact(text));
  return {
    info: (m) => {
      if (verbose) io.stderr(line(`info: ${m}`));
    },
    warn: (m) => io.stderr(line(`warning: ${m}`)),
    error: (m) => io.stderr(line(`error: ${m}`)),
  };
}

/**
 * The console channel: every alert the run sends, printed to stderr one line per call (the log
 * channel calls once per line), with a blank line before each new event.
 */
export function alertConsole(io: CliIo, redact: Redactor): Logger {
  let lastEventId: unknown;
  const print = (m: string, properties?: Record<string, unknown>) => {
    const eventId = properties?.eventId;
    const first = eventId === undefined || eventId !== lastEventId;
    lastEventId = eventId;
    const text = escapeLogText(redact(m));
    io.stderr(first ? `\n${text}` : text);
  };
  return { info: print, warn: print, error: print };
}
