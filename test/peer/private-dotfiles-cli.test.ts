/**
 * `relaylab peer --serve-dotfiles` reaches the Peer Server through the CLI,
 * peer-command and runPeer. Real child processes on loopback only. The relay
 * address is a closed loopback port: the Peer Server is up (and says so)
 * before the relay is first contacted, and the peer keeps retrying meanwhile.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess } from '../support/spawn-cli.ts';
import { freePort, rawGet, tempDir } from './net-helpers.ts';

let dir: { path: string; remove(): Promise<void> };
let root: string;
let relayUrl: string;
const running: CliProcess[] = [];

beforeAll(async () => {
  dir = await tempDir('private-dotfiles-cli');
  root = join(dir.path, 'root');
  await mkdir(join(root, '.git'), { recursive: true });
  await writeFile(join(root, '.env'), 'API_TOKEN=dotfile-secret\n');
  await writeFile(join(root, '.git', 'config'), '[core]\n');
  await writeFile(join(root, 'readme.txt'), 'public\n');
  relayUrl = `https://127.0.0.1:${await freePort()}`;
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await dir?.remove();
});

async function startPeer(name: string, extra: string[]): Promise<number> {
  const args = ['peer', '--relay', relayUrl, '--insecure', '--email', `${name}@example.com`, '--root', root, '--identity-dir', join(dir.path, name), '--host', '127.0.0.1', '--only-loopback', ...extra];
  const peer = new CliProcess(args);
  running.push(peer);
  const [, port] = await peer.waitFor(/peer: serving .* on port (\d+)/, 20_000);
  return Number(port);
}

describe('relaylab peer and dotfiles', () => {
  it('hides them by default and serves them with --serve-dotfiles', async () => {
    const [plain, dotted] = await Promise.all([startPeer('plain', []), startPeer('dotted', ['--serve-dotfiles'])]);

    expect((JSON.parse((await rawGet(plain, '/api/files')).body.toString()) as { entries: Array<{ name: string }> }).entries.map((e) => e.name)).toEqual(['readme.txt']);
    const refused = await rawGet(plain, '/content/.env');
    expect([refused.status, (JSON.parse(refused.body.toString()) as { code: string }).code]).toEqual([404, 'not_found']);

    expect((JSON.parse((await rawGet(dotted, '/api/files')).body.toString()) as { entries: Array<{ name: string }> }).entries.map((e) => e.name)).toEqual(['.env', '.git', 'readme.txt']);
    const served = await rawGet(dotted, '/content/.env');
    expect([served.status, served.body.toString()]).toEqual([200, 'API_TOKEN=dotfile-secret\n']);
  });
});
