import type { CliIo } from '../../shared/cli/cliIo';

/** A CliIo that keeps what the CLI printed. */
export function bufferIo(env: Record<string, string | undefined>, cwd = process.cwd()): CliIo & { out: string[]; err: string[]; text(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    env,
    cwd,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    text: () => [...out, ...err].join('\n'),
  };
}
