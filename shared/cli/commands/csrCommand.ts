import { writeFileSync } from 'node:fs';
import { createRedactor } from '../../adapters/logging/redact';
import { createCsrGateway, secretsOf, watchedTenantFor } from '../../composition/createServices';
import { cliLogger } from '../cliIo';
import { deviceCodeSignIn } from '../deviceCode';
import { parseFlags, type CliContext } from '../flags';
import { watchedConfigLoader } from '../stateFile';

/** `apns-monitor csr [--tenant ID] [--out FILE]`: Intune's signing request for the Apple portal (stdout without --out). */
export async function runCsrCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, {
    out: { type: 'string' },
    tenant: { type: 'string' },
    'state-file': { type: 'string' },
    'device-code': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  });
  const config = ctx.loadConfig();
  const tenant = await watchedTenantFor(config, values.tenant, 'csr', '--tenant ID', watchedConfigLoader(config, ctx.env, values['state-file']), 'cli_usage');
  const redact = createRedactor(secretsOf(config));
  const logger = cliLogger(ctx.io, redact, values.verbose === true);
  const gateway = await createCsrGateway(config, { logger, env: ctx.env, ...(values['device-code'] ? { deviceCode: deviceCodeSignIn(ctx.io, redact, true) } : {}) }, tenant);
  const csr = await gateway.downloadCsr();
  if (values.out) {
    writeFileSync(String(values.out), csr.endsWith('\n') ? csr : `${csr}\n`);
    const of = config.fleet ? ` of ${tenant.name} (${tenant.id})` : '';
    ctx.io.stdout(`Wrote the certificate signing request${of} to ${values.out}. Upload it in the Apple Push Certificates Portal (https://identity.apple.com/pushcert/) with "Renew" next to the existing certificate.`);
  } else {
    // Line breaks as a terminal and a redirected file expect them (the terminal guard shows any CR).
    ctx.io.stdout(csr.replace(/\r\n?/g, '\n'));
  }
  return 0;
}
