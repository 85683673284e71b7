import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestCa, issueServerCertificate } from '../../shared/simulator/certificates';

export interface TestCaFiles {
  caCertPath: string;
  serverCertPath: string;
  serverKeyPath: string;
}

/** The loopback names every simulator and receiver answers on. */
export const LOOPBACK_HOSTS = ['localhost', '*.localhost', 'vault.localhost', '127.0.0.1', '::1'];

/** Makes the throw-away CA and one loopback server certificate, shared by every test process. */
export async function setupTestCa(dir: string): Promise<TestCaFiles> {
  const ca = createTestCa();
  const server = issueServerCertificate(ca, LOOPBACK_HOSTS);
  const files = { caCertPath: join(dir, 'ca.pem'), serverCertPath: join(dir, 'server.pem'), serverKeyPath: join(dir, 'server-key.pem') };
  writeFileSync(files.caCertPath, ca.certPem);
  writeFileSync(files.serverCertPath, server.certPem);
  writeFileSync(files.serverKeyPath, server.keyPem, { mode: 0o600 });
  return files;
}
