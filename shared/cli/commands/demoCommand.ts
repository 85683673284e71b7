import { runDemo } from '../../demo/runDemo';
import { AppError } from '../../domain/errors';
import { parseFlags, type CliContext } from '../flags';

/**
 * `apns-monitor demo [--serve [--port N]]`: the whole product against embedded simulated tenants;
 * with `--serve`, their status page stays up on 127.0.0.1 until Ctrl-C.
 */
export async function runDemoCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, { serve: { type: 'boolean', default: false }, port: { type: 'string' } });
  if (values.port !== undefined && !values.serve) throw new AppError('cli_usage', '--port goes with --serve (apns-monitor demo --serve --port N).');
  if (!values.serve) return runDemo({ write: (text) => ctx.io.stdout(text) });
  // Loaded only with --serve: the plain demo never loads the HTTP functions.
  const { parsePort, untilStopped } = await import('../localServer');
  const port = parsePort(values.port);
  return runDemo({ write: (text) => ctx.io.stdout(text), serve: { port, until: untilStopped, log: (text) => ctx.io.stderr(text) } });
}
