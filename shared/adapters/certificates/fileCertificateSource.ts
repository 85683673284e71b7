import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { AppError } from '../../domain/errors';
import type { RenewedCertificateSource, SecretValue } from '../../ports/renewedCertificateSource';

const PKCS12 = 'application/x-pkcs12';

/**
 * The renewed certificate as a file on disk (`apns-monitor renew --file renewed.pem`): the `.pem`
 * Apple's portal gives, a DER `.cer`, or a PKCS#12 `.p12`/`.pfx`. It goes through the very same
 * checks as a Key Vault secret; binary files are handed on base64-encoded, as Key Vault would.
 * The "version" is a digest of the file, so the audit trail tells two files apart.
 */
export function createFileCertificateSource(path: string): RenewedCertificateSource {
  return {
    location: `file ${path}`,
    async fetch(): Promise<SecretValue> {
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new AppError('secret_not_found', `Cannot read the certificate file ${path} (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}).`, {
          hint: 'Give the path of the .pem file downloaded from the Apple Push Certificates Portal.',
        });
      }
      const version = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
      const text = bytes.toString('utf8');
      if (text.includes('-----BEGIN')) return { name: basename(path), version, value: text, contentType: 'application/x-pem-file' };
      const pkcs12 = /\.(p12|pfx)$/i.test(path);
      return { name: basename(path), version, value: bytes.toString('base64'), contentType: pkcs12 ? PKCS12 : undefined };
    },
  };
}
