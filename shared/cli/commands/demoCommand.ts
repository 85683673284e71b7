import { runDemo } from '../../demo/runDemo';
import { parseFlags, type CliContext } from '../flags';

/** `apns-monitor demo`: the whole product against the embedded simulated tenant. */
export async function runDemoCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  parseFlags(args, {});
  return runDemo({ write: (text) => ctx.io.stdout(text) });
}
