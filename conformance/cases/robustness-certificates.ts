/**
 * Hostile certificates for SPEC ROB-3, built in the suite (the project's
 * hardening helpers are test-only): a correctly self-signed RSA key with a
 * 3,064-bit public exponent, a certificate with 4,000 SAN emails, and one
 * padded to the largest size a 64 KiB registration body can carry. Each is
 * validly self-signed for its email, so only the relay's bounds refuse it.
 * Built once per process (key generation is the slow part) and per email.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';
import { issueSelfSigned, toPem } from '../../reference/identity/certificate-builder.ts';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

const DAY_MS = 86_400_000;

function derOfPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
}

function ordinary(email: string, nowMs: number, sanEmails: string[] = []) {
  return issueSelfSigned({ keyType: 'ecdsa-p256', subject: [{ field: 'CN', value: email }], sanEmails, notBeforeMs: nowMs - DAY_MS, notAfterMs: nowMs + 365 * DAY_MS, usage: 'client' });
}

const oid = (dotted: string): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(dotted).getBytes());
const seq = (parts: Asn1[]): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts);
const bits = (bytes: Buffer): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\x00${bytes.toString('binary')}`);
const octets = (bytes: Buffer): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes.toString('binary'));

/** `count` SAN rfc822Names, the first being `email` (short names: 4,000 of them fit a 64 KiB body). */
export function manySanCertificate(email: string, nowMs: number, count = 4000): string {
  const others = Array.from({ length: count - 1 }, (_, i) => `${i.toString(36)}@e.t`);
  return ordinary(email, nowMs, [email, ...others]).certificatePem;
}

/** A valid ECDSA certificate carrying one large non-critical extension, about `derBytes` of DER. */
export function oversizedCertificate(email: string, nowMs: number, derBytes: number): string {
  const base = ordinary(email, nowMs);
  const filler = Math.max(0, derBytes - derOfPem(base.certificatePem).length - 24);
  const outer = asn1.fromDer(forge.util.createBuffer(derOfPem(base.certificatePem).toString('binary')), { decodeBitStrings: false } as never);
  const tbs = (outer.value as Asn1[])[0] as Asn1;
  const fields = tbs.value as Asn1[];
  const tagged = fields.find((f) => f.tagClass === asn1.Class.CONTEXT_SPECIFIC && f.type === 3) as Asn1;
  const extensions = ((tagged.value as Asn1[])[0] as Asn1).value as Asn1[];
  const extnValue = Buffer.from(asn1.toDer(octets(Buffer.alloc(filler, 0x41))).getBytes(), 'binary');
  extensions.push(seq([oid('1.3.6.1.4.1.55555.1'), octets(extnValue)]));
  const algorithm = () => seq([oid('1.2.840.10045.4.3.2')]);
  fields[2] = algorithm();
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, createPrivateKey(base.privateKeyPem));
  return toPem('CERTIFICATE', Buffer.from(asn1.toDer(seq([tbs, algorithm(), bits(signature)])).getBytes(), 'binary'));
}

export interface HugeExponentKey {
  key: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
}

let hugeKey: HugeExponentKey | null = null;

/** One key per process: making it costs a 3072-bit key generation and a gcd search. */
function hugeExponentKey(): HugeExponentKey {
  hugeKey ??= makeHugeExponentRsaKey();
  return hugeKey;
}

/** An RSA-3072 key with an `exponentBits`-bit odd public exponent (OpenSSL allows big exponents up to 3072-bit moduli). */
export function makeHugeExponentRsaKey(exponentBits = 3064): HugeExponentKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const jwk = privateKey.export({ format: 'jwk' });
  const big = (b64u: string | undefined) => new forge.jsbn.BigInteger(Buffer.from(b64u as string, 'base64url').toString('hex'), 16);
  const p = big(jwk.p);
  const q = big(jwk.q);
  const n = p.multiply(q);
  const one = forge.jsbn.BigInteger.ONE;
  const phi = p.subtract(one).multiply(q.subtract(one));
  let e: forge.jsbn.BigInteger;
  do {
    const bytes = randomBytes(Math.ceil(exponentBits / 8));
    const spare = bytes.length * 8 - exponentBits;
    bytes[0] = ((bytes[0] as number) & (0xff >> spare)) | (0x80 >> spare);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) | 1;
    e = new forge.jsbn.BigInteger(bytes.toString('hex'), 16);
  } while (e.gcd(phi).compareTo(one) !== 0);
  const d = e.modInverse(phi);
  const key = forge.pki.setRsaPrivateKey(n, e, d, p, q, d.mod(p.subtract(one)), d.mod(q.subtract(one)), q.modInverse(p));
  return { key, publicKey: forge.pki.setRsaPublicKey(n, e) };
}

/** A correctly self-signed certificate for `email` whose RSA public exponent has 3,064 bits: verifying it is a long modular exponentiation. */
export function hugeExponentRsaCertificate(email: string, nowMs: number): string {
  const { key, publicKey } = hugeExponentKey();
  return forgeSelfSigned(email, nowMs, key, publicKey);
}

/** A self-signed certificate for `email` (CN), valid from a day ago for a year, signed by `key` with SHA-256. */
export function forgeSelfSigned(email: string, nowMs: number, key: forge.pki.rsa.PrivateKey, publicKey: forge.pki.rsa.PublicKey): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomBytes(8).toString('hex').replace(/^[89a-f]/, '1');
  cert.validity.notBefore = new Date(nowMs - DAY_MS);
  cert.validity.notAfter = new Date(nowMs + 365 * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: email }]);
  cert.setIssuer([{ name: 'commonName', value: email }]);
  cert.sign(key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}
