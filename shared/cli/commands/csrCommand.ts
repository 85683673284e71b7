import { writeFileSync } from 'node:fs';
import { createRedactor } from '../../adapters/logging/redact';
import { createCsrGateway, secretsOf } from '../../composition/createServices';
import { cliLogger } from '../cliIo';
import { parseFlags, type CliContext } from '../main';

/** `apns-monitor csr [--out FILE]`: Intune's signing request for the Apple portal (stdout without --out). */
export async function runCsrCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, { out: { type: 'string' }, verbose: { type: 'boolean', default: false } });
  const config = ctx.loadConfig();
  const logger = cliLogger(ctx.io, createRedactor(secretsOf(config)), values.verbose === true);
  const gateway = await createCsrGateway(config, { logger });
  const csr = await gateway.downloadCsr();
  if (values.out) {
    writeFileSync(String(values.out), csr.endsWith('\n') ? csr : `${csr}\n`);
    ctx.io.stdout(`Wrote the certificate signing request to ${values.out}. Upload it in the Apple Push Certificates Portal (https://identity.apple.com/pushcert/) with "Renew" next to the existing certificate.`);
  } else {
    ctx.io.stdout(csr);
  }
  return 0;
}
