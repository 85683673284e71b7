import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { basename } from 'node:path';
import { AppError } from '../../domain/errors';
import type { RenewedCertificateSource, SecretValue } from '../../ports/renewedCertificateSource';
import { pkcs12NeedsPassword } from './parseCertificateValue';

const PKCS12 = 'application/x-pkcs12';

/**
 * The largest file read: a renewed certificate is ~2 KB of PEM (a few KB with a chain and a key),
 * and the renewal's other source, a Key Vault secret, holds at most 25 KB ("a maximum size of 25 KB
 * each", learn.microsoft.com/azure/key-vault/secrets/about-secrets). A bigger file is not one.
 */
export const MAX_CERTIFICATE_FILE_BYTES = 25 * 1024;

export interface FileCertificateSourceOptions {
  /**
   * The password of a password-protected PKCS#12 file, asked for only when the file needs one
   * (`--password-stdin`, or a prompt without echo on a terminal); undefined: none can be had.
   */
  password?: () => Promise<string | undefined>;
}

function refuse(path: string, why: string, hint = 'Give the path of the .pem file the Apple Push Certificates Portal returned (PEM, DER or PKCS#12).'): AppError {
  return new AppError('certificate_file_unreadable', `Cannot read the certificate file ${path}: ${why}.`, { hint });
}

function notAFile(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'it is a directory, not a file';
  if (stats.isFIFO()) return 'it is a FIFO (named pipe), not a file';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return `it is a ${stats.isCharacterDevice() ? 'character' : 'block'} device, not a file`;
  if (stats.isSocket()) return 'it is a socket, not a file';
  return 'it is not a regular file';
}

/**
 * Reads at most the bound from a regular file. Opened without blocking (a FIFO with no writer
 * would otherwise hang the open itself) and checked on the open descriptor, so what is read is
 * what was checked; reading stops one byte past the bound in case the file grew meanwhile.
 */
function readBounded(path: string): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK does not exist on Windows (0 there): no FIFOs to fear on that path anyway.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw refuse(path, code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory, not a file' : (code ?? 'unreadable'));
  }
  try {
    const stats = fstatSync(fd);
    const why = notAFile(stats);
    if (why) throw refuse(path, why);
    const tooBig = (size: number) => refuse(path, `it is ${size} bytes: larger than the ${MAX_CERTIFICATE_FILE_BYTES} a renewed certificate can be`);
    if (stats.size > MAX_CERTIFICATE_FILE_BYTES) throw tooBig(stats.size);
    const buffer = Buffer.alloc(MAX_CERTIFICATE_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > MAX_CERTIFICATE_FILE_BYTES) throw tooBig(length);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * The renewed certificate as a file on disk (`apns-monitor renew --file renewed.pem`): the `.pem`
 * Apple's portal gives, a DER `.cer`, or a PKCS#12 `.p12`/`.pfx` (with its password if it has one).
 * It goes through the very same checks as a Key Vault secret; binary files are handed on
 * base64-encoded, as Key Vault would. The "version" is a digest of the file, so the audit trail
 * tells two files apart. Only a regular file of at most 25 KB is read.
 */
export function createFileCertificateSource(path: string, options: FileCertificateSourceOptions = {}): RenewedCertificateSource {
  return {
    location: `file ${path}`,
    kind: 'file',
    async fetch(): Promise<SecretValue> {
      const bytes = readBounded(path);
      const name = basename(path);
      const version = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
      const text = bytes.toString('utf8');
      if (text.includes('-----BEGIN')) return { name, version, value: text, contentType: 'application/x-pem-file' };
      const pkcs12 = /\.(p12|pfx)$/i.test(path);
      const value: SecretValue = { name, version, value: bytes.toString('base64'), contentType: pkcs12 ? PKCS12 : undefined };
      if (!pkcs12 || !pkcs12NeedsPassword(bytes)) return value;
      const password = await options.password?.();
      if (password === undefined) {
        throw refuse(path, 'it is a PKCS#12 file protected by a password', 'Give the password on standard input with --password-stdin (e.g. piped from your password manager), or run the command in a terminal to be asked for it.');
      }
      return { ...value, password };
    },
  };
}
