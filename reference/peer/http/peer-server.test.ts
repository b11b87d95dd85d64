import { mkdir, readdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawGet, tempDir } from '../../../test/peer/net-helpers.ts';
import { startPeerServer, type RunningPeerServer } from './peer-server.ts';

const SECRET = 'TOP-SECRET-OUTSIDE-ROOT';
let base: { path: string; remove(): Promise<void> };
let root: string;
let server: RunningPeerServer;
const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

beforeAll(async () => {
  base = await tempDir('peer-server');
  root = join(base.path, 'root');
  await mkdir(join(root, 'docs', 'deep'), { recursive: true });
  await writeFile(join(root, 'hello.txt'), 'hello, world\n');
  await writeFile(join(root, 'docs', 'notes.md'), '# notes\n');
  await writeFile(join(root, 'docs', 'deep', 'x.txt'), 'x');
  await writeFile(join(root, 'data.bin'), bytes);
  await writeFile(join(root, '%2e%2e'), 'a file literally named %2e%2e');
  await writeFile(join(base.path, 'secret.txt'), SECRET);
  await writeFile(join(base.path, 'root-evil.txt'), SECRET); // shares the root's name as a prefix
  await symlink(join(base.path, 'secret.txt'), join(root, 'escape.txt'));
  await symlink(base.path, join(root, 'escape-dir'));
  await symlink(join(root, 'hello.txt'), join(root, 'inside-link.txt'));
  await mkdir(join(root, 'me', 'identity'), { recursive: true });
  await writeFile(join(root, 'me', 'identity', 'key.pem'), SECRET);
  await writeFile(join(root, 'me', 'notes.txt'), 'public notes');
  server = await startPeerServer({ root, email: 'alice@example.com', host: '127.0.0.1', privatePaths: [join(root, 'me', 'identity'), join(root, 'friends.json')] });
});

afterAll(async () => {
  await server?.close();
  await base?.remove();
});

describe('Peer Server routes', () => {
  it('answers health with the email', async () => {
    const res = await rawGet(server.port, '/api/health');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ status: 'ok', email: 'alice@example.com' });
  });

  it('lists the root and a subfolder, hiding symlinks that lead outside', async () => {
    const res = await rawGet(server.port, '/api/files');
    const listing = JSON.parse(res.body.toString()) as { path: string; entries: Array<{ name: string; type: string; size: number; mtime: string }> };
    expect(listing.path).toBe('');
    expect(listing.entries.map((e) => `${e.name}:${e.type}`)).toEqual(['%2e%2e:file', 'data.bin:file', 'docs:directory', 'hello.txt:file', 'inside-link.txt:file', 'me:directory']);
    expect(listing.entries.find((e) => e.name === 'data.bin')).toMatchObject({ size: 1000, mtime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const sub = JSON.parse((await rawGet(server.port, '/api/files/docs/')).body.toString()) as { entries: Array<{ name: string }> };
    expect(sub.entries.map((e) => e.name)).toEqual(['deep', 'notes.md']);
  });

  it('serves text, a followed inside symlink, and 404s with a JSON code', async () => {
    expect((await rawGet(server.port, '/content/hello.txt')).body.toString()).toBe('hello, world\n');
    expect((await rawGet(server.port, '/content/inside-link.txt')).body.toString()).toBe('hello, world\n');
    const missing = await rawGet(server.port, '/content/nope.txt');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body.toString())).toMatchObject({ code: 'not_found' });
    const route = await rawGet(server.port, '/etc/passwd');
    expect([route.status, JSON.parse(route.body.toString()).code]).toEqual([404, 'not_found']);
  });

  it('downloads bytes with Content-Length, and ranges with 206 / 416', async () => {
    const whole = await rawGet(server.port, '/download/data.bin');
    expect(whole.status).toBe(200);
    expect(whole.headers['content-length']).toBe('1000');
    expect(whole.body.equals(bytes)).toBe(true);
    const part = await rawGet(server.port, '/download/data.bin', { range: 'bytes=10-19' });
    expect([part.status, part.headers['content-range']]).toEqual([206, 'bytes 10-19/1000']);
    expect(part.body.equals(bytes.subarray(10, 20))).toBe(true);
    const tail = await rawGet(server.port, '/download/data.bin', { range: 'bytes=-5' });
    expect(tail.body.equals(bytes.subarray(995))).toBe(true);
    const open = await rawGet(server.port, '/download/data.bin', { range: 'bytes=990-' });
    expect([open.status, open.body.length]).toEqual([206, 10]);
    const beyond = await rawGet(server.port, '/download/data.bin', { range: 'bytes=1000-1005' });
    expect([beyond.status, beyond.headers['content-range'], JSON.parse(beyond.body.toString()).code]).toEqual([416, 'bytes */1000', 'range_not_satisfiable']);
    const junk = await rawGet(server.port, '/download/data.bin', { range: 'bytes=a-b' });
    expect(junk.status).toBe(200);
  });
});

