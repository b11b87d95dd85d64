/**
 * Hardening item 10: private keys the Peer Server still served (DER, UTF-16
 * PEM, past the old 2 MiB window, after a NUL in the first 8 KiB, `.p8` and
 * friends by name), dotfiles, and the per-file verdict cache. Real files in
 * a temp folder, real Peer Servers on 127.0.0.1 only.
 *
 * Decision on prose: the full armour line `-----BEGIN … PRIVATE KEY-----`
 * is enough to withhold a file, with or without a body and END line (a key
 * cut short is still key material); text that only names "BEGIN PRIVATE
 * KEY" without the dashes is served.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdir, rename, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawGet, tempDir, type RawResponse } from '../../../test/peer/net-helpers.ts';
import { signCertificate } from '../../identity/certificate-builder.ts';
import { startPeerServer, type RunningPeerServer } from './peer-server.ts';
import { KeyVerdictCache, RACY_STAMP_MS } from './private-files.ts';

let base: { path: string; remove(): Promise<void> };
const servers: RunningPeerServer[] = [];

beforeAll(async () => {
  base = await tempDir('private-files');
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await base?.remove();
});

async function serve(root: string, extra: { serveDotfiles?: boolean; keyVerdicts?: KeyVerdictCache } = {}): Promise<RunningPeerServer> {
  const server = await startPeerServer({ root, email: 'alice@example.com', host: '127.0.0.1', ...extra });
  servers.push(server);
  return server;
}

const names = (res: RawResponse) => (JSON.parse(res.body.toString()) as { entries: Array<{ name: string }> }).entries.map((e) => e.name);
const code = (res: RawResponse) => (JSON.parse(res.body.toString()) as { code: string }).code;
const list = async (port: number, path = '') => names(await rawGet(port, `/api/files/${path}`));

/** Deterministic "random" bytes (SHA-256 in counter mode): a test run never depends on luck. */
function pseudoRandom(length: number, seed: string): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < length; i++) blocks.push(createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(blocks).subarray(0, length);
}

/** An hour ago: old enough that the verdict is cached (see RACY_STAMP_MS). */
const HOUR_AGO = () => new Date(Date.now() - 3_600_000);

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const RSA_PEM = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const EC_PEM = ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString();
/** The secret every leak check looks for: the base64 of the key's first body line. */
const pemSecret = (pem: string) => pem.split('\n')[1]!;

function pkcs12(): Buffer {
  const now = Date.now();
  const certDer = signCertificate({ subject: [{ field: 'CN', value: 'p12' }], notBeforeMs: now, notAfterMs: now + 86_400_000, usage: 'client' }, 'rsa-2048', rsa.privateKey, rsa.publicKey);
  const cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(certDer.toString('binary'))));
  const key = forge.pki.privateKeyFromPem(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  return Buffer.from(forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(key, [cert], 'secret')).getBytes(), 'binary');
}

