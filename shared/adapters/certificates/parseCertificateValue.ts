import { X509Certificate } from 'node:crypto';
import type { CandidateCertificate } from '../../domain/renewal';
import { AppError } from '../../domain/errors';

/**
 * Step 3: turns a Key Vault secret value into the certificate to upload. Accepted: PEM text (a
 * chain and a private key may come with it), base64 DER, and base64 PKCS#12 (`application/x-pkcs12`,
 * how Key Vault stores certificate-backed secrets), from which the leaf is taken. Private keys are
 * dropped here and never returned, logged or sent; the message of a refusal never quotes the value.
 */
const PKCS12 = 'application/x-pkcs12';
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const UID_NAMES = ['UID', '0.9.2342.19200300.100.1.1'];

function unreadable(why: string): AppError {
  return new AppError('certificate_unreadable', `The secret value is not a readable X.509 certificate: ${why}.`, {
    hint: 'Store the .pem file from the Apple Push Certificates Portal as the secret value (PEM text), or import it as a Key Vault certificate.',
  });
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

function fromPkcs12(bytes: Buffer): X509Certificate {
  // node-forge: the maintained pure-JS PKCS#12 reader (node:crypto cannot read PKCS#12 without
  // a password-aware PFX API); loaded only on this path.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const forge = require('node-forge') as typeof import('node-forge');
  let p12: import('node-forge').pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, ''); // Key Vault exports with an empty password
  } catch {
    throw unreadable('it is not a PKCS#12 file without a password');
  }
  const certBag = forge.pki.oids.certBag as string;
  const bags: import('node-forge').pkcs12.Bag[] = p12.getBags({ bagType: certBag })[certBag] ?? [];
  const certs = bags
    .map((b) => (b.cert ? parse(Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(b.cert)).getBytes(), 'binary')) : undefined))
    .filter((c): c is X509Certificate => !!c);
  const leaf = leafOf(certs);
  if (!leaf) throw unreadable('the PKCS#12 file holds no certificate');
  return leaf;
}

export function parseCertificateValue(value: string, contentType: string | undefined): CandidateCertificate {
  const text = value.trim();
  if (text.length === 0) throw unreadable('the secret is empty');
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
    if (!leaf) throw unreadable('it holds no PEM certificate block');
    return toCandidate(leaf);
  }
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw unreadable('it is neither PEM text nor base64');
  const bytes = Buffer.from(compact, 'base64');
  if (contentType?.toLowerCase() === PKCS12) return toCandidate(fromPkcs12(bytes));
  const der = parse(bytes);
  if (der) return toCandidate(der);
  // A PKCS#12 stored without its content type still deserves a try.
  return toCandidate(fromPkcs12(bytes));
}
