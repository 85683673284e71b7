import { SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';
import type { TokenCredential } from '@azure/identity';
import { AppError } from '../../domain/errors';
import { SECRET_NAME } from '../../domain/renewal';
import type { RenewedCertificateSource, SecretValue } from '../../ports/renewedCertificateSource';

/**
 * The renewed certificate as a Key Vault secret (`APNS_KEY_VAULT_URL`). The identity needs
 * "Key Vault Secrets User". Messages name the vault and the secret, never the value.
 */
export function createKeyVaultCertificateSource(options: { vaultUrl: string; credential: TokenCredential; clientOptions?: SecretClientOptions }): RenewedCertificateSource {
  const client = new SecretClient(options.vaultUrl, options.credential, options.clientOptions);
  const location = `Key Vault ${options.vaultUrl}`;
  return {
    location,
    async fetch(name: string, version?: string): Promise<SecretValue> {
      const label = `secret "${name}"${version ? ` version ${version}` : ''}`;
      // A request's own secretName is checked with the request; a name that reaches here invalid was
      // composed: in a fleet, <APNS_CERT_SECRET_NAME>-<tenantId>. Key Vault would answer 400, which must
      // not read as a retriable outage: refuse before any request, and say how to fix it.
      if (!SECRET_NAME.test(name)) {
        throw new AppError('config_invalid', `The renewal secret name "${name.slice(0, 200)}" is not a valid Key Vault secret name (1–127 letters, digits or "-").`, {
          hint: 'In a fleet it is <APNS_CERT_SECRET_NAME>-<tenantId>: list the tenant by its tenant ID (a GUID) in APNS_TENANTS rather than a domain name, or name the secret in the request (secretName / --secret).',
        });
      }
      try {
        const secret = await client.getSecret(name, version ? { version } : {});
        if (secret.properties.enabled === false) throw disabled(label, location);
        if (typeof secret.value !== 'string') throw new AppError('secret_not_found', `The ${label} in ${location} has no value.`);
        return { name, version: secret.properties.version ?? version ?? '', value: secret.value, contentType: secret.properties.contentType };
      } catch (error) {
        if (error instanceof AppError) throw error;
        const status = (error as { statusCode?: number }).statusCode;
        const code = (error as { code?: string }).code ?? '';
        const inner = JSON.stringify((error as { details?: unknown }).details ?? '');
        if (status === 404) {
          throw new AppError('secret_not_found', `There is no ${label} in ${location}.`, { hint: 'Store the renewed .pem there first (see README "Renewal runbook"), or pass the secret name.' });
        }
        if (status === 403 && (/SecretDisabled/i.test(inner) || /disabled/i.test((error as Error).message ?? ''))) throw disabled(label, location);
        if (status === 401 || status === 403) {
          throw new AppError('key_vault_access_denied', `${location} denied access to the ${label} (${status}${code ? ` ${code}` : ''}).`, {
            hint: 'Give the Function App\'s managed identity the "Key Vault Secrets User" role on the vault (infra/ does it).',
          });
        }
        throw new AppError('key_vault_unavailable', `${location} could not be read (${status ?? (error as Error)?.name ?? 'network error'}).`, { retriable: true, cause: error });
      }
    },
  };
}

function disabled(label: string, location: string): AppError {
  return new AppError('secret_disabled', `The ${label} in ${location} is disabled.`, { hint: 'Enable it (or the version you mean) in Key Vault, then try again.' });
}
