import { X509Certificate } from 'node:crypto';
import type { CandidateCertificate } from '../../domain/renewal';
import { AppError } from '../../domain/errors';

/**
 * Step 3: turns a Key Vault secret value (or a file's content) into the certificate to upload.
 * Accepted: PEM text (a chain and a private key may come with it), base64 DER, and base64 PKCS#12
 * (`application/x-pkcs12`, how Key Vault stores certificate-backed secrets, with an empty password;
 * a file's with the password the person gave), from which the leaf is taken. Private keys are
 * dropped here and never returned, logged or sent; the message of a refusal never quotes the value.
 */
const PKCS12 = 'application/x-pkcs12';
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const UID_NAMES = ['UID', '0.9.2342.19200300.100.1.1'];

export interface ParseOptions {
  /** Where the value came from, for the words of a refusal (default: a Key Vault secret). */
  kind?: 'secret' | 'file';
  /** A PKCS#12's password (a file's; Key Vault's exports have none). */
  password?: string;
}

function unreadable(why: string, kind: ParseOptions['kind']): AppError {
  return kind === 'file'
    ? new AppError('certificate_unreadable', `The file is not a readable X.509 certificate: ${why}.`, { hint: 'Give the .pem file the Apple Push Certificates Portal returned (PEM, DER, or PKCS#12 with its password).' })
    : new AppError('certificate_unreadable', `The secret value is not a readable X.509 certificate: ${why}.`, { hint: 'Store the .pem file from the Apple Push Certificates Portal as the secret value (PEM text).' });
}

function uidOf(cert: X509Certificate): string | undefined {
  for (const line of cert.subject.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0 && UID_NAMES.includes(line.slice(0, i))) return line.slice(i + 1);
  }
  return undefined;
}

function toCandidate(cert: X509Certificate): CandidateCertificate {
  return {
    subjectUid: uidOf(cert),
    subject: cert.subject.replace(/\n/g, ', '),
    serialNumber: cert.serialNumber.replace(/^0+(?=.)/, '').toUpperCase(),
    notBefore: Date.parse(cert.validFrom),
    notAfter: Date.parse(cert.validTo),
    pem: cert.toString(),
  };
}

/** Among several certificates, the leaf: not a CA, preferring the one with an APNs topic. */
function leafOf(certs: X509Certificate[]): X509Certificate | undefined {
  return certs.find((c) => uidOf(c)?.startsWith('com.apple.mgmt.')) ?? certs.find((c) => !c.ca) ?? certs[0];
}

function parse(der: Buffer): X509Certificate | undefined {
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
}

type Forge = typeof import('node-forge');

// node-forge: the maintained pure-JS PKCS#12 reader (node:crypto cannot read PKCS#12 without
// a password-aware PFX API); loaded only on this path.
function forge(): Forge {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('node-forge') as Forge;
}

// node-forge's words when the integrity MAC does not verify with the password given.
const WRONG_PASSWORD = /MAC could not be verified|Invalid password/i;

function readPkcs12(bytes: Buffer, password: string): import('node-forge').pkcs12.Pkcs12Pfx {
  const f = forge();
  return f.pkcs12.pkcs12FromAsn1(f.asn1.fromDer(f.util.createBuffer(bytes.toString('binary'))), false, password);
}

/** True when these PKCS#12 bytes do not open without a password (a file exported with one). */
export function pkcs12NeedsPassword(bytes: Buffer): boolean {
  try {
    readPkcs12(bytes, '');
    return false;
  } catch (error) {
    return WRONG_PASSWORD.test((error as Error).message);
  }
}

function fromPkcs12(bytes: Buffer, options: ParseOptions): X509Certificate {
  let p12: import('node-forge').pkcs12.Pkcs12Pfx;
  try {
    p12 = readPkcs12(bytes, options.password ?? '');
  } catch (error) {
    if (!WRONG_PASSWORD.test((error as Error).message)) throw unreadable('it is neither PEM, DER nor PKCS#12', options.kind);
    throw unreadable(options.password === undefined ? 'it is a PKCS#12 file protected by a password' : 'the password given does not open this PKCS#12 file', options.kind);
  }
  const f = forge();
  const certBag = f.pki.oids.certBag as string;
  const bags: import('node-forge').pkcs12.Bag[] = p12.getBags({ bagType: certBag })[certBag] ?? [];
  const certs = bags
    .map((b) => (b.cert ? parse(Buffer.from(f.asn1.toDer(f.pki.certificateToAsn1(b.cert)).getBytes(), 'binary')) : undefined))
    .filter((c): c is X509Certificate => !!c);
  const leaf = leafOf(certs);
  if (!leaf) throw unreadable('the PKCS#12 file holds no certificate', options.kind);
  return leaf;
}

export function parseCertificateValue(value: string, contentType: string | undefined, options: ParseOptions = {}): CandidateCertificate {
  const text = value.trim();
  if (text.length === 0) throw unreadable('it is empty', options.kind);
  if (text.includes('-----BEGIN')) {
    const blocks = text.match(PEM_BLOCK) ?? [];
    const certs = blocks.map((b) => {
      try {
        return new X509Certificate(b);
      } catch {
        return undefined;
      }
    }).filter((c): c is X509Certificate => !!c);
    const leaf = leafOf(certs);
    if (!leaf) throw unreadable('it holds no PEM certificate block', options.kind);
    return toCandidate(leaf);
  }
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw unreadable('it is neither PEM text nor base64', options.kind);
  const bytes = Buffer.from(compact, 'base64');
  if (contentType?.toLowerCase() === PKCS12) return toCandidate(fromPkcs12(bytes, options));
  const der = parse(bytes);
  if (der) return toCandidate(der);
  // A PKCS#12 stored without its content type still deserves a try.
  return toCandidate(fromPkcs12(bytes, options));
}
