/**
 * Self-signed X.509 v3 certificates for any key type the protocol meets
 * (RSA, ECDSA P-256, Ed25519). node-forge's pki only handles RSA keys, so we
 * encode the certificate with forge's ASN.1 writer and sign with node:crypto.
 * Subject attribute order and the SAN list are the caller's, which lets the
 * conformance suite build "email in CN only", "emailAddress before CN", ...
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;

export type KeyType = 'rsa-2048' | 'ecdsa-p256' | 'ed25519';

export interface SubjectAttribute {
  field: 'CN' | 'emailAddress' | 'O' | 'OU';
  value: string;
}

export interface CertificateRequest {
  keyType?: KeyType;
  subject: SubjectAttribute[];
  sanEmails?: string[];
  sanDnsNames?: string[];
  sanIpAddresses?: string[];
  notBeforeMs: number;
  notAfterMs: number;
  /** Extended key usage: client certificates for peers, server for the relay. */
  usage: 'client' | 'server';
  /** Serial as hex; random if omitted. */
  serialHex?: string;
}

export interface IssuedCertificate {
  certificatePem: string;
  privateKeyPem: string;
  fingerprintSha256: string;
  keyType: KeyType;
}

const OID = {
  CN: '2.5.4.3',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  emailAddress: '1.2.840.113549.1.9.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ed25519: '1.3.101.112',
  basicConstraints: '2.5.29.19',
  subjectAltName: '2.5.29.17',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

export function generateKey(keyType: KeyType): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (keyType) {
    case 'rsa-2048':
      return generateKeyPairSync('rsa', { modulusLength: 2048 });
    case 'ecdsa-p256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'ed25519':
      return generateKeyPairSync('ed25519');
  }
}

export function issueSelfSigned(request: CertificateRequest): IssuedCertificate {
  const keyType = request.keyType ?? 'rsa-2048';
  const { privateKey, publicKey } = generateKey(keyType);
  const der = signCertificate(request, keyType, privateKey, publicKey);
  return {
    certificatePem: toPem('CERTIFICATE', der),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    fingerprintSha256: createHash('sha256').update(der).digest('hex'),
    keyType,
  };
}

/** Re-issue a certificate for an existing key (e.g. a second cert, same key). */
export function signCertificate(request: CertificateRequest, keyType: KeyType, privateKey: KeyObject, publicKey: KeyObject): Buffer {
  const algorithm = signatureAlgorithm(keyType);
  const tbs = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [integer('02')]),
    integer(request.serialHex ?? randomSerialHex()),
    algorithm,
    encodeName(request.subject),
    encodeValidity(request.notBeforeMs, request.notAfterMs),
    encodeName(request.subject),
    asn1.fromDer(binary(publicKey.export({ type: 'spki', format: 'der' }))),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 3, true, [encodeExtensions(request)]),
  ]);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign(keyType === 'ed25519' ? null : 'sha256', tbsDer, privateKey);
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    signatureAlgorithm(keyType),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\x00${binary(signature)}`),
  ]);
  return Buffer.from(asn1.toDer(certificate).getBytes(), 'binary');
}

export function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function signatureAlgorithm(keyType: KeyType): forge.asn1.Asn1 {
  const oid = keyType === 'rsa-2048' ? OID.sha256WithRSA : keyType === 'ecdsa-p256' ? OID.ecdsaWithSHA256 : OID.ed25519;
  const parts = [objectId(oid)];
  // RFC 4055: RSA signature algorithms carry an explicit NULL; ECDSA and Ed25519 carry none.
  if (keyType === 'rsa-2048') parts.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''));
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts);
}

function encodeName(attributes: SubjectAttribute[]): forge.asn1.Asn1 {
  return asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.SEQUENCE,
    true,
    attributes.map(({ field, value }) =>
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
          objectId(OID[field]),
          field === 'emailAddress'
            ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.IA5STRING, false, value)
            : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, forge.util.encodeUtf8(value)),
        ]),
      ]),
    ),
  );
}

function encodeValidity(notBeforeMs: number, notAfterMs: number): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [encodeTime(notBeforeMs), encodeTime(notAfterMs)]);
}

function encodeTime(ms: number): forge.asn1.Asn1 {
  const date = new Date(ms);
  // RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  return date.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function encodeExtensions(request: CertificateRequest): forge.asn1.Asn1 {
  const names: forge.asn1.Asn1[] = [
    ...(request.sanEmails ?? []).map((e) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 1, false, e)),
    ...(request.sanDnsNames ?? []).map((d) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, d)),
    ...(request.sanIpAddresses ?? []).map((ip) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 7, false, ipBytes(ip))),
  ];
  const extensions = [
    extension(OID.basicConstraints, true, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [])),
    extension(
      OID.extKeyUsage,
      false,
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [objectId(request.usage === 'server' ? OID.serverAuth : OID.clientAuth)]),
    ),
  ];
  if (names.length > 0) {
    extensions.push(extension(OID.subjectAltName, false, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, names)));
  }
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, extensions);
}

function extension(oid: string, critical: boolean, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  const parts = [objectId(oid)];
  if (critical) parts.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, '\xff'));
  parts.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(value).getBytes()));
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts);
}

function objectId(oid: string): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes());
}

/**
 * A non-negative DER INTEGER: minimal, so no leading 0x00 unless the next
 * byte has its high bit set (X.690 8.3.2). A random 16-byte serial starting
 * with two zero bytes (1 in 65,536) was written with them kept, and OpenSSL
 * refused the certificate ("illegal padding").
 */
function integer(hex: string): forge.asn1.Asn1 {
  const even = hex.length % 2 === 0 ? hex : `0${hex}`;
  const minimal = even.replace(/^(?:00)+(?=..)/, '');
  const positive = parseInt(minimal.slice(0, 2), 16) >= 0x80 ? `00${minimal}` : minimal;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, forge.util.hexToBytes(positive));
}

function randomSerialHex(): string {
  return forge.util.bytesToHex(forge.random.getBytesSync(16));
}

function ipBytes(ip: string): string {
  if (ip.includes(':')) {
    const expanded = forge.util.bytesToHex(ipv6ToBytes(ip));
    return forge.util.hexToBytes(expanded);
  }
  return ip
    .split('.')
    .map((octet) => String.fromCharCode(Number(octet)))
    .join('');
}

function ipv6ToBytes(ip: string): string {
  const [head = '', tail = ''] = ip.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
    : headGroups;
  return groups.map((g) => forge.util.hexToBytes(g.padStart(4, '0'))).join('');
}

function binary(buffer: Buffer): string {
  return buffer.toString('binary');
}
