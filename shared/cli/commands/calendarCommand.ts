import { loadCalendar } from '../../composition/createServices';
import { createHomeCredential } from '../../composition/tenantAccess';
import { parseFlags, type CliContext } from '../flags';
import { resolveStateFile } from '../stateFile';

/**
 * `apns-monitor calendar [--tenant ID]... [--state-file PATH]`: the expiry calendar (RFC 5545) of the
 * watched tenants from stored state, on stdout (`> expiries.ics`, then import it in a calendar).
 */
export async function runCalendarCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, { tenant: { type: 'string', multiple: true }, 'state-file': { type: 'string' } });
  const config = ctx.loadConfig();
  const stateFile = resolveStateFile(config, ctx.env, values['state-file']);
  const feed = await loadCalendar(config, await createHomeCredential(config), { stateFile, tenants: values.tenant ?? [], flag: '--tenant ID', code: 'cli_usage' });
  (ctx.io.stdoutData ?? ctx.io.stdout)(feed);
  return 0;
}
