import { AppError } from '../domain/errors';
import type { Logger } from '../ports/logger';
import type { Redactor } from '../adapters/logging/redact';
import { assertMachineText, escapeLogText, escapeTerminalOutput } from '../adapters/notifiers/plainText';

/** Where the CLI reads and writes: the process in production, buffers in tests. */
export interface CliIo {
  stdout(text: string): void;
  /**
   * A machine format to stdout exactly as it is (an iCalendar feed keeps its CRLF): no newline added.
   * Absent in a test's buffer, where `stdout` takes it.
   */
  stdoutData?(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /**
   * A progress line for long work (a fleet of 300 tenants), redrawn in place on stderr — only when
   * stderr is a terminal; absent otherwise, so Nagios, cron and CI get nothing extra.
   * `undefined` ends it (the line is cleared).
   */
  progress?: (text: string | undefined) => void;
  /** Standard input to its end, at most `maxBytes` (more is refused): `--password-stdin`. */
  readStdin?: (maxBytes: number) => Promise<string>;
  /** Asks on the terminal without echoing what is typed; absent when stdin is not a terminal. */
  askHidden?: (prompt: string) => Promise<string>;
}

export function processIo(): CliIo {
  const io: CliIo = {
    stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    stdoutData: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    env: process.env,
    cwd: process.cwd(),
  };
  if (process.stderr.isTTY) io.progress = (text) => process.stderr.write(text === undefined ? '\r\x1b[K' : `\r${text}\x1b[K`);
  io.readStdin = readProcessStdin;
  if (process.stdin.isTTY) io.askHidden = askHiddenOnTerminal;
  return io;
}

/**
 * What every command prints through: each line of stdout and stderr escaped (`escapeTerminalOutput`),
 * so no control or bidi character from Graph or state ever reaches the terminal raw, whatever a
 * formatter forgot. The progress line (our own fixed text) is left as it is. A machine format keeps
 * its line endings, and is refused if anything else unsafe got into it.
 */
export function terminalIo(io: CliIo): CliIo {
  return {
    ...io,
    stdout: (text) => io.stdout(escapeTerminalOutput(text)),
    stdoutData: (text) => (io.stdoutData ?? io.stdout)(assertMachineText(text)),
    stderr: (text) => io.stderr(escapeTerminalOutput(text)),
  };
}

async function readProcessStdin(maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      process.stdin.destroy();
      throw new AppError('cli_usage', `Standard input is longer than ${maxBytes} bytes: give only the password.`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A prompt on stderr; keys read in raw mode so nothing typed is echoed. Enter ends it, Ctrl-C cancels. */
function askHiddenOnTerminal(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (outcome: () => void) => {
      stdin.off('data', onKey);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      outcome();
    };
    const onKey = (chunk: Buffer) => {
      for (const key of chunk.toString('utf8')) {
        if (key === '\r' || key === '\n' || key === '\u0004') return finish(() => resolve(typed));
        if (key === '\u0003') return finish(() => reject(new AppError('cli_usage', 'Cancelled: no password was given.')));
        typed = key === '\u007f' || key === '\b' ? typed.slice(0, -1) : typed + key;
      }
    };
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.resume();
  });
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
