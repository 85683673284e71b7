import type { Redactor } from '../adapters/logging/redact';
import type { DeviceCodeSignIn } from '../composition/tenantAccess';
import type { CliIo } from './cliIo';

/**
 * The device-code sign-in as the CLI shows it: Entra's own instruction ("To sign in, use a web
 * browser to open … and enter the code …") on stderr, so stdout stays the report. The code is
 * single-use and short-lived; it is what the person must see.
 */
export function deviceCodeSignIn(io: CliIo, redact: Redactor, write: boolean): DeviceCodeSignIn {
  return {
    write,
    prompt(message) {
      io.stderr(redact(`\n${message}\n(Waiting for you to sign in; the token is kept in memory for this command only.)\n`));
    },
  };
}
