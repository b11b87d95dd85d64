import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserInputError } from '../../shared/user-input-error.ts';
import { RelaySetupError } from './relay-setup-error.ts';
import { loadOrGenerateTlsPair } from './tls-pair.ts';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'relaylab-tls-pair-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loadOrGenerateTlsPair: the relay certificate clients pin', () => {
  it('gives relays starting together on one data dir the same pair (each used to generate and overwrite its own)', async () => {
    const dir = join(freshDir(), 'shared');
    const pairs = await Promise.all(Array.from({ length: 6 }, () => loadOrGenerateTlsPair(dir, '127.0.0.1')));
    expect(pairs.filter((p) => p.generated)).toHaveLength(1);
    expect(new Set(pairs.map((p) => p.certificatePem)).size).toBe(1);
    expect(readFileSync(join(dir, 'relay-cert.pem'), 'utf8')).toBe(pairs[0]?.certificatePem);
    expect(existsSync(join(dir, '.relay-tls.lock'))).toBe(false);
  });

  it('generates a pair when both files are missing, then reuses it unchanged', async () => {
    const dir = join(freshDir(), 'relay');
    const first = await loadOrGenerateTlsPair(dir, '127.0.0.1');
    expect(first.generated).toBe(true);
    expect(first.certificatePath).toBe(join(dir, 'relay-cert.pem'));
    expect(statSync(join(dir, 'relay-key.pem')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'relay-key.pem.tmp')) || existsSync(join(dir, 'relay-cert.pem.tmp'))).toBe(false);
    const second = await loadOrGenerateTlsPair(dir, '127.0.0.1');
    expect(second).toMatchObject({ generated: false, certificatePem: first.certificatePem, privateKeyPem: first.privateKeyPem });
  });

  it.each([
    ['the key', 'relay-key.pem', 'relay-cert.pem'],
    ['the certificate', 'relay-cert.pem', 'relay-key.pem'],
  ])('refuses, naming both files, when %s is missing, and leaves the surviving half untouched', async (_what, missing, surviving) => {
    const dir = freshDir();
    const pair = await loadOrGenerateTlsPair(dir, '127.0.0.1');
    const survivingText = readFileSync(join(dir, surviving), 'utf8');
    expect(survivingText).toBe(surviving === 'relay-cert.pem' ? pair.certificatePem : pair.privateKeyPem);
    rmSync(join(dir, missing));
    const refusal = await loadOrGenerateTlsPair(dir, '127.0.0.1').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RelaySetupError);
    expect(refusal).toBeInstanceOf(UserInputError);
    expect(refusal).toMatchObject({ code: 'tls_pair_incomplete' });
    const message = (refusal as Error).message;
    expect(message).toContain(join(dir, missing));
    expect(message).toContain(join(dir, surviving));
    expect(message).toMatch(/restore .* or delete /);
    expect(message).not.toContain('\n');
    expect(readFileSync(join(dir, surviving), 'utf8')).toBe(survivingText);
    expect(existsSync(join(dir, missing))).toBe(false);
  });

  it('still reports read failures other than a missing file as they are', async () => {
    const dir = freshDir();
    await loadOrGenerateTlsPair(dir, '127.0.0.1');
    rmSync(join(dir, 'relay-key.pem'));
    // A folder where the key should be: EISDIR, not "missing", and nothing is regenerated.
    mkdirSync(join(dir, 'relay-key.pem'));
    await expect(loadOrGenerateTlsPair(dir, '127.0.0.1')).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
