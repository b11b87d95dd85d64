/**
 * Certificate renewal by a real peer against the real reference relay over
 * HTTPS (SPEC AUTH-6, EXT-1): the peer renews before expiry, writes the new
 * pair to its identity folder, and every later call presents the new
 * certificate; an interrupted renewal is settled at the next start.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CERT_FILE, KEY_FILE, loadIdentityFiles, newPeerIdentity, type Identity } from '../../reference/identity/identity-files.ts';
import { RENEWAL_FOLDER, writePendingRenewal } from '../../reference/identity/renewal-files.ts';
import { RelayClient } from '../../reference/peer/http/relay-client.ts';
import { runPeer, type RunningPeer, type RunPeerOptions } from '../../reference/peer/http/run-peer.ts';
import { IdentityHolder, renewalPortOver } from '../../reference/peer/http/renewal-port.ts';
import { systemClock } from '../../reference/shared/system-clock.ts';
import type { RenewalReply } from '../../reference/peer/core/certificate-renewal.ts';
import { startRelay, type RunningRelay, type StartRelayOptions } from '../../reference/relay/http/start-relay.ts';

const LOOPBACK = () => [{ address: '127.0.0.1' }];
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function relay(options: StartRelayOptions = {}): Promise<RunningRelay> {
  const running = await startRelay({ port: 0, ...options });
  cleanups.push(() => running.close());
  return running;
}

async function folder(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'relaylab-renewal-'));
  cleanups.push(() => rm(path, { recursive: true, force: true }));
  return path;
}

/** An identity on disk whose certificate is valid for `validForMs` from now. */
async function identityOnDisk(dir: string, email: string, validForMs: number): Promise<Identity> {
  const identity = newPeerIdentity(email, Date.now(), 'ecdsa-p256', validForMs);
  await writeFile(join(dir, KEY_FILE), identity.privateKeyPem, { mode: 0o600 });
  await writeFile(join(dir, CERT_FILE), identity.certificatePem);
  return identity;
}

function client(relayAt: RunningRelay, identity: Identity): RelayClient {
  const c = new RelayClient({ relayUrl: relayAt.url, relayCaPem: relayAt.tlsCertificatePem, identity });
  cleanups.push(() => c.close());
  return c;
}

async function peer(relayAt: RunningRelay, identity: Identity, identityDir: string, lines: string[], extra: Partial<RunPeerOptions> = {}): Promise<RunningPeer> {
  const root = await folder();
  const running = await runPeer({ relayUrl: relayAt.url, relayCaPem: relayAt.tlsCertificatePem, identity, identityDir, root, includeLoopback: true, interfaces: LOOPBACK, log: (l) => lines.push(l), ...extra });
  cleanups.push(() => running.close());
  return running;
}

async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a peer renews its certificate before it expires', () => {
  it('renews with the relay, writes the new pair to its folder, and presents it from then on', async () => {
    const r = await relay();
    const dir = await folder();
    const email = 'renewer@example.test';
    const old = await identityOnDisk(dir, email, 6_000);
    const lines: string[] = [];
    // Renew 4 s before notAfter at most: two seconds after start, well before the 6 s run out.
    const p = await peer(r, old, dir, lines, { renewal: { maxLeadMs: 4_000 } });
    await p.live;
    await until('a renewal', () => lines.some((l) => l.startsWith('renewal: the relay took a new certificate')));
    p.renewal?.stop();
    const onDisk = await loadIdentityFiles(dir);
    expect(onDisk.fingerprintSha256).not.toBe(old.fingerprintSha256);
    expect(onDisk.fingerprintSha256).toBe(p.currentIdentity().fingerprintSha256);
    expect(onDisk.email).toBe(email);
    await expect(readFile(join(dir, RENEWAL_FOLDER, KEY_FILE))).rejects.toThrow(/ENOENT/);
    // The old certificate is no longer registered; the peer's own calls use the new one.
    expect(await client(r, old).heartbeat()).toMatchObject({ status: 401, body: { code: 'certificate_not_registered' } });
    expect(await client(r, onDisk).heartbeat()).toMatchObject({ status: 200 });
    const beats = lines.filter((l) => l.startsWith('heartbeat ok')).length;
    p.lifecycle.heartbeatNow();
    await until('a heartbeat with the new certificate', () => lines.filter((l) => l.startsWith('heartbeat ok')).length > beats);
  });

  it('says so, and keeps retrying, when the relay offers no renewal', async () => {
    const r = await relay({ extensions: [] });
    const dir = await folder();
    const old = await identityOnDisk(dir, 'stuck@example.test', 6_000);
    const lines: string[] = [];
    const p = await peer(r, old, dir, lines, { renewal: { maxLeadMs: 5_000, retryDelayMs: 200 } });
    await p.live;
    await until('two failed renewals', () => lines.filter((l) => l.startsWith('renewal failed (unsupported)')).length >= 2);
    expect(lines.find((l) => l.startsWith('renewal failed'))).toMatch(/the relay offers no renewal \(HTTP 404 route_not_found/);
    expect((await loadIdentityFiles(dir)).fingerprintSha256).toBe(old.fingerprintSha256);
  });
});

