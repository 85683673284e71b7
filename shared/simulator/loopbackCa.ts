import tls from 'node:tls';
import { createTestCa, issueServerCertificate } from './certificates';

/**
 * A CA made for this process only, trusted in-process, and a server certificate for the loopback
 * names every simulator answers on. For the demo and the benchmarks (the tests use a CA made in
 * Jest's globalSetup instead). Needs Node.js ≥ 22.19 (tls.setDefaultCACertificates).
 */
export function trustLoopbackCa(name = 'intune-apns-monitor loopback CA (this process only)'): { cert: string; key: string } {
  if (typeof tls.setDefaultCACertificates !== 'function') {
    throw new Error('This needs Node.js 22.19 or later (tls.setDefaultCACertificates).');
  }
  const ca = createTestCa(name);
  const server = issueServerCertificate(ca, ['localhost', '*.localhost', 'vault.localhost', '127.0.0.1']);
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), ca.certPem]);
  return { cert: server.certPem, key: server.keyPem };
}
