/**
 * Hostile and unusual certificates for the hardening tests and the
 * registration-cost bench: huge RSA exponents, fake DSA keys, thousands of
 * SAN emails, oversized DER, unparseable validity times, and real
 * certificates for every key type openssl can make. Built with node-forge's
 * ASN.1 writer (patching the TBSCertificate of a real certificate and
 * re-signing it) or with the openssl command line.
 */
import { forgeSelfSigned, makeHugeExponentRsaKey } from '../../conformance/cases/robustness-certificates.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey, generateKeyPairSync, generatePrimeSync, randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';
import { issueSelfSigned, toPem } from '../../reference/identity/certificate-builder.ts';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

export interface BuiltCertificate {
  certificatePem: string;
  /** PKCS#8 PEM, when the certificate has a usable private key. */
  privateKeyPem: string;
}

const DAY_MS = 86_400_000;

export function derOfPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
}

/** An ordinary ECDSA P-256 certificate for `email` (CN), valid around `nowMs`. */
export function ordinaryCertificate(email: string, nowMs: number, sanEmails: string[] = []): BuiltCertificate {
  const issued = issueSelfSigned({ keyType: 'ecdsa-p256', subject: [{ field: 'CN', value: email }], sanEmails, notBeforeMs: nowMs - DAY_MS, notAfterMs: nowMs + 365 * DAY_MS, usage: 'client' });
  return { certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem };
}

interface Signer {
  /** The AlgorithmIdentifier, written both in the TBSCertificate and after it. */
  algorithm(): Asn1;
  sign(tbsDer: Buffer): Buffer;
}

