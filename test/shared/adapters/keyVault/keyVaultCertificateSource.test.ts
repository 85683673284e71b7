import { createKeyVaultCertificateSource } from '../../../../shared/adapters/keyVault/keyVaultCertificateSource';
import type { RenewedCertificateSource } from '../../../../shared/ports/renewedCertificateSource';
import { startKeyVaultSimulator, type KeyVaultSimulator } from '../../../../shared/simulator/keyVaultSimulator';
import { installLoopbackDns } from '../../../../shared/simulator/loopbackDns';
import { loopbackTls } from '../../../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../../../support/tenantHarness';

let h: TenantHarness;
let kv: KeyVaultSimulator;
let source: RenewedCertificateSource;

beforeAll(async () => {
  installLoopbackDns();
  h = await startTenantHarness();
  kv = await startKeyVaultSimulator({ tls: loopbackTls(), tenantId: h.identity.tenantId });
  // The real SecretClient with challenge-resource verification ON (production's setting).
  source = createKeyVaultCertificateSource({ vaultUrl: kv.vaultUrl, credential: h.credential() });
});
afterAll(async () => {
  await Promise.all([h.close(), kv.close()]);
});

describe('keyVaultCertificateSource (real SecretClient, 401 challenge, managed identity)', () => {
  test('when the secret exists, it answers its latest value after the 401 challenge, with a token for the vault resource', async () => {
    const v1 = kv.setSecret('apns-certificate', 'first');
    const v2 = kv.setSecret('apns-certificate', 'second', { contentType: 'application/x-pem-file' });
    await expect(source.fetch('apns-certificate')).resolves.toEqual({ name: 'apns-certificate', version: v2, value: 'second', contentType: 'application/x-pem-file' });
    await expect(source.fetch('apns-certificate', v1)).resolves.toMatchObject({ version: v1, value: 'first' });
    expect(kv.requests[0]).toMatchObject({ authorized: false, status: 401 });
    expect(h.identity.requests.map((r) => r.resource)).toContain('https://localhost');
  });

  test('when the secret is missing, it is secret_not_found naming the vault and the secret', async () => {
    await expect(source.fetch('nope')).rejects.toMatchObject({ code: 'secret_not_found', message: `There is no secret "nope" in Key Vault ${kv.vaultUrl}.` });
  });

  test('when the version is unknown, it is secret_not_found naming the version', async () => {
    kv.setSecret('s1', 'x');
    await expect(source.fetch('s1', 'ffffffffffffffffffffffffffffffff')).rejects.toMatchObject({ code: 'secret_not_found' });
  });

  test('when the secret is disabled, it is secret_disabled', async () => {
    kv.setSecret('off', 'x');
    kv.setEnabled('off', false);
    await expect(source.fetch('off')).rejects.toMatchObject({ code: 'secret_disabled' });
  });

  test('when RBAC denies the identity, it is key_vault_access_denied with the role to grant', async () => {
    kv.setSecret('rbac', 'x');
    kv.failNext(403, 1, 'ForbiddenByRbac');
    const error = await source.fetch('rbac').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'key_vault_access_denied' });
    expect((error as { hint: string }).hint).toContain('Key Vault Secrets User');
  });
});
