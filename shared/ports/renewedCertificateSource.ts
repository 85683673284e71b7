/** A secret value as stored (PEM text, base64 DER or base64 PKCS#12) and where it came from. */
export interface SecretValue {
  name: string;
  version: string;
  value: string;
  contentType: string | undefined;
}

/**
 * Where the renewed certificate waits (Key Vault). Throws AppError `secret_not_found`,
 * `secret_disabled`, `key_vault_access_denied` or `key_vault_unavailable`.
 */
export interface RenewedCertificateSource {
  /** A description without secrets, e.g. "Key Vault https://kv.vault.azure.net". */
  readonly location: string;
  fetch(name: string, version?: string): Promise<SecretValue>;
}
