/**
 * Peer Server defects found in review: FIFOs that froze it, a friends list
 * served through a symlinked root, key files it did not recognise, and
 * /content buffering whole files. Real servers on 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, renameSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawGet, tempDir, type RawResponse } from '../../../test/peer/net-helpers.ts';
import { startPeerServer, type RunningPeerServer } from './peer-server.ts';

const SECRET = 'TOP-SECRET-KEY-MATERIAL';
let base: { path: string; remove(): Promise<void> };
const servers: RunningPeerServer[] = [];
const fifos: string[] = [];

beforeAll(async () => {
  base = await tempDir('peer-hardening');
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await base?.remove();
});

async function serve(root: string, privatePaths: string[] = []): Promise<RunningPeerServer> {
  const server = await startPeerServer({ root, email: 'alice@example.com', host: '127.0.0.1', privatePaths });
  servers.push(server);
  return server;
}

/** A request that must be answered within `ms`: a frozen server fails here, not at the test timeout. */
function promptGet(port: number, path: string, ms = 3_000): Promise<RawResponse> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms for ${path}`)), ms);
  });
  return Promise.race([rawGet(port, path), late]).finally(() => clearTimeout(timer));
}

/** rawGet speaks GET only; HEAD needs its own few lines (the answer has headers and no body). */
function rawHead(port: number, path: string): Promise<{ status: number; length: string; bodyBytes: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no answer for HEAD ${path}`)));
    socket.on('connect', () => socket.write(`HEAD ${path} HTTP/1.1\r\nhost: peer.test\r\nconnection: close\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks).toString('latin1');
      const split = all.indexOf('\r\n\r\n');
      resolve({ status: Number(all.split(' ')[1]), length: /\r\ncontent-length: (\d+)/i.exec(all)?.[1] ?? '', bodyBytes: all.length - split - 4 });
    });
  });
}

const names = (res: RawResponse) => (JSON.parse(res.body.toString()) as { entries: Array<{ name: string }> }).entries.map((e) => e.name);
const code = (res: RawResponse) => (JSON.parse(res.body.toString()) as { code: string }).code;

/**
 * If a regression ever blocks threads in open() on a FIFO, this lets them
 * go so the rest of the file still runs: the FIFO is renamed (new lookups
 * fail) and its write end opened until no reader has waited for a while.
 */
async function releaseFifoReaders(fifo: string): Promise<void> {
  const parked = `${fifo}.released`;
  renameSync(fifo, parked); // sync: the thread pool may be the very thing that is stuck
  for (let idle = 0; idle < 20; await new Promise((resolve) => setTimeout(resolve, 10))) {
    try {
      closeSync(openSync(parked, constants.O_WRONLY | constants.O_NONBLOCK));
      idle = 0;
    } catch {
      idle++; // ENXIO: nobody is waiting to read right now
    }
  }
}

describe.runIf(process.platform !== 'win32')('a FIFO in the served folder', () => {
  let server: RunningPeerServer;

  beforeAll(async () => {
    const root = join(base.path, 'fifo-root');
    await mkdir(join(root, 'sub'), { recursive: true });
    await writeFile(join(root, 'a.txt'), 'plain text\n');
    for (const fifo of [join(root, 'pipe'), join(root, 'sub', 'pipe.txt')]) {
      execFileSync('mkfifo', [fifo]);
      fifos.push(fifo);
    }
    server = await serve(root);
  });
  // Before the next block: a regression here must not starve the thread pool for the rest of the file.
  afterAll(() => Promise.all(fifos.map(releaseFifoReaders)));

  it('is left out of listings, which answer promptly', async () => {
    expect(names(await promptGet(server.port, '/api/files'))).toEqual(['a.txt', 'sub']);
    expect(names(await promptGet(server.port, '/api/files/sub'))).toEqual([]);
  });

  it('is refused with a stable code on /download and /content, never opened', async () => {
    for (const path of ['/download/pipe', '/content/pipe', '/download/sub/pipe.txt']) {
      const res = await promptGet(server.port, path);
      expect([res.status, code(res)], path).toEqual([403, 'not_a_regular_file']);
    }
  });

  it('still serves everything else after many such requests (no thread pool exhaustion)', async () => {
    const hostile = Array.from({ length: 12 }, (_, i) => promptGet(server.port, i % 2 ? '/api/files' : '/download/pipe'));
    expect((await Promise.all(hostile)).every((res) => res.status === 200 || res.status === 403)).toBe(true);
    const normal = await promptGet(server.port, '/download/a.txt');
    expect([normal.status, normal.body.toString()]).toEqual([200, 'plain text\n']);
    expect((await promptGet(server.port, '/content/a.txt')).body.toString()).toBe('plain text\n');
  });
});

describe('a friends file that appears after start, under a root reached through a symlink', () => {
  let server: RunningPeerServer;
  const FRIENDS = '{"friends": [{"email": "dan@example.com"}]}\n';

  beforeAll(async () => {
    const real = join(base.path, 'real-root');
    const link = join(base.path, 'link-root');
    await mkdir(join(real, 'elsewhere'), { recursive: true });
    await writeFile(join(real, 'public.txt'), 'public');
    await symlink(real, link);
    // Neither file exists yet: the friends list is created on the first save.
    server = await serve(link, [join(link, 'friends.json'), join(link, 'later', 'friends.json')]);
    await writeFile(join(link, 'friends.json'), FRIENDS);
    await writeFile(join(link, 'friends.json.4242.0.tmp'), FRIENDS); // a save caught mid-rename
    // A private path whose parent folder only appears later, as a symlink.
    await writeFile(join(real, 'elsewhere', 'friends.json'), FRIENDS);
    await symlink(join(real, 'elsewhere'), join(real, 'later'));
  });

  it('is never listed', async () => {
    expect(names(await promptGet(server.port, '/api/files'))).toEqual(['elsewhere', 'later', 'public.txt']);
    expect(names(await promptGet(server.port, '/api/files/later'))).toEqual([]);
  });

  it.each(['/content/friends.json', '/download/friends.json', '/download/friends.json.4242.0.tmp', '/content/later/friends.json', '/download/elsewhere/friends.json'])('%s is refused', async (path) => {
    const res = await promptGet(server.port, path);
    expect([403, 404]).toContain(res.status);
    expect(res.body.toString()).not.toContain('dan@example.com');
  });

  it('still serves the rest', async () => {
    expect((await promptGet(server.port, '/content/public.txt')).body.toString()).toBe('public');
  });
});

describe('private keys the first-bytes check missed', () => {
  let server: RunningPeerServer;
  // A real certificate is over 1 KiB, so a key after it starts past the first KiB.
  const CERT = `-----BEGIN CERTIFICATE-----\n${'MIIBpublic'.repeat(150).replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
  const pem = (label: string) => `-----BEGIN ${label}-----\nMIGH${SECRET}\n-----END ${label}-----\n`;
  const keyFiles: Record<string, string> = {
    'server.pem': CERT + pem('PRIVATE KEY'), // nginx / HAProxy bundle: certificate first
    'bundle.crt': `${CERT}${'x'.repeat(4096)}\n${pem('RSA PRIVATE KEY')}`,
    'notes.txt': `my server key, do not lose:\n\n${pem('EC PRIVATE KEY')}`,
    'old-dsa': `\n\n${pem('DSA PRIVATE KEY')}`,
    'backup.txt': `${'# ssh\n'.repeat(500)}${pem('OPENSSH PRIVATE KEY')}`,
    'locked.pem': CERT + pem('ENCRYPTED PRIVATE KEY'),
    'gpg.asc': `${pem('PGP PRIVATE KEY BLOCK')}`,
    'id.ppk': `PuTTY-User-Key-File-3: ssh-ed25519\nPrivate-Lines: 1\n${SECRET}\n`,
    'client.p12': `\u0030\u0082binary ${SECRET}`,
    'client.PFX': `\u0030\u0082binary ${SECRET}`,
    'store.jks': `\u00fe\u00ed\u00fe\u00ed ${SECRET}`,
    'release.keystore': `binary ${SECRET}`,
  };

  beforeAll(async () => {
    const root = join(base.path, 'key-root');
    await mkdir(root);
    await writeFile(join(root, 'cert.pem'), CERT);
    await writeFile(join(root, 'howto.md'), 'Never publish a line like -----BEGIN PRIVATE KEY (this is not one)\n');
    for (const [name, text] of Object.entries(keyFiles)) await writeFile(join(root, name), text, 'latin1');
    server = await serve(root);
  });

  it('lists only the files that hold no key', async () => {
    expect(names(await promptGet(server.port, '/api/files'))).toEqual(['cert.pem', 'howto.md']);
  });

  it.each(Object.keys(keyFiles))('%s is 404 on /download and /content', async (name) => {
    for (const route of ['/download/', '/content/']) {
      const res = await promptGet(server.port, route + encodeURIComponent(name));
      expect([res.status, code(res)], route + name).toEqual([404, 'not_found']);
      expect(res.body.toString('latin1')).not.toContain(SECRET);
    }
  });

  it('still serves certificates and text about keys', async () => {
    expect((await promptGet(server.port, '/download/cert.pem')).body.toString()).toBe(CERT);
    expect((await promptGet(server.port, '/content/howto.md')).status).toBe(200);
  });
});

describe('/content streams large files', () => {
  let server: RunningPeerServer;
  // 6 MiB of multi-byte UTF-8, so a chunk boundary lands inside a character.
  const text = 'héllo wörld ✓ '.repeat(6 * 1024 * 1024 / 18);

  beforeAll(async () => {
    const root = join(base.path, 'big-root');
    await mkdir(root);
    await writeFile(join(root, 'big.txt'), text);
    server = await serve(root);
  });

  it('returns the whole file intact with the same headers', async () => {
    const res = await rawGet(server.port, '/content/big.txt');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(text)));
    expect(res.body.toString('utf8') === text).toBe(true);
  });

  it('answers HEAD with the length and no body', async () => {
    const res = await rawHead(server.port, '/content/big.txt');
    expect([res.status, res.length, res.bodyBytes]).toEqual([200, String(Buffer.byteLength(text)), 0]);
  });
});
