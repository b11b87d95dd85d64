/** Step 1: an identity on disk is loaded, never regenerated silently (finding 9). */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityFiles, IdentityError, identityExists, loadOrCreateIdentity } from '../../reference/identity/identity-files.ts';
import { tempDir } from './net-helpers.ts';

let dir: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await tempDir('identity');
});
afterAll(() => dir?.remove());

const failure = (promise: Promise<unknown>) => promise.then(() => null, (e: unknown) => e);

describe('loadOrCreateIdentity never regenerates a key', () => {
  it('creates once, then loads the same identity', async () => {
    const at = join(dir.path, 'fresh');
    const first = await loadOrCreateIdentity(at, 'a@example.com');
    const second = await loadOrCreateIdentity(at, 'a@example.com');
    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.identity.fingerprintSha256).toBe(first.identity.fingerprintSha256);
  });

  it.each(['cert.pem', 'key.pem'])('refuses a folder missing %s with identity_unreadable and leaves the other file alone', async (missing) => {
    const at = join(dir.path, `half-${missing}`);
    await createIdentityFiles(at, 'b@example.com', 'ecdsa-p256');
    await rm(join(at, missing));
    const kept = missing === 'cert.pem' ? 'key.pem' : 'cert.pem';
    const before = await readFile(join(at, kept), 'utf8');
    expect(await identityExists(at)).toBe(true);
    const error = await failure(loadOrCreateIdentity(at, 'b@example.com'));
    expect(error).toBeInstanceOf(IdentityError);
    expect(error).toMatchObject({ code: 'identity_unreadable' });
    expect((error as Error).message).toContain(`holds ${kept} but no ${missing}`);
    expect((error as Error).message.split('\n')).toHaveLength(1);
    expect(await readFile(join(at, kept), 'utf8')).toBe(before);
    await expect(readFile(join(at, missing))).rejects.toThrow();
    // `identity create` refuses the same folder too.
    expect(await failure(createIdentityFiles(at, 'b@example.com', 'ecdsa-p256'))).toMatchObject({ code: 'identity_unreadable' });
    expect(await readFile(join(at, kept), 'utf8')).toBe(before);
  });

  it('an unreadable key.pem alone is not replaced either', async () => {
    const at = join(dir.path, 'junk-key');
    await createIdentityFiles(at, 'c@example.com', 'ecdsa-p256');
    await rm(join(at, 'cert.pem'));
    await writeFile(join(at, 'key.pem'), 'not a key');
    expect(await failure(loadOrCreateIdentity(at, 'c@example.com'))).toMatchObject({ code: 'identity_unreadable' });
    expect(await readFile(join(at, 'key.pem'), 'utf8')).toBe('not a key');
  });
});

describe('identities made with openssl', () => {
  it('take the email address when the CN is a name ("/CN=Alice Smith/emailAddress=alice@example.com")', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdir } = await import('node:fs/promises');
    const { loadIdentityFiles } = await import('../../reference/identity/identity-files.ts');
    const at = join(dir.path, 'openssl-name-cn');
    await mkdir(at, { recursive: true });
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(at, 'key.pem'), '-out', join(at, 'cert.pem'), '-days', '30', '-subj', '/CN=Alice Smith/emailAddress=alice@example.com'], { stdio: 'ignore' });
    const identity = await loadIdentityFiles(at);
    expect(identity.email).toBe('alice@example.com');
  });
});
