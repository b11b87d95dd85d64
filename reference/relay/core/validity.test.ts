import { describe, expect, it } from 'vitest';
import { issueSelfSigned } from '../../identity/certificate-builder.ts';
import { x509Inspector } from '../../identity/inspect.ts';
import type { IdentityRecord } from './types.ts';
import { validityProblem } from './validity.ts';

const T0 = Date.UTC(2026, 5, 1);
const HOUR_MS = 3_600_000;

function record(window: { notBeforeMs: number | null; notAfterMs: number | null }, pemWindow = { notBeforeMs: T0, notAfterMs: T0 + HOUR_MS }): IdentityRecord {
  const issued = issueSelfSigned({ keyType: 'ecdsa-p256', subject: [{ field: 'CN', value: 'a@example.com' }], sanEmails: [], ...pemWindow, usage: 'client' });
  return { id: 'id', email: 'a@example.com', fingerprintSha256: issued.fingerprintSha256, certificatePem: issued.certificatePem, registeredAtMs: T0, ...window };
}

describe('validityProblem (SPEC AUTH-6)', () => {
  it('passes inside [notBefore, notAfter) and names the instant outside it', () => {
    const r = record({ notBeforeMs: T0, notAfterMs: T0 + HOUR_MS });
    expect(validityProblem(r, x509Inspector, T0)).toBeNull();
    expect(validityProblem(r, x509Inspector, T0 + HOUR_MS)).toBeNull();
    expect(validityProblem(r, x509Inspector, T0 + HOUR_MS + 1)).toMatch(/expired at 2026-06-01T01:00:00.000Z/);
    expect(validityProblem(r, x509Inspector, T0 - 1)).toMatch(/not valid before 2026-06-01T00:00:00.000Z/);
  });

  it('reads the window from the PEM for a row stored without one (before schema version 2)', () => {
    const legacy = record({ notBeforeMs: null, notAfterMs: null }, { notBeforeMs: T0, notAfterMs: T0 + 2 * HOUR_MS });
    expect(validityProblem(legacy, x509Inspector, T0 + HOUR_MS)).toBeNull();
    expect(validityProblem(legacy, x509Inspector, T0 + 2 * HOUR_MS + 1)).toMatch(/expired/);
  });

  it('lets a stored row it cannot read pass rather than lock its owner out on a guess', () => {
    const unreadable = { ...record({ notBeforeMs: null, notAfterMs: null }), certificatePem: 'garbage' };
    expect(validityProblem(unreadable, x509Inspector, T0)).toBeNull();
  });
});
