import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { issueSelfSigned, type KeyType } from './certificate-builder.ts';
import { inspectCertificate, CertificateParseError } from './inspect.ts';

const now = Date.UTC(2026, 10, 1);
const dir = mkdtempSync(join(tmpdir(), 'relaylab-cert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('issueSelfSigned', () => {
  it.each<KeyType>(['rsa-2048', 'ecdsa-p256', 'ed25519'])('%s certificates parse, verify, and openssl agrees', (keyType) => {
    const issued = issueSelfSigned({
      keyType,
      subject: [{ field: 'emailAddress', value: 'Alice@Example.com' }, { field: 'CN', value: 'Alice Example' }],
      sanEmails: ['alice+relay@example.com'],
      notBeforeMs: now - 1000,
      notAfterMs: now + 86_400_000,
      usage: 'client',
    });
    const facts = inspectCertificate(issued.certificatePem);
    expect(facts.fingerprintSha256).toBe(issued.fingerprintSha256);
    expect(facts.emails).toEqual(['alice example', 'alice@example.com', 'alice+relay@example.com']);
    expect(facts.selfSignatureValid).toBe(true);
    expect(facts.notAfterMs - facts.notBeforeMs).toBe(86_400_000 + 1000);
    const file = join(dir, `${keyType}.pem`);
    writeFileSync(file, issued.certificatePem);
    const text = execFileSync('openssl', ['x509', '-in', file, '-noout', '-subject', '-ext', 'subjectAltName'], { encoding: 'utf8' });
    expect(text).toContain('emailAddress = Alice@Example.com');
    expect(text).toContain('email:alice+relay@example.com');
  });

  // A random 16-byte serial starts with two zero bytes once in 65,536 certificates: the relay refused
  // those (invalid_certificate, OpenSSL's "illegal padding"), which is how a CI run failed once.
  it.each([
    ['00' + '7f'.padEnd(30, '1'), '7F' + '1'.repeat(28)],
    ['0000' + '05'.padEnd(28, 'a'), '05' + 'A'.repeat(26)],
    ['00' + '80'.padEnd(30, '2'), '80' + '2'.repeat(28)],
    ['0000', '0'],
  ])('writes serial %s as a minimal DER INTEGER the relay and OpenSSL read (serial %s)', (serialHex, expected) => {
    const issued = issueSelfSigned({ keyType: 'ecdsa-p256', subject: [{ field: 'CN', value: 'a@example.com' }], notBeforeMs: now - 1000, notAfterMs: now + 86_400_000, usage: 'client', serialHex });
    expect(inspectCertificate(issued.certificatePem).selfSignatureValid).toBe(true);
    expect(new X509Certificate(issued.certificatePem).serialNumber).toBe(expected);
  });

  it('puts dates from 2050 on in GeneralizedTime', () => {
    const issued = issueSelfSigned({ subject: [{ field: 'CN', value: 'x@example.com' }], notBeforeMs: now, notAfterMs: Date.UTC(2060, 0, 1), usage: 'client', keyType: 'ed25519' });
    expect(inspectCertificate(issued.certificatePem).notAfterMs).toBe(Date.UTC(2060, 0, 1));
  });

  it('detects a tampered certificate and refuses non-certificates', () => {
    const issued = issueSelfSigned({ subject: [{ field: 'CN', value: 'bob@example.com' }], notBeforeMs: now, notAfterMs: now + 1e9, usage: 'client', keyType: 'ecdsa-p256' });
    const der = Buffer.from(issued.certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const at = der.indexOf(Buffer.from('bob@example.com'));
    der[at] = 'c'.charCodeAt(0);
    const tampered = `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`;
    expect(inspectCertificate(tampered).selfSignatureValid).toBe(false);
    expect(() => inspectCertificate('hello')).toThrow(CertificateParseError);
    expect(() => inspectCertificate(issued.certificatePem + issued.certificatePem)).toThrow(CertificateParseError);
    expect(() => inspectCertificate(issued.certificatePem.slice(0, 200) + '\n-----END CERTIFICATE-----\n')).toThrow(CertificateParseError);
  });
});