const oid = (dotted: string): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(dotted).getBytes());
const seq = (parts: Asn1[]): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts);
const bits = (bytes: Buffer): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\x00${bytes.toString('binary')}`);
const octets = (bytes: Buffer): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes.toString('binary'));
function int(value: Buffer): Asn1 {
  const positive = (value[0] ?? 0) >= 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, positive.toString('binary'));
}

const ecdsaSha256 = (privateKeyPem: string): Signer => ({
  algorithm: () => seq([oid('1.2.840.10045.4.3.2')]),
  sign: (tbsDer) => sign('sha256', tbsDer, createPrivateKey(privateKeyPem)),
});

/**
 * Takes a real certificate apart, lets `change` edit its TBSCertificate,
 * then writes the signature algorithm and a new signature from `signer`.
 */
function rebuild(certificatePem: string, signer: Signer, change: (tbs: Asn1[]) => void): string {
  const outer = asn1.fromDer(forge.util.createBuffer(derOfPem(certificatePem).toString('binary')), { decodeBitStrings: false } as never);
  const tbs = (outer.value as Asn1[])[0] as Asn1;
  const fields = tbs.value as Asn1[];
  change(fields);
  fields[2] = signer.algorithm();
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const certificate = seq([tbs, signer.algorithm(), bits(signer.sign(tbsDer))]);
  return toPem('CERTIFICATE', Buffer.from(asn1.toDer(certificate).getBytes(), 'binary'));
}

/** The extensions SEQUENCE inside [3] of a TBSCertificate. */
function extensionsOf(fields: Asn1[]): Asn1[] {
  const tagged = fields.find((f) => f.tagClass === asn1.Class.CONTEXT_SPECIFIC && f.type === 3) as Asn1;
  return ((tagged.value as Asn1[])[0] as Asn1).value as Asn1[];
}

/** A valid self-signed certificate whose DER is about `derBytes` long (one big non-critical extension). */
export function oversizedCertificate(email: string, nowMs: number, derBytes: number): BuiltCertificate {
  const base = ordinaryCertificate(email, nowMs);
  const baseBytes = derOfPem(base.certificatePem).length;
  const filler = Math.max(0, derBytes - baseBytes - 24);
  const certificatePem = rebuild(base.certificatePem, ecdsaSha256(base.privateKeyPem), (fields) => {
    const extnValue = Buffer.from(asn1.toDer(octets(Buffer.alloc(filler, 0x41))).getBytes(), 'binary');
    extensionsOf(fields).push(seq([oid('1.3.6.1.4.1.55555.1'), octets(extnValue)]));
  });
  return { certificatePem, privateKeyPem: base.privateKeyPem };
}

/** A valid self-signed certificate with `count` SAN rfc822Names (the first is `email`). */
export function manySanCertificate(email: string, nowMs: number, count: number): BuiltCertificate {
  const others = Array.from({ length: count - 1 }, (_, i) => `s${i}@e.t`);
  return ordinaryCertificate(email, nowMs, [email, ...others]);
}

/** A validly self-signed certificate whose notAfter holds `timeText` (a UTCTime that is not a time). */
export function badNotAfterCertificate(email: string, nowMs: number, timeText = '991399999999Z'): BuiltCertificate {
  const base = ordinaryCertificate(email, nowMs);
  const certificatePem = rebuild(base.certificatePem, ecdsaSha256(base.privateKeyPem), (fields) => {
    const validity = fields[4] as Asn1;
    (validity.value as Asn1[])[1] = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, timeText);
  });
  return { certificatePem, privateKeyPem: base.privateKeyPem };
}

/**
 * A correctly self-signed RSA certificate with a `exponentBits`-bit public
 * exponent over a 3072-bit modulus (OpenSSL allows big exponents up to 3072-bit
 * moduli): verifying it costs a modular exponentiation by that exponent.
 */
export function hugeExponentRsaCertificate(email: string, nowMs: number, exponentBits = 3064): BuiltCertificate {
  const { key, publicKey } = makeHugeExponentRsaKey(exponentBits);
  return { certificatePem: forgeSelfSigned(email, nowMs, key, publicKey), privateKeyPem: forge.pki.privateKeyToPem(key) };
}

/**
 * A certificate whose key is a made-up DSA key with a `pBits`-bit prime
 * (random, not prime: nobody checks), a real 256-bit prime q, and a DSA
 * signature that will not verify; verifying it still costs two modular
 * exponentiations mod p.
 */
export function fakeDsaCertificate(email: string, nowMs: number, pBits = 10_000): BuiltCertificate {
  const base = ordinaryCertificate(email, nowMs);
  // Exactly nBits long (top bit set) and odd.
  const random = (nBits: number) => {
    const b = randomBytes(Math.ceil(nBits / 8));
    const spare = b.length * 8 - nBits;
    b[0] = ((b[0] as number) & (0xff >> spare)) | (0x80 >> spare);
    b[b.length - 1] = (b[b.length - 1] as number) | 1;
    return b;
  };
  const p = random(pBits);
  // A prime q, so OpenSSL can invert s mod q and goes on to the costly exponentiations mod p.
  const q = Buffer.from(generatePrimeSync(256));
  const g = random(pBits - 8);
  const y = random(pBits - 8);
  const spki = seq([seq([oid('1.2.840.10040.4.1'), seq([int(p), int(q), int(g)])]), bits(Buffer.from(asn1.toDer(int(y)).getBytes(), 'binary'))]);
  const signer: Signer = {
    algorithm: () => seq([oid('2.16.840.1.101.3.4.3.2')]),
    sign: () => Buffer.from(asn1.toDer(seq([int(random(255)), int(random(255))])).getBytes(), 'binary'),
  };
  const certificatePem = rebuild(base.certificatePem, signer, (fields) => {
    fields[6] = spki;
  });
  return { certificatePem, privateKeyPem: base.privateKeyPem };
}

/** A certificate for an existing private key, made by the openssl command line (any key type openssl signs with). */
export function opensslSelfSigned(privateKeyPem: string, email: string, days = 30): string {
  const dir = mkdtempSync(join(tmpdir(), 'relaylab-hardening-'));
  try {
    writeFileSync(join(dir, 'key.pem'), privateKeyPem);
    execFileSync('openssl', ['req', '-x509', '-new', '-key', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', String(days), '-subj', `/CN=${email}`], { stdio: 'pipe' });
    return readFileSync(join(dir, 'cert.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
