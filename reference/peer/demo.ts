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
import { readLookupReply } from './core/lookup-reply.ts';
import { connectToPeer, describeAttempt } from './api/connect-to-peer.ts';
import { PeerFilesClient } from './api/files-client.ts';
import { ask } from './http/relay-port.ts';
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
/**
 * A announces a decoy first so step 5 shows the try-order at work: A's
 * server is bound to 127.0.0.1 only, so 127.0.0.2 on the same port refuses
 * at once. Linux routes all of 127/8 to loopback; elsewhere 127.0.0.2 may
 * not exist, so the decoy is left out there.
 */
const DECOY = process.platform === 'linux' ? '127.0.0.2' : null;
const A_INTERFACES = () => [...(DECOY ? [{ address: DECOY }] : []), { address: '127.0.0.1' }];

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
      interfaces: A_INTERFACES,
      onEvent: (e) => {
        if (e.type === 'registered') registerStatus = e.status;
      },
    });
    cleanups.push(() => a.close());
    const announced = await withTimeout(a.live, 5_000, 'A going live');
    step(2, `A registered its certificate with the relay (HTTP ${registerStatus})`);
    const decoyNote = DECOY ? ` (${DECOY} is a decoy nothing listens on, to show the try-order at work)` : '';
    step(3, `A's Peer Server listens on port ${announced.port}; A announced addresses ${announced.addresses.join(', ')}${decoyNote}`);

    // 4. B, a peer too (its own identity, temporary root, ready sent), looks A up through its own mutual-TLS relay client.
    const bRoot = join(base, 'b-files');
    await mkdir(bRoot);
    await writeFile(join(bRoot, 'from-b.txt'), 'Hello from B!\n');
    const bIdentity = await createIdentityFiles(join(base, 'b-identity'), B_EMAIL, 'ecdsa-p256');
    const b: RunningPeer = await runPeer({
      relayUrl: relay.url,
      relayCaPem: relay.tlsCertificatePem,
      identity: bIdentity,
      root: bRoot,
      host: '127.0.0.1',
      includeLoopback: true,
      interfaces: LOOPBACK_ONLY,
    });
    cleanups.push(() => b.close());
    const bLive = await withTimeout(b.live, 5_000, 'B going live');
    const lookup = readLookupReply(await ask((done) => b.relay.lookup(A_EMAIL, done)));
    if (lookup.kind !== 'found') throw new Error(`B's lookup of A failed: ${lookup.kind === 'error' ? lookup.message : 'not online (404)'}`);
    step(4, `B (a peer too: port ${bLive.port}, ready sent) looked up ${A_EMAIL}: online, port ${lookup.port}, addresses ${lookup.addresses.join(', ')}`);

    // 5. B tries A's addresses in order, accepting only an answer carrying A's email.
    const attempts: string[] = [];
    const found = await connectToPeer(b.relay, A_EMAIL, { attemptTimeoutMs: 1_000, onAttempt: (r) => attempts.push(describeAttempt(r)) }).result;
    if (found.kind !== 'connected') throw new Error(`B could not reach A (${found.kind})`);
    step(5, `B tried ${attempts.join('; ')}; winner ${found.origin}`);

    // 6. B lists A's files.
    const files = new PeerFilesClient(found.origin);
    const listing = await files.list();
    const photos = await files.list('photos');
    step(6, `B listed A's files: ${listing.entries.map((e) => (e.type === 'directory' ? `${e.name}/` : `${e.name} (${e.size} B)`)).join(', ')}; photos/: ${photos.entries.map((e) => `${e.name} (${e.size} B)`).join(', ')}`);

    // 7. B downloads a file and checks its bytes.
    const out = join(base, 'b-downloads');
    await mkdir(out);
    const got = await files.download('photos/holiday.jpg', join(out, 'holiday.jpg'));
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
