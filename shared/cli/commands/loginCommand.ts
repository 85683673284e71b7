import { createRedactor } from '../../adapters/logging/redact';
import { escapeLogText } from '../../adapters/notifiers/plainText';
import { accessOf, createGateway, secretsOf, tenantFor } from '../../composition/createServices';
import { describeExpiry } from '../../domain/assessExpiry';
import { describeTenant } from '../../domain/describeTenant';
import { formatUtc } from '../../domain/graphDateTime';
import { cliLogger } from '../cliIo';
import { deviceCodeSignIn } from '../deviceCode';
import { parseFlags, type CliContext } from '../flags';

/**
 * `apns-monitor login`: a person signs in with a device code (delegated
 * DeviceManagementServiceConfig.Read.All) and sees at once whether Intune can be read. Nothing is
 * written to disk: the token lives in this process only, so other commands take `--device-code`.
 */
export async function runLoginCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, { tenant: { type: 'string' }, verbose: { type: 'boolean', default: false } });
  const config = ctx.loadConfig();
  const tenant = tenantFor(config, values.tenant, 'login', '--tenant ID', 'cli_usage');
  const redact = createRedactor(secretsOf(config));
  const logger = cliLogger(ctx.io, redact, values.verbose === true);
  const access = await accessOf(config, { logger, env: ctx.env, deviceCode: deviceCodeSignIn(ctx.io, redact, false) });
  const signIn = access.forTenant(tenant);
  const gateway = await createGateway(config, signIn, logger);
  const cert = await gateway.getApnsCertificate();
  const user = (signIn.credential as { lastUser?: () => string | undefined }).lastUser?.() ?? 'you';
  const lines = [`Signed in to ${describeTenant(tenant.id, tenant.name)} as ${user}; Intune can be read.`];
  if (!cert) lines.push('Intune has no Apple MDM push certificate in this tenant.');
  else {
    lines.push(
      `The Apple MDM push certificate expires ${describeExpiry(cert.expirationDateTime, Date.now())} (${formatUtc(cert.expirationDateTime)}): topic ${cert.topicIdentifier}, Apple ID ${cert.appleIdentifier || '(none recorded)'}, serial ${cert.certificateSerialNumber}.`,
    );
  }
  lines.push('', 'Next: "apns-monitor check --device-code" for the full check, "apns-monitor renew --file renewed.pem --dry-run --device-code" to check a renewed .pem. The sign-in is not kept after this command.');
  // The user and the certificate's text come from Entra and Graph: each line stays one line.
  ctx.io.stdout(redact(lines.map(escapeLogText).join('\n')));
  return 0;
}
