/**
 * `relaylab demo`: the seed's seven steps, end to end, on loopback. An
 * embedded relay (memory store), peers A and B with temporary identities
 * and roots, and one line per step. Everything is removed afterwards,
 * whatever happened.
 */
import { randomBytes, createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdentityFiles } from '../identity/identity-files.ts';
import { startRelay } from '../relay/http/start-relay.ts';
import { describeAttempt, findPeer } from './http/find-peer.ts';
import { downloadPeerFile, listPeerFolder } from './http/peer-files-client.ts';
import { RelayClient } from './http/relay-client.ts';
import { relayPortOver } from './http/relay-port.ts';
import { runPeer, type RunningPeer } from './http/run-peer.ts';

export interface DemoResult {
  ok: boolean;
  /** The seven step lines, in order (fewer when a step failed). */
  steps: string[];
  elapsedMs: number;
}

const A_EMAIL = 'alice@demo.relaylab.test';
const B_EMAIL = 'bob@demo.relaylab.test';
const LOOPBACK_ONLY = () => [{ address: '127.0.0.1' }];

export async function runDemo(print: (line: string) => void): Promise<DemoResult> {
  const startedAt = Date.now();
  const steps: string[] = [];
  const step = (n: number, text: string) => {
    const line = `${n}. ${text}`;
    steps.push(line);
    print(line);
  };
  const base = await mkdtemp(join(tmpdir(), 'relaylab-demo-'));
  const relay = await startRelay({ port: 0, dataDir: join(base, 'relay'), store: 'memory' });
  const cleanups: Array<() => Promise<void>> = [() => relay.close()];
  try {
    print(`relay: ${relay.url} (memory store: nothing is kept)`);
    const aRoot = join(base, 'a-files');
    await mkdir(join(aRoot, 'photos'), { recursive: true });
    const payload = randomBytes(256 * 1024);
    await writeFile(join(aRoot, 'photos', 'holiday.jpg'), payload);
    await writeFile(join(aRoot, 'hello.txt'), 'Hello from A!\n');

    // 1. A's certificate, with its email embedded.
    const aIdentity = await createIdentityFiles(join(base, 'a-identity'), A_EMAIL, 'ecdsa-p256');
    step(1, `A's certificate: ${aIdentity.email}, SHA-256 fingerprint ${aIdentity.fingerprintSha256.slice(0, 16)}…`);

    // 2 and 3. A registers, starts its Peer Server and announces port + addresses.
    let registerStatus = 0;
    const a: RunningPeer = await runPeer({
      relayUrl: relay.url,
      relayCaPem: relay.tlsCertificatePem,
      identity: aIdentity,
      root: aRoot,
      host: '127.0.0.1',
      includeLoopback: true,
      interfaces: LOOPBACK_ONLY,
      onEvent: (e) => {
        if (e.type === 'registered') registerStatus = e.status;
      },
    });
    cleanups.push(() => a.close());
    const announced = await withTimeout(a.live, 5_000, 'A going live');
    step(2, `A registered its certificate with the relay (HTTP ${registerStatus})`);
    step(3, `A's Peer Server listens on port ${announced.port}; A announced addresses ${announced.addresses.join(', ')}`);

    // 4. B looks A up (B needs a registered identity for mutual TLS).
    const bIdentity = await createIdentityFiles(join(base, 'b-identity'), B_EMAIL, 'ecdsa-p256');
    const b = new RelayClient({ relayUrl: relay.url, relayCaPem: relay.tlsCertificatePem, identity: bIdentity });
    cleanups.push(() => b.close());
    const bRegistered = await b.register();
    if (bRegistered.status !== 200) throw new Error(`B's registration got HTTP ${bRegistered.status}`);
    const lookup = await b.lookup(A_EMAIL);
    if (lookup.status !== 200) throw new Error(`B's lookup of A got HTTP ${lookup.status}`);
    step(4, `B looked up ${A_EMAIL}: ${lookup.body.status}, port ${lookup.body.port}, addresses ${lookup.body.addresses.join(', ')}`);

    // 5. B tries A's addresses in order, accepting only an answer carrying A's email.
    const attempts: string[] = [];
    const found = await findPeer({ relay: relayPortOver(b), targetEmail: A_EMAIL, attemptTimeoutMs: 2_000, onAttempt: (r) => attempts.push(describeAttempt(r)) });
    if (found.kind !== 'connected') throw new Error(`B could not reach A (${found.kind})`);
    step(5, `B tried ${attempts.join('; ')}; winner ${found.baseUrl}`);

    // 6. B lists A's files.
    const listing = await listPeerFolder(found.baseUrl);
    const photos = await listPeerFolder(found.baseUrl, 'photos');
    step(6, `B listed A's files: ${listing.entries.map((e) => (e.type === 'directory' ? `${e.name}/` : `${e.name} (${e.size} B)`)).join(', ')}; photos/: ${photos.entries.map((e) => `${e.name} (${e.size} B)`).join(', ')}`);

    // 7. B downloads a file and checks its bytes.
    const out = join(base, 'b-downloads');
    await mkdir(out);
    const got = await downloadPeerFile(found.baseUrl, 'photos/holiday.jpg', join(out, 'holiday.jpg'));
    const expected = createHash('sha256').update(payload).digest('hex');
    const onDisk = createHash('sha256').update(await readFile(join(out, 'holiday.jpg'))).digest('hex');
    if (got.sha256 !== expected || onDisk !== expected) throw new Error('downloaded bytes differ from A\'s file');
    step(7, `B downloaded photos/holiday.jpg: ${got.bytes} bytes, SHA-256 ${got.sha256.slice(0, 16)}… matches A's file`);
    return { ok: true, steps, elapsedMs: Date.now() - startedAt };
  } catch (error) {
    print(`demo failed after step ${steps.length}: ${(error as Error).message}`);
    return { ok: false, steps, elapsedMs: Date.now() - startedAt };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await rm(base, { recursive: true, force: true });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