describe('Peer Server private paths', () => {
  it('never lists or serves the identity folder, even inside the root', async () => {
    const listing = JSON.parse((await rawGet(server.port, '/api/files/me')).body.toString()) as { entries: Array<{ name: string }> };
    expect(listing.entries.map((e) => e.name)).toEqual(['notes.txt']);
    for (const path of ['/download/me/identity/key.pem', '/content/me/identity/key.pem', '/api/files/me/identity', '/download/me/identity/../identity/key.pem', '/download/me%2fidentity%2fkey.pem']) {
      const res = await rawGet(server.port, path);
      expect([403, 404], path).toContain(res.status);
      expect(res.body.toString()).not.toContain(SECRET);
    }
  });
});

describe('Peer Server never publishes keys (finding 5)', () => {
  const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg' + SECRET + '\n-----END PRIVATE KEY-----\n';
  let keyRoot: string;
  let keyServer: RunningPeerServer;

  beforeAll(async () => {
    keyRoot = join(base.path, 'home-root');
    // `relaylab peer --root $HOME` with a second identity and a relay data folder under it.
    await mkdir(join(keyRoot, '.relaylab', 'identities', 'bob@x.test'), { recursive: true });
    await mkdir(join(keyRoot, '.relaylab', 'relay'), { recursive: true });
    await mkdir(join(keyRoot, 'project', '.relaylab'), { recursive: true });
    await writeFile(join(keyRoot, '.relaylab', 'identities', 'bob@x.test', 'key.pem'), KEY_PEM);
    await writeFile(join(keyRoot, '.relaylab', 'identities', 'bob@x.test', 'cert.pem'), 'certificate ' + SECRET);
    await writeFile(join(keyRoot, '.relaylab', 'relay', 'relay-key.pem'), KEY_PEM);
    await writeFile(join(keyRoot, 'project', '.relaylab', 'notes.txt'), SECRET);
    await writeFile(join(keyRoot, 'server-key.pem'), SECRET);
    await writeFile(join(keyRoot, 'Key.PEM'), SECRET);
    await writeFile(join(keyRoot, 'tls.key'), SECRET);
    await writeFile(join(keyRoot, 'id_ecdsa'), KEY_PEM);
    await writeFile(join(keyRoot, 'old.txt'), KEY_PEM.replace('BEGIN PRIVATE', 'BEGIN EC PRIVATE'));
    await writeFile(join(keyRoot, 'cert.pem'), '-----BEGIN CERTIFICATE-----\npublic\n-----END CERTIFICATE-----\n');
    await writeFile(join(keyRoot, 'keys.md'), 'how to make a PRIVATE KEY, not one\n');
    await symlink(join(keyRoot, '.relaylab', 'relay', 'relay-key.pem'), join(keyRoot, 'innocent.txt'));
    keyServer = await startPeerServer({ root: keyRoot, email: 'alice@example.com', host: '127.0.0.1' });
  });
  afterAll(() => keyServer?.close());

  it('hides .relaylab folders and key files from listings', async () => {
    const listing = JSON.parse((await rawGet(keyServer.port, '/api/files')).body.toString()) as { entries: Array<{ name: string }> };
    expect(listing.entries.map((e) => e.name)).toEqual(['cert.pem', 'keys.md', 'project']);
    const project = JSON.parse((await rawGet(keyServer.port, '/api/files/project')).body.toString()) as { entries: Array<{ name: string }> };
    expect(project.entries).toEqual([]);
  });

  it.each([
    '/download/.relaylab/identities/bob@x.test/key.pem',
    '/download/.relaylab/identities/bob@x.test/cert.pem',
    '/api/files/.relaylab/identities',
    '/download/.relaylab/relay/relay-key.pem',
    '/content/project/.relaylab/notes.txt',
    '/download/server-key.pem',
    '/download/Key.PEM',
    '/content/tls.key',
    '/download/id_ecdsa',
    '/content/old.txt',
    '/download/innocent.txt',
  ])('%s is 404 with no byte of it', async (path) => {
    const res = await rawGet(keyServer.port, path);
    expect([res.status, JSON.parse(res.body.toString()).code]).toEqual([404, 'not_found']);
    expect(res.body.toString()).not.toContain(SECRET);
  });

  it('still serves ordinary files, certificates included', async () => {
    expect((await rawGet(keyServer.port, '/content/keys.md')).status).toBe(200);
    expect((await rawGet(keyServer.port, '/content/cert.pem')).body.toString()).toContain('BEGIN CERTIFICATE');
  });

  it('serves nothing when the root itself is inside ~/.relaylab', async () => {
    const home = join(base.path, 'fake-home');
    await mkdir(join(home, '.relaylab', 'shared'), { recursive: true });
    await writeFile(join(home, '.relaylab', 'shared', 'a.txt'), SECRET);
    const savedHome = process.env.HOME;
    process.env.HOME = home;
    let inside: RunningPeerServer | undefined;
    try {
      inside = await startPeerServer({ root: join(home, '.relaylab', 'shared'), email: 'alice@example.com', host: '127.0.0.1' });
    } finally {
      process.env.HOME = savedHome;
    }
    try {
      expect((await rawGet(inside.port, '/content/a.txt')).status).toBe(404);
    } finally {
      await inside.close();
    }
  });
});

