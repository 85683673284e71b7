/** A secret value as stored (PEM text, base64 DER or base64 PKCS#12) and where it came from. */
export interface SecretValue {
  name: string;
  version: string;
  value: string;
  contentType: string | undefined;
  /** A password-protected PKCS#12 only: what opens it (given by the person, never logged or stored). */
  password?: string;
}

/**
 * Where the renewed certificate waits: Key Vault (throws AppError `secret_not_found`,
 * `secret_disabled`, `key_vault_access_denied` or `key_vault_unavailable`), or a file on disk
 * (throws `certificate_file_unreadable`).
 */
export interface RenewedCertificateSource {
  /** A description without secrets, e.g. "Key Vault https://kv.vault.azure.net". */
  readonly location: string;
  /** What the checks and refusals call it: a Key Vault secret (the default), or a file on disk (`renew --file`). */
  readonly kind?: 'secret' | 'file';
  fetch(name: string, version?: string): Promise<SecretValue>;
}
