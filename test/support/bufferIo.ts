import type { CliIo } from '../../shared/cli/cliIo';

/** A CliIo that keeps what the CLI printed; `stdin`, when given, is what standard input holds (not a terminal). */
export function bufferIo(env: Record<string, string | undefined>, cwd = process.cwd(), stdin?: string): CliIo & { out: string[]; err: string[]; text(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    env,
    cwd,
    ...(stdin === undefined ? {} : { readStdin: async () => stdin }),
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    text: () => [...out, ...err].join('\n'),
  };
}