describe('Peer Server file descriptors (finding 6)', () => {
  const openFds = async () => (await readdir('/proc/self/fd')).length;
  /** Starts a download of a big file, reads its first bytes, then hangs up. */
  const abortedDownload = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', reject);
      socket.on('connect', () => socket.write('GET /download/big.bin HTTP/1.1\r\nhost: peer.test\r\n\r\n'));
      socket.once('data', () => {
        socket.destroy();
        resolve();
      });
    });

  it.runIf(process.platform === 'linux')('closes the file when a client aborts a download', async () => {
    await writeFile(join(root, 'big.bin'), '');
    await truncate(join(root, 'big.bin'), 64 * 1024 * 1024); // sparse: 64 MiB that never fits in socket buffers
    const before = await openFds();
    for (let i = 0; i < 30; i++) await abortedDownload(server.port);
    const deadline = Date.now() + 3_000;
    let after = await openFds();
    while (after > before + 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await openFds();
    }
    expect(after - before).toBeLessThanOrEqual(3);
  });
});

describe('Peer Server path confinement (raw request lines)', () => {
  const hostile = [
    '/download/../secret.txt',
    '/download/../../../../etc/passwd',
    '/content/docs/../../secret.txt',
    '/download/%2e%2e/secret.txt',
    '/download/%2E%2E/secret.txt',
    '/download/..%2fsecret.txt',
    '/download/%2e%2e%2fsecret.txt',
    '/download/docs%2f..%2f..%2fsecret.txt',
    '/download/%252e%252e/secret.txt',
    '/download/%252e%252e%252fsecret.txt',
    '/download//etc/passwd',
    '/download/%2fetc%2fpasswd',
    '/api/files//',
    '/download/..\\secret.txt',
    '/download/..%5csecret.txt',
    '/download/docs%5c..%5c..%5csecret.txt',
    '/download/secret.txt%00.png',
    '/download/hello.txt%00',
    '/download/escape.txt',
    '/content/escape.txt',
    '/download/escape-dir/secret.txt',
    '/api/files/escape-dir',
    '/api/files/..',
    '/api/files/%2e%2e/',
    '/download/./../secret.txt',
    '/download/%c0%ae%c0%ae/secret.txt',
    '/content/../root-evil.txt',
    '/download/%2e%2e',
  ];

  it.each(hostile)('%s gets 403 or 404 and never a byte from outside', async (path) => {
    const res = await rawGet(server.port, path);
    expect([403, 404]).toContain(res.status);
    expect(res.body.toString('latin1')).not.toContain(SECRET);
    expect(res.body.toString('latin1')).not.toContain('root:');
    const body = JSON.parse(res.body.toString()) as { code: string; error: string };
    expect(typeof body.code).toBe('string');
  });

  it('refuses the traversal families with 403 specifically', async () => {
    for (const path of ['/download/../secret.txt', '/download/%2e%2e/secret.txt', '/download/..%5csecret.txt', '/download/hello.txt%00', '/download/escape.txt', '/download//etc/passwd', '/download/%c0%ae%c0%ae/secret.txt', '/content/%ff']) {
      expect((await rawGet(server.port, path)).status, path).toBe(403);
    }
  });

  it('treats double-encoding as a literal name, decoding once', async () => {
    const res = await rawGet(server.port, '/content/%252e%252e');
    expect(res.body.toString()).toBe('a file literally named %2e%2e');
  });
});

