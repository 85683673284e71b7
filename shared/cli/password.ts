import { AppError } from '../domain/errors';
import type { CliIo } from './cliIo';

// A password is a line of text; more than this on stdin is not one (and is not read into memory).
const MAX_PASSWORD_BYTES = 4096;

/**
 * The password of a password-protected `.p12` for `renew --file`, asked for only when the file
 * needs one, at most once, and never from the command line (it would stay in the shell history and
 * in the process list): with `--password-stdin`, the first line of standard input (`pass show x |
 * apns-monitor renew …`); otherwise, on a terminal, a prompt that does not echo; otherwise none.
 */
export function filePassword(io: CliIo, fromStdin: boolean, fileName: string): () => Promise<string | undefined> {
  let asked: Promise<string | undefined> | undefined;
  const ask = async (): Promise<string | undefined> => {
    if (fromStdin) {
      if (!io.readStdin) throw new AppError('cli_usage', '--password-stdin: standard input cannot be read here.');
      return (await io.readStdin(MAX_PASSWORD_BYTES)).split(/\r?\n/)[0] ?? '';
    }
    return io.askHidden?.(`Password of ${fileName}: `);
  };
  return () => (asked ??= ask());
}
