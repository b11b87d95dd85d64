/**
 * Two real peers and a real relay on loopback, with RemoteHouse on B:
 * the protocol's seven steps for a person in a browser (issue 12).
 *
 * A serves a folder on 127.0.0.1 and announces [127.0.0.2, 127.0.0.3,
 * 127.0.0.1]: at 127.0.0.2, on A's port, a decoy Peer Server answers as
 * someone else (the try-order's identity check: wrong_host), and at
 * 127.0.0.3 a socket accepts and never answers (a silent peer: timeout
 * after the 1 s attempt timeout), so every check of A takes a visible
 * second of Checking before A itself answers.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { newPeerIdentity, type Identity } from '../../reference/identity/identity-files.ts';
import { startRelay, type RunningRelay } from '../../reference/relay/http/start-relay.ts';
import { runPeer, type RunningPeer, type RunPeerOptions } from '../../reference/peer/http/run-peer.ts';
import { startPeerServer, type RunningPeerServer } from '../../reference/peer/http/peer-server.ts';
import { startRemoteHouse, type RunningRemoteHouse } from '../../reference/peer/ui/bridge-server.ts';
import { tempDir } from '../peer/net-helpers.ts';

export const A_EMAIL = 'alice@remotehouse.test';
export const B_EMAIL = 'bob@remotehouse.test';
export const DECOY_EMAIL = 'mallory@remotehouse.test';
export const HEALTH_INTERVAL_MS = 1_000;

export const HOSTILE_MARKDOWN = [
  '# Hostile notes',
  '',
  'Plain **bold** text.',
  '',
  '<script>window.pwned = 1; alert(1)</script>',
  '',
  '<img src="nope.png" onerror="window.pwned = 2; alert(2)">',
  '',
  '[click me](javascript:window.pwned=3;alert(3))',
  '',
  '<a href="javascript:window.pwned=4">raw link</a> <svg onload="window.pwned=5"></svg>',
  '',
  '<iframe src="javascript:window.pwned=6"></iframe>',
  '',
].join('\n');

/** A 16x16 PNG, opaque orange: real pixels for the image preview to show. */
export function orangePng(): Buffer {
  const width = 16;
  const height = 16;
  const row = Buffer.concat([Buffer.from([0]), Buffer.concat(Array.from({ length: width }, () => Buffer.from([255, 140, 0, 255])))]);
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))), chunk('IEND', Buffer.alloc(0))]);
}

/** Bytes that are not text, big enough for a progress bar to move. */
export function archiveBytes(): Buffer {
  const out = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < out.length; i++) out[i] = (i * 2654435761) >>> 24;
  return out;
}

export interface Fixture {
  relay: RunningRelay;
  a: RunningPeer;
  b: RunningPeer;
  ui: RunningRemoteHouse;
  decoy: RunningPeerServer;
  silent: Server;
  aRoot: string;
  /** Stops A (its Peer Server and lifecycle); the decoy keeps answering. */
  stopA(): Promise<void>;
  /** Starts A again with the same identity on a new port. */
  restartA(): Promise<RunningPeer>;
  /** Stops the relay (for the error tests); close() then skips it. */
  stopRelay(): Promise<void>;
  close(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  const dir = await tempDir('remotehouse');
  const aRoot = join(dir.path, 'alice-share');
  await mkdir(join(aRoot, 'docs'), { recursive: true });
  await mkdir(join(aRoot, 'pictures'));
  await writeFile(join(aRoot, 'hello.txt'), 'hello from alice\nsecond line\n');
  await writeFile(join(aRoot, 'docs', 'index.md'), HOSTILE_MARKDOWN);
  await writeFile(join(aRoot, 'docs', 'page.html'), '<script>window.pwned = 7</script><h1>not rendered</h1>');
  await writeFile(join(aRoot, 'pictures', 'orange.png'), orangePng());
  await writeFile(join(aRoot, 'archive.bin'), archiveBytes());
  const relay = await startRelay({ port: 0, ttlSeconds: 3600 });
  const identities = new Map<string, Identity>([A_EMAIL, B_EMAIL].map((e) => [e, newPeerIdentity(e, Date.now(), 'ecdsa-p256')]));
  const base = (email: string): RunPeerOptions => ({
    relayUrl: relay.url,
    relayCaPem: relay.tlsCertificatePem,
    identity: identities.get(email)!,
    root: email === A_EMAIL ? aRoot : join(dir.path, 'empty'),
    includeLoopback: true,
    renew: false,
  });
  await mkdir(join(dir.path, 'empty'));
  const startA = () => runPeer({ ...base(A_EMAIL), host: '127.0.0.1', interfaces: () => [{ address: '127.0.0.2' }, { address: '127.0.0.3' }, { address: '127.0.0.1' }] });
  let a = await startA();
  await a.live;
  const decoyRoot = join(dir.path, 'decoy');
  await mkdir(decoyRoot);
  const decoy = await startPeerServer({ root: decoyRoot, email: DECOY_EMAIL, host: '127.0.0.2', port: a.port });
  const held = new Set<Socket>();
  const silent = createServer((socket) => {
    held.add(socket);
    socket.on('close', () => held.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen({ host: '127.0.0.3', port: a.port }, resolve));
  const b = await runPeer({
    ...base(B_EMAIL),
    host: '127.0.0.1',
    interfaces: () => [{ address: '127.0.0.1' }],
    friends: { file: join(dir.path, 'bob-friends.json'), statusDir: dir.path, healthIntervalMs: HEALTH_INTERVAL_MS, attemptTimeoutMs: 1_000 },
  });
  await b.live;
  const ui = await startRemoteHouse({ peer: b, attemptTimeoutMs: 1_000 });
  let aRunning = true;
  let relayRunning = true;
  let uiClosed: Promise<void> | null = null;
  const closeUi = ui.close;
  ui.close = () => (uiClosed ??= closeUi());
  const fixture: Fixture = {
    relay,
    get a() {
      return a;
    },
    b,
    ui,
    decoy,
    silent,
    aRoot,
    async stopA() {
      aRunning = false;
      await a.close();
    },
    async restartA() {
      a = await startA();
      aRunning = true;
      await a.live;
      return a;
    },
    async stopRelay() {
      relayRunning = false;
      await relay.close(0);
    },
    async close() {
      await ui.close();
      await b.close();
      if (aRunning) await a.close();
      await decoy.close();
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
      if (relayRunning) await relay.close();
      await dir.remove();
    },
  };
  return fixture;
}