/** Sends one request with any method, as given; reads the whole answer. */
function rawRequest(port: number, method: string, rawPath: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer')));
    socket.on('connect', () => socket.write(`${method} ${rawPath} HTTP/1.1\r\nhost: peer.test\r\nconnection: close\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`));
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('error', reject);
    socket.on('end', () => {
      const head = text.split('\r\n\r\n')[0]!.split('\r\n');
      resolve({ status: Number(head[0]!.split(' ')[1]), headers: Object.fromEntries(head.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()])) });
    });
  });
}

describe('Peer Server CORS: RemoteHouse\'s loopback page may read it, other web sites may not', () => {
  const PAGE = 'http://127.0.0.1:9999';
  it.each(['/api/health', '/api/files', '/api/files/docs', '/content/hello.txt', '/download/data.bin', '/content/nope.txt'])('GET and HEAD %s echo a loopback Origin, never credentials, and vary on Origin', async (path) => {
    for (const method of ['GET', 'HEAD']) {
      const res = await rawRequest(server.port, method, path, { origin: PAGE });
      expect(res.headers['access-control-allow-origin'], `${method} ${path}`).toBe(PAGE);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers.vary).toMatch(/origin/i);
    }
    expect((await rawRequest(server.port, 'GET', path, { origin: 'http://[::1]:4000' })).headers['access-control-allow-origin']).toBe('http://[::1]:4000');
  });

  it.each(['http://evil.example', 'https://127.0.0.1:9999', 'http://127.0.0.1.evil.example', 'http://localhost:9999', 'null', 'http://192.168.1.5:8080'])('grants nothing to the page of %s (a web site reading a share its network would not let it reach)', async (origin) => {
    const res = await rawRequest(server.port, 'GET', '/download/data.bin', { origin });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await rawRequest(server.port, 'OPTIONS', '/download/data.bin', { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('exposes the headers a progress bar and a resumed download read', async () => {
    const res = await rawRequest(server.port, 'GET', '/download/data.bin', { range: 'bytes=0-9', origin: PAGE });
    expect(res.status).toBe(206);
    expect(res.headers['access-control-expose-headers']).toContain('content-range');
    expect(res.headers['access-control-expose-headers']).toContain('content-length');
  });

  it('answers a preflight for GET with a Range header, and nothing else: other methods stay 405', async () => {
    const preflight = await rawRequest(server.port, 'OPTIONS', '/download/data.bin', { origin: PAGE, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toBe('GET, HEAD');
    expect(preflight.headers['access-control-allow-headers']).toBe('range');
    expect(preflight.headers['access-control-allow-origin']).toBe(PAGE);
    const post = await rawRequest(server.port, 'POST', '/api/files', { origin: PAGE, 'content-length': '0' });
    expect(post.status).toBe(405);
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
    const unknown = await rawRequest(server.port, 'OPTIONS', '/nowhere', {});
    expect(unknown.status).toBe(405);
  });
});