function utf16be(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

describe('keys the old checks missed', () => {
  let server: RunningPeerServer;
  const MiB = 1024 * 1024;
  const leaks: Record<string, { bytes: Buffer; secret: Buffer }> = {};
  const leak = (name: string, bytes: Buffer, secret: Buffer) => (leaks[name] = { bytes, secret });
  const der = (key: typeof rsa.privateKey, type: 'pkcs8' | 'pkcs1' | 'sec1', options: object = {}) => key.export({ type, format: 'der', ...options }) as Buffer;
  // The last 16 bytes of a DER key are private-key material in every one of these encodings.
  const tail = (bytes: Buffer) => bytes.subarray(-16);

  beforeAll(async () => {
    const root = join(base.path, 'leaks');
    await mkdir(root);
    for (const [name, bytes] of [
      ['key.der', der(rsa.privateKey, 'pkcs8')], // by name and by content
      ['ec-key.der', der(ec.privateKey, 'pkcs8')],
      ['rsa-pkcs8.bin', der(rsa.privateKey, 'pkcs8')], // by content alone from here on
      ['ec-pkcs8.bin', der(ec.privateKey, 'pkcs8')],
      ['ed25519.dat', der(ed.privateKey, 'pkcs8')],
      ['rsa-pkcs1.bin', der(rsa.privateKey, 'pkcs1')],
      ['data.bin', der(ec.privateKey, 'sec1')],
      ['locked.bin', der(rsa.privateKey, 'pkcs8', { cipher: 'aes-256-cbc', passphrase: 'pw' })],
      ['bundle.bin', pkcs12()],
    ] as const) leak(name, bytes, tail(bytes));
    const rsaSecret = Buffer.from(pemSecret(RSA_PEM));
    leak('notes.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`my key:\n${RSA_PEM}`, 'utf16le')]), Buffer.from(pemSecret(RSA_PEM), 'utf16le'));
    leak('notes-le.txt', Buffer.from(`no BOM:\r\n${EC_PEM}`, 'utf16le'), Buffer.from(pemSecret(EC_PEM), 'utf16le'));
    leak('notes-be.txt', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(`my key:\n${RSA_PEM}`)]), utf16be(pemSecret(RSA_PEM)));
    leak('notes-be-nobom.txt', utf16be(EC_PEM), utf16be(pemSecret(EC_PEM)));
    leak('server.log', Buffer.concat([Buffer.from('GET /index.html 200\n'.repeat((3 * MiB) / 20)), Buffer.from(RSA_PEM)]), rsaSecret);
    leak('five-mib.log', Buffer.concat([Buffer.from('x'.repeat(5 * MiB - 2000)), Buffer.from(EC_PEM)]), Buffer.from(pemSecret(EC_PEM)));
    // Straddles every power-of-two piece boundary up to 1 MiB, whatever piece size the scan reads.
    leak('straddle.txt', Buffer.concat([Buffer.from('y'.repeat(MiB - 12)), Buffer.from(RSA_PEM), Buffer.from('z'.repeat(MiB))]), rsaSecret);
    leak('after-nul.txt', Buffer.concat([Buffer.from('header\0\0\0binary-ish\n'), Buffer.from(RSA_PEM)]), rsaSecret);
    leak('image-with-key.png', Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), pseudoRandom(20_000, 'png'), Buffer.from(EC_PEM)]), Buffer.from(pemSecret(EC_PEM)));
    leak('tutorial.md', Buffer.from('A key file starts with the line\n\n    -----BEGIN PRIVATE KEY-----\n\nand you must never share it.\n'), Buffer.from('BEGIN PRIVATE KEY'));
    for (const name of ['id.p8', 'KEY.PK8']) leak(name, pseudoRandom(1200, name), pseudoRandom(1200, name).subarray(0, 16));
    for (const [name, { bytes }] of Object.entries(leaks)) await writeFile(join(root, name), bytes);

    server = await serve(root);
  });

  it('leaves every one out of the listing', async () => {
    const listed = await list(server.port);
    for (const name of Object.keys(leaks)) expect(listed, name).not.toContain(name);
    expect(listed).toEqual([]);
  });

  it.each([
    'key.der', 'ec-key.der', 'rsa-pkcs8.bin', 'ec-pkcs8.bin', 'ed25519.dat', 'rsa-pkcs1.bin', 'data.bin', 'locked.bin', 'bundle.bin',
    'notes.txt', 'notes-le.txt', 'notes-be.txt', 'notes-be-nobom.txt', 'server.log', 'five-mib.log', 'straddle.txt', 'after-nul.txt',
    'image-with-key.png', 'tutorial.md', 'id.p8', 'KEY.PK8',
  ])('%s is 404 not_found on /download and /content, with no byte of the key', async (name) => {
    const { secret } = leaks[name]!;
    for (const route of ['/download/', '/content/']) {
      const res = await rawGet(server.port, route + encodeURIComponent(name));
      expect([res.status, code(res)], route + name).toEqual([404, 'not_found']);
      expect(res.body.includes(secret), route + name).toBe(false);
    }
  });
});

