/**
 * Makes the certificates the suite presents. Each identity keeps the recipe
 * it was made from so a repro script can recreate an equivalent one with
 * openssl. Keys are fresh per identity: the suite is black-box and must run
 * against a relay that already holds data.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createHash } from 'node:crypto';
import { issueSelfSigned, signCertificate, toPem, type KeyType, type SubjectAttribute } from '../../reference/identity/certificate-builder.ts';

export type SuiteKeyType = KeyType | 'rsa-1024';

/** Where the email sits in the certificate. */
export type EmailLayout = 'cn+san+emailAddress' | 'cn-only' | 'san-only' | 'emailAddress-before-cn' | 'emailAddress-after-cn' | 'emailAddress-only' | 'nowhere';

export type Validity = 'current' | 'expired' | 'not-yet-valid';

export interface IdentityRecipe {
  keyType: SuiteKeyType;
  layout: EmailLayout;
  validity: Validity;
  /** The signature was corrupted after signing. */
  tampered: boolean;
  subject: SubjectAttribute[];
  sanEmails: string[];
  notBeforeMs: number;
  notAfterMs: number;
}

export interface SuiteIdentity {
  label: string;
  /** The email this identity claims (as the case will send it). */
  email: string;
  certificatePem: string;
  privateKeyPem: string;
  fingerprintSha256: string;
  recipe: IdentityRecipe;
}

export interface IdentityOptions {
  email: string;
  keyType?: SuiteKeyType;
  layout?: EmailLayout;
  validity?: Validity;
  tampered?: boolean;
  /** More SAN emails (a certificate carrying two identities). */
  extraSanEmails?: string[];
  /** An exact validity window (AUTH-6: a certificate that expires during the case), instead of `validity`'s. */
  window?: { notBeforeMs: number; notAfterMs: number };
}

const DAY_MS = 86_400_000;

export class IdentityFactory {
  private count = 0;
  readonly made: SuiteIdentity[] = [];

  /** `clockOffsetMs`: the relay's clock minus ours (relay-clock.ts), so validity windows are the relay's. */
  constructor(private readonly clockOffsetMs = 0) {}

  create(options: IdentityOptions): SuiteIdentity {
    const recipe = buildRecipe(options, Date.now() + this.clockOffsetMs);
    const issued = issue(recipe);
    this.count += 1;
    const identity: SuiteIdentity = { label: `id${this.count}`, email: options.email, ...issued, recipe };
    this.made.push(identity);
    return identity;
  }
}

function buildRecipe(options: IdentityOptions, nowMs: number): IdentityRecipe {
  const layout = options.layout ?? 'cn+san+emailAddress';
  const validity = options.validity ?? 'current';
  const placed = placeEmail(layout, options.email);
  const subject = placed.subject;
  const sanEmails = [...placed.sanEmails, ...(options.extraSanEmails ?? [])];
  const window = options.window ??
    (validity === 'expired'
      ? { notBeforeMs: nowMs - 30 * DAY_MS, notAfterMs: nowMs - DAY_MS }
      : validity === 'not-yet-valid'
        ? { notBeforeMs: nowMs + DAY_MS, notAfterMs: nowMs + 30 * DAY_MS }
        : { notBeforeMs: nowMs - DAY_MS, notAfterMs: nowMs + 365 * DAY_MS });
  return { keyType: options.keyType ?? 'ecdsa-p256', layout, validity, tampered: options.tampered ?? false, subject, sanEmails, ...window };
}

function placeEmail(layout: EmailLayout, email: string): { subject: SubjectAttribute[]; sanEmails: string[] } {
  const org: SubjectAttribute = { field: 'O', value: 'relaylab conformance' };
  switch (layout) {
    case 'cn+san+emailAddress':
      return { subject: [{ field: 'CN', value: email }, { field: 'emailAddress', value: email }], sanEmails: [email] };
    case 'cn-only':
      return { subject: [{ field: 'CN', value: email }], sanEmails: [] };
    case 'san-only':
      return { subject: [org, { field: 'CN', value: 'peer' }], sanEmails: [email] };
    case 'emailAddress-before-cn':
      return { subject: [{ field: 'emailAddress', value: email }, { field: 'CN', value: 'peer' }], sanEmails: [] };
    case 'emailAddress-after-cn':
      return { subject: [{ field: 'CN', value: 'peer' }, { field: 'emailAddress', value: email }], sanEmails: [] };
    case 'emailAddress-only':
      return { subject: [{ field: 'emailAddress', value: email }], sanEmails: [] };
    case 'nowhere':
      return { subject: [{ field: 'CN', value: 'someone-else.example' }], sanEmails: [] };
  }
}

function issue(recipe: IdentityRecipe): { certificatePem: string; privateKeyPem: string; fingerprintSha256: string } {
  const request = { subject: recipe.subject, sanEmails: recipe.sanEmails, notBeforeMs: recipe.notBeforeMs, notAfterMs: recipe.notAfterMs, usage: 'client' as const };
  let certificatePem: string;
  let privateKeyPem: string;
  if (recipe.keyType === 'rsa-1024') {
    // The builder only makes RSA-2048; a short key is signed the same way (sha256WithRSA).
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    certificatePem = toPem('CERTIFICATE', signCertificate(request, 'rsa-2048', privateKey, publicKey));
    privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  } else {
    const issued = issueSelfSigned({ ...request, keyType: recipe.keyType });
    certificatePem = issued.certificatePem;
    privateKeyPem = issued.privateKeyPem;
  }
  if (recipe.tampered) certificatePem = tamperSignature(certificatePem);
  return { certificatePem, privateKeyPem, fingerprintSha256: fingerprintOfPem(certificatePem) };
}

export function derOfPem(pem: string): Buffer {
  const base64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return Buffer.from(base64, 'base64');
}

export function fingerprintOfPem(pem: string): string {
  return createHash('sha256').update(derOfPem(pem)).digest('hex');
}

/** Flips the last byte of the DER (inside the signature): still parses, no longer verifies. */
function tamperSignature(pem: string): string {
  const der = derOfPem(pem);
  der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
  return toPem('CERTIFICATE', der);
}
