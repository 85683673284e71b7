import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The installed command (bin/apns-monitor.js over dist/): what Nagios, cron and a person run. */
export const CLI_BIN = join(__dirname, '..', '..', 'bin', 'apns-monitor.js');

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

const running = new Set<ChildProcess>();

/**
 * Runs the command in its own process and resolves when it exits by itself: nothing here kills it,
 * so a test that waits for it proves it ends (Jest's test timeout is the only clock).
 */
export function runCli(args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd: string }): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { env: options.env, cwd: options.cwd });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve({ code, out, err });
    }),
  );
}

/** For afterAll: a command still running means its test failed (it hung); it must not outlive the test run. */
export function killRunningClis(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