describe('an interrupted renewal is settled at the next start', () => {
  it('adopts a pending certificate the relay already holds (the answer was lost)', async () => {
    const r = await relay();
    const dir = await folder();
    const old = await identityOnDisk(dir, 'lost-answer@example.test', 3_600_000);
    expect((await client(r, old).register()).status).toBe(200);
    const pending = newPeerIdentity(old.email, Date.now(), 'ecdsa-p256', 3_600_000);
    await writePendingRenewal(dir, pending);
    expect((await client(r, old).renew(pending.certificatePem)).status).toBe(200);
    const lines: string[] = [];
    const p = await peer(r, old, dir, lines, { renew: false });
    await p.live;
    expect(p.currentIdentity().fingerprintSha256).toBe(pending.fingerprintSha256);
    expect((await loadIdentityFiles(dir)).fingerprintSha256).toBe(pending.fingerprintSha256);
    expect(lines).toContain(`renewal: the relay holds the certificate an earlier run renewed to; using it (SHA-256 ${pending.fingerprintSha256})`);
  });

  it('discards a pending certificate the relay never took, and one whose writing stopped half way', async () => {
    const r = await relay();
    const dir = await folder();
    const old = await identityOnDisk(dir, 'never-taken@example.test', 3_600_000);
    await writePendingRenewal(dir, newPeerIdentity(old.email, Date.now(), 'ecdsa-p256', 3_600_000));
    const lines: string[] = [];
    const p = await peer(r, old, dir, lines, { renew: false });
    await p.live;
    expect(p.currentIdentity().fingerprintSha256).toBe(old.fingerprintSha256);
    await expect(readFile(join(dir, RENEWAL_FOLDER, CERT_FILE))).rejects.toThrow(/ENOENT/);
    await p.close();

    await mkdir(join(dir, RENEWAL_FOLDER));
    await writeFile(join(dir, RENEWAL_FOLDER, KEY_FILE), 'half');
    const again: string[] = [];
    await (await peer(r, old, dir, again, { renew: false })).live;
    expect(again).toContain('renewal: discarded a half-written renewal from an earlier run (the relay was never asked)');
  });

  it('finishes a move that stopped between the key and the certificate', async () => {
    const r = await relay();
    const dir = await folder();
    const old = await identityOnDisk(dir, 'half-moved@example.test', 3_600_000);
    expect((await client(r, old).register()).status).toBe(200);
    const renewed = newPeerIdentity(old.email, Date.now(), 'ecdsa-p256', 3_600_000);
    expect((await client(r, old).renew(renewed.certificatePem)).status).toBe(200);
    // The key already moved, the certificate still waits in renewal/.
    await writePendingRenewal(dir, renewed);
    await rm(join(dir, RENEWAL_FOLDER, KEY_FILE));
    await writeFile(join(dir, KEY_FILE), renewed.privateKeyPem, { mode: 0o600 });
    const lines: string[] = [];
    const p = await peer(r, old, dir, lines, { renew: false });
    await p.live;
    expect(p.currentIdentity().fingerprintSha256).toBe(renewed.fingerprintSha256);
    expect((await loadIdentityFiles(dir)).fingerprintSha256).toBe(renewed.fingerprintSha256);
  });
});

describe('a renewal never throws away the key the relay may hold', () => {
  it('keeps an unconfirmed pair while the relay cannot be asked about it, and makes no new one', async () => {
    const r = await relay();
    const dir = await folder();
    const old = await identityOnDisk(dir, 'kept@example.test', 3_600_000);
    const pending = newPeerIdentity(old.email, Date.now(), 'ecdsa-p256', 3_600_000);
    await writePendingRenewal(dir, pending);
    await r.close(); // the relay is gone: whether it took `pending` cannot be known
    const holder = new IdentityHolder({ relayUrl: r.url, relayCaPem: r.tlsCertificatePem, timeoutMs: 2000 }, old);
    cleanups.push(() => holder.close());
    const reply = await new Promise<RenewalReply>((resolve) => renewalPortOver(holder, dir, systemClock).renew(resolve));
    expect(reply).toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/keeping that pair/) });
    expect(await readFile(join(dir, RENEWAL_FOLDER, CERT_FILE), 'utf8')).toBe(pending.certificatePem);
    expect(await readFile(join(dir, RENEWAL_FOLDER, KEY_FILE), 'utf8')).toBe(pending.privateKeyPem);
  });

  it('discards a pending certificate that is not a certificate (a run cut off while writing it) and starts', async () => {
    const r = await relay();
    const dir = await folder();
    const old = await identityOnDisk(dir, 'cut-off@example.test', 3_600_000);
    await writePendingRenewal(dir, newPeerIdentity(old.email, Date.now(), 'ecdsa-p256', 3_600_000));
    await writeFile(join(dir, RENEWAL_FOLDER, CERT_FILE), '-----BEGIN CERTIFICATE-----\nMIIB');
    const lines: string[] = [];
    const p = await peer(r, old, dir, lines, { renew: false });
    await p.live;
    expect(lines).toContain('renewal: discarded a half-written renewal from an earlier run (the relay was never asked)');
    expect(p.currentIdentity().fingerprintSha256).toBe(old.fingerprintSha256);
  });
});