describe('ordinary files are still served', () => {
  let server: RunningPeerServer;
  const files: Record<string, Buffer> = {};

  beforeAll(async () => {
    const root = join(base.path, 'ordinary');
    await mkdir(root);
    const now = Date.now();
    // A DER certificate is a SEQUENCE { SEQUENCE tbs, ... }: no key shape. (`.der` itself is a key name; `.cer` is not.)
    files['cert.cer'] = signCertificate({ subject: [{ field: 'CN', value: 'public' }], notBeforeMs: now, notAfterMs: now + 86_400_000, usage: 'server' }, 'ecdsa-p256', ec.privateKey, ec.publicKey);
    files['photo.png'] = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), pseudoRandom(300_000, 'photo'), Buffer.alloc(4096)]);
    files['starts-with-sequence.bin'] = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x00]), pseudoRandom(4096, 'seq')]);
    files['howto.md'] = Buffer.from('Paste what your tool prints after BEGIN PRIVATE KEY into the vault, never here.\n-----BEGIN PRIVATE KEY (not a real armour line)\n');
    files['pub.pem'] = Buffer.from(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    files['big.txt'] = Buffer.from('an ordinary line of a large text file\n'.repeat(150_000)); // 5.7 MiB
    files['utf16.txt'] = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('-----BEGIN CERTIFICATE-----\nnot a key\n', 'utf16le')]);
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(root, name), bytes);
    server = await serve(root);
  });

  it('lists them all', async () => {
    expect(await list(server.port)).toEqual(Object.keys(files).sort());
  });

  it.each(['cert.cer', 'photo.png', 'starts-with-sequence.bin', 'howto.md', 'pub.pem', 'big.txt', 'utf16.txt'])('%s downloads byte for byte, and /content serves it', async (name) => {
    const res = await rawGet(server.port, `/download/${name}`);
    expect(res.status).toBe(200);
    expect(res.body.equals(files[name]!)).toBe(true);
    expect((await rawGet(server.port, `/content/${name}`)).status).toBe(200);
  });
});

describe('dotfiles and dot-folders', () => {
  let root: string;
  let hidden: RunningPeerServer;
  let shown: RunningPeerServer;

  beforeAll(async () => {
    root = join(base.path, 'dots');
    await mkdir(join(root, '.ssh'), { recursive: true });
    await mkdir(join(root, '.git'), { recursive: true });
    await mkdir(join(root, '.relaylab'), { recursive: true });
    await mkdir(join(root, 'sub', '.cache'), { recursive: true });
    await writeFile(join(root, '.env'), 'DATABASE_PASSWORD=hunter2\n');
    await writeFile(join(root, '.ssh', 'id_ed25519.pub'), 'ssh-ed25519 AAAA public\n');
    await writeFile(join(root, '.ssh', 'id_ed25519'), `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n`);
    await writeFile(join(root, '.git', 'config'), '[remote "origin"]\n\turl = https://token@example.com/repo\n');
    await writeFile(join(root, '.relaylab', 'notes.txt'), 'always private\n');
    await writeFile(join(root, 'sub', '.cache', 'x'), 'cached\n');
    await writeFile(join(root, 'sub', 'y.txt'), 'y\n');
    await writeFile(join(root, 'visible.txt'), 'visible\n');
    await symlink(join(root, '.env'), join(root, 'env-link.txt')); // public name, dotted real path
    await symlink(join(root, 'visible.txt'), join(root, '.alias')); // dotted name, public real path
    hidden = await serve(root);
    shown = await serve(root, { serveDotfiles: true });
  });

  it('are left out of listings by default', async () => {
    expect(await list(hidden.port)).toEqual(['sub', 'visible.txt']);
    expect(await list(hidden.port, 'sub')).toEqual(['y.txt']);
  });

  it.each(['/download/.env', '/content/.env', '/download/.ssh/id_ed25519.pub', '/api/files/.ssh', '/api/files/.git/', '/download/.git/config', '/download/sub/.cache/x', '/download/env-link.txt', '/content/.alias', '/download/%2eenv'])(
    '%s is 404 not_found by default, as if missing',
    async (path) => {
      const res = await rawGet(hidden.port, path);
      expect([res.status, code(res)], path).toEqual([404, 'not_found']);
      expect(res.body.toString()).not.toMatch(/hunter2|token@|public|cached/);
    },
  );

  it('are listed and served with serveDotfiles, except keys and .relaylab', async () => {
    expect(await list(shown.port)).toEqual(['.alias', '.env', '.git', '.ssh', 'env-link.txt', 'sub', 'visible.txt']);
    expect(await list(shown.port, '.ssh')).toEqual(['id_ed25519.pub']);
    expect((await rawGet(shown.port, '/content/.env')).body.toString()).toBe('DATABASE_PASSWORD=hunter2\n');
    expect((await rawGet(shown.port, '/download/env-link.txt')).body.toString()).toBe('DATABASE_PASSWORD=hunter2\n');
    expect((await rawGet(shown.port, '/download/.git/config')).status).toBe(200);
    expect((await rawGet(shown.port, '/download/sub/.cache/x')).body.toString()).toBe('cached\n');
    for (const path of ['/download/.ssh/id_ed25519', '/content/.relaylab/notes.txt', '/api/files/.relaylab']) {
      const res = await rawGet(shown.port, path);
      expect([res.status, code(res)], path).toEqual([404, 'not_found']);
    }
  });
});

