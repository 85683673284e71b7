import { generateKeyPairSync, randomBytes, randomUUID, sign, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

/**
 * Throw-away certificates for the tests and the demo: a CA for loopback HTTPS, server certificates
 * it signs, and Apple-shaped APNs certificates (`UID=com.apple.mgmt.External.<uuid>, CN=APSP:<uuid>,
 * C=US`). Keys come from node:crypto (fast, native); node-forge only signs and encodes.
 */
export interface KeyAndCert {
  certPem: string;
  keyPem: string;
}

const UID_OID = '0.9.2342.19200300.100.1.1';
const DAY = 86_400_000;

function newKeys(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), keyPem };
}

/**
 * Signs with node:crypto: forge's pure-JS RSA signing takes most of a second per certificate;
 * the native one takes a millisecond. Same bytes as forge's cert.sign(key, sha256).
 */
function signCertificate(cert: forge.pki.Certificate, issuerKeyPem: string): void {
  cert.md = forge.md.sha256.create();
  cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption as string;
  cert.siginfo.algorithmOid = cert.signatureOid;
  // getTBSCertificate exists in node-forge but is missing from its type definitions.
  const pki = forge.pki as typeof forge.pki & { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 };
  const tbs = forge.asn1.toDer(pki.getTBSCertificate(cert)).getBytes();
  cert.signature = sign('sha256', Buffer.from(tbs, 'binary'), issuerKeyPem).toString('binary');
}

let leafKeys: ReturnType<typeof newKeys> | undefined;
/** One key for every Apple-shaped certificate of a process: the tests never look at it. */
function appleLeafKeys(): ReturnType<typeof newKeys> {
  leafKeys ??= newKeys();
  return leafKeys;
}

function serialHex(): string {
  // Positive: the first byte's high bit clear.
  const bytes = randomBytes(8);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

export function createTestCa(commonName = 'intune-apns-monitor test CA'): KeyAndCert {
  const keys = newKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialHex();
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + 3650 * DAY);
  const attrs = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'intune-apns-monitor tests' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signCertificate(cert, keys.keyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

/** A TLS server certificate for DNS names (wildcards allowed) and IP addresses. */
export function issueServerCertificate(ca: KeyAndCert, hosts: readonly string[]): KeyAndCert {
  const keys = newKeys();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialHex();
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + 365 * DAY);
  cert.setSubject([{ name: 'commonName', value: hosts[0] ?? 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 7, ip: h } : { type: 2, value: h }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
  signCertificate(cert, ca.keyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

let appleCa: KeyAndCert | undefined;
/** Stands in for "Apple Application Integration 2 Certification Authority" (made once per process). */
function appleIssuer(): KeyAndCert {
  appleCa ??= createTestCa('Apple Application Integration 2 Certification Authority (test)');
  return appleCa;
}

export interface AppleCertificateOptions {
  /** The UUID of the topic `com.apple.mgmt.External.<uuid>` (random when absent). */
  uuid?: string;
  /** A full topic; overrides `uuid`. */
  topic?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** Hex serial; random when absent. */
  serialNumber?: string;
  /** Replace the subject entirely (to make a certificate that is not an APNs one). */
  subject?: { name?: string; type?: string; value: string }[];
}

export interface AppleCertificate extends KeyAndCert {
  topic: string;
  /** Uppercase hex without leading zeros, as Intune reports `certificateSerialNumber`. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  derBase64: string;
}

export function createAppleCertificate(options: AppleCertificateOptions = {}): AppleCertificate {
  const issuer = appleIssuer();
  const keys = appleLeafKeys();
  const uuid = options.uuid ?? randomUUID().toUpperCase();
  const topic = options.topic ?? `com.apple.mgmt.External.${uuid}`;
  const notBefore = options.notBefore ?? new Date(Date.now() - DAY);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 365 * DAY);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = (options.serialNumber ?? serialHex()).toLowerCase();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject(
    options.subject ?? [
      { type: UID_OID, value: topic },
      { name: 'commonName', value: `APSP:${uuid.toLowerCase()}` },
      { name: 'countryName', value: 'US' },
    ],
  );
  cert.setIssuer(forge.pki.certificateFromPem(issuer.certPem).subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  signCertificate(cert, issuer.keyPem);
  const certPem = forge.pki.certificateToPem(cert);
  const x509 = new X509Certificate(certPem);
  return {
    certPem,
    keyPem: keys.keyPem,
    topic,
    serialNumber: x509.serialNumber.replace(/^0+(?=.)/, '').toUpperCase(),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    derBase64: x509.raw.toString('base64'),
  };
}

/** A PKCS#12 as Key Vault stores certificate-backed secrets (base64; empty password by default). */
export function toPkcs12Base64(cert: KeyAndCert, options: { password?: string; includeKey?: boolean; chain?: string[] } = {}): string {
  const certs = [forge.pki.certificateFromPem(cert.certPem), ...(options.chain ?? []).map((p) => forge.pki.certificateFromPem(p))];
  const key = options.includeKey === false ? null : forge.pki.privateKeyFromPem(cert.keyPem);
  const p12 = forge.pkcs12.toPkcs12Asn1(key, certs, options.password ?? '', { algorithm: '3des', friendlyName: 'apns' });
  return forge.util.encode64(forge.asn1.toDer(p12).getBytes());
}
