import { readFileSync } from 'node:fs';

/** The server certificate and key (signed by the test CA) for loopback HTTPS simulators. */
export function loopbackTls(): { cert: string; key: string } {
  const certPath = process.env.APNS_TEST_SERVER_CERT;
  const keyPath = process.env.APNS_TEST_SERVER_KEY;
  if (!certPath || !keyPath) throw new Error('The test CA is missing: run the tests through Jest (test/support/globalSetup.ts).');
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}