describe('the key verdict cache', () => {
  let root: string;
  let server: RunningPeerServer;
  const cache = new KeyVerdictCache();
  const TEXT_FILES = 20;
  const CLEAN = 'nothing secret in here at all, just some words.\n'.repeat(40);
  /** The same length as CLEAN, with a key block in it. */
  const withKey = (pem: string) => pem + '#'.repeat(CLEAN.length - pem.length - 1) + '\n';

  beforeAll(async () => {
    root = join(base.path, 'cache');
    await mkdir(join(root, 'sub'), { recursive: true });
    for (let i = 0; i < TEXT_FILES; i++) await writeFile(join(root, `f${String(i).padStart(2, '0')}.txt`), CLEAN);
    for (let i = 0; i < TEXT_FILES; i++) await utimes(join(root, `f${String(i).padStart(2, '0')}.txt`), HOUR_AGO(), HOUR_AGO());
    server = await serve(root, { keyVerdicts: cache });
  });

  it('reads each file once: later listings, concurrent listings and downloads reuse the verdict', async () => {
    expect((await list(server.port)).length).toBe(TEXT_FILES + 1);
    expect(cache.counts).toEqual({ scans: TEXT_FILES, reused: 0 });
    expect((await list(server.port)).length).toBe(TEXT_FILES + 1);
    expect(cache.counts).toEqual({ scans: TEXT_FILES, reused: TEXT_FILES });
    const listings = await Promise.all(Array.from({ length: 10 }, () => list(server.port)));
    expect(listings.every((l) => l.length === TEXT_FILES + 1)).toBe(true);
    expect((await rawGet(server.port, '/download/f00.txt')).body.toString()).toBe(CLEAN);
    expect(cache.counts).toEqual({ scans: TEXT_FILES, reused: TEXT_FILES * 11 + 1 });
  });

  it('re-checks a file rewritten in place with the same size and a new mtime', async () => {
    const path = join(root, 'f01.txt');
    const before = cache.counts.scans;
    await writeFile(path, withKey(RSA_PEM));
    await utimes(path, HOUR_AGO(), new Date(Date.now() - 1_800_000));
    expect(await list(server.port)).not.toContain('f01.txt');
    expect((await rawGet(server.port, '/download/f01.txt')).status).toBe(404);
    expect(cache.counts.scans).toBe(before + 1); // the listing re-read it; the download reused that
  });

  it('re-checks a file replaced by rename with the same size and the very same mtime (new inode)', async () => {
    const path = join(root, 'f02.txt');
    const stamp = HOUR_AGO();
    await utimes(path, stamp, stamp);
    expect(await list(server.port)).toContain('f02.txt');
    await writeFile(join(root, 'sub', 'swap'), withKey(EC_PEM));
    await utimes(join(root, 'sub', 'swap'), stamp, stamp);
    await rename(join(root, 'sub', 'swap'), path);
    expect(await list(server.port)).not.toContain('f02.txt');
    expect((await rawGet(server.port, '/content/f02.txt')).status).toBe(404);
  });

  it(`does not keep a verdict for a file modified within ${RACY_STAMP_MS} ms of its scan (timestamps are coarse)`, async () => {
    const path = join(root, 'fresh.txt');
    await writeFile(path, CLEAN);
    const future = new Date(Date.now() + 3_600_000); // always "just modified", whatever the clock does meanwhile
    await utimes(path, future, future);
    const before = cache.counts.scans;
    await list(server.port);
    await list(server.port);
    expect(cache.counts.scans).toBe(before + 2);
  });
});
