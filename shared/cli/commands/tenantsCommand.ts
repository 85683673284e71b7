import { adminConsentUrl } from '../../adapters/identity/explainers';
import { escapeLogText } from '../../adapters/notifiers/plainText';
import { tenantFor } from '../../composition/createServices';
import { AppError } from '../../domain/errors';
import { parseFlags, type CliContext } from '../flags';

/**
 * `apns-monitor tenants list | consent-url ID`: the watched tenants (APNS_TENANTS) and the link a
 * customer's administrator opens once to grant admin consent to the fleet's app (SPEC §11).
 */
export async function runTenantsCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const { positionals } = parseFlags(args, {}, true);
  const [action, id, ...extra] = positionals;
  if (extra.length > 0 || !action || !['list', 'consent-url'].includes(action)) {
    throw new AppError('cli_usage', 'Usage: apns-monitor tenants list | consent-url <tenant ID>. Tenants are added and removed in the APNS_TENANTS setting ("id=Display name", comma separated).');
  }
  const config = ctx.loadConfig();
  const consent = (tenantId: string) => {
    if (!config.entra.appClientId) throw new AppError('config_invalid', 'APNS_APP_CLIENT_ID: is required for the consent link (the multi-tenant app of the fleet).');
    return adminConsentUrl(config.entra.authorityHost, tenantId, config.entra.appClientId);
  };
  if (action === 'consent-url') {
    if (!id) throw new AppError('cli_usage', 'Usage: apns-monitor tenants consent-url <tenant ID> (a tenant you are onboarding need not be in APNS_TENANTS yet).');
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new AppError('cli_usage', `consent-url: "${id.slice(0, 64)}" is not a tenant ID.`);
    ctx.io.stdout(consent(id));
    return 0;
  }
  if (id !== undefined) tenantFor(config, id, 'tenants list', '', 'cli_usage');
  const lines = [config.fleet ? `Fleet of ${config.tenants.length} tenant${config.tenants.length === 1 ? '' : 's'} (APNS_TENANTS), home tenant ${config.tenant.id}:` : `One tenant (APNS_TENANT_ID); set APNS_TENANTS to watch a fleet:`];
  for (const t of config.tenants) {
    lines.push(`  ${t.id}  ${t.name === t.id ? '' : t.name}`.trimEnd());
    if (config.fleet && config.entra.appClientId) lines.push(`      consent: ${consent(t.id)}`);
  }
  // Names are data (a registry may hold what a customer's admin typed): each line stays one line.
  ctx.io.stdout(lines.map(escapeLogText).join('\n'));
  return 0;
}
