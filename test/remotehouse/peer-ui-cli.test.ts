/**
 * `relaylab peer --ui` as a user runs it: a real child process prints one
 * RemoteHouse line, the link works with its token and without it does not,
 * the friends list lives beside the identity (never served), and flags
 * that make no sense are one line and exit 2.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_PATHS, BRIDGE_TOKEN_HEADER } from '../../reference/peer/ui/bridge-contract.ts';
import { startRelay, type RunningRelay } from '../../reference/relay/http/start-relay.ts';
import { CliProcess, runCli } from '../support/spawn-cli.ts';
import { rawGet, tempDir } from '../peer/net-helpers.ts';

let relay: RunningRelay;
let dir: { path: string; remove(): Promise<void> };
const running: CliProcess[] = [];

beforeAll(async () => {
  dir = await tempDir('peer-ui-cli');
  await mkdir(join(dir.path, 'root'));
  await writeFile(join(dir.path, 'root', 'hello.txt'), 'hi\n');
  relay = await startRelay({ port: 0 });
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await relay?.close();
  await dir?.remove();
});

const base = (identityDir: string) => ['peer', '--relay', relay.url, '--relay-ca', relay.tlsCertificatePath, '--email', 'uma@ui-cli.test', '--root', join(dir.path, 'root'), '--identity-dir', identityDir, '--only-loopback'];

function get(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('relaylab peer --ui', () => {
  it('prints one RemoteHouse line whose link carries the token; the bridge answers with it and refuses without it', async () => {
    const identityDir = join(dir.path, 'root', 'me');
    const peer = new CliProcess([...base(identityDir), '--ui']);
    running.push(peer);
    const [, port, token] = (await peer.waitFor(/^RemoteHouse: http:\/\/127\.0\.0\.1:(\d+)\/#t=([A-Za-z0-9_-]+)$/m, 30_000)) as unknown as [string, string, string];
    expect(peer.stdout.match(/^RemoteHouse: /gm)).toHaveLength(1);
    const me = await get(Number(port), BRIDGE_PATHS.me, { [BRIDGE_TOKEN_HEADER]: token });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ email: 'uma@ui-cli.test' });
    expect((await get(Number(port), BRIDGE_PATHS.me, {})).status).toBe(401);
    // Friends default to <identity-dir>/friends.json, written on the first add, and never served even though the identity sits in the root.
    const added = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: Number(port), method: 'POST', path: BRIDGE_PATHS.friends, headers: { [BRIDGE_TOKEN_HEADER]: token, 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ email: 'vic@ui-cli.test' }));
    });
    expect(added).toBe(200);
    expect(JSON.parse(await readFile(join(identityDir, 'friends.json'), 'utf8')).friends).toEqual([{ email: 'vic@ui-cli.test', lastGood: null }]);
    const peerPort = Number((/serving .* on port (\d+)/.exec(peer.stdout) ?? [])[1]);
    expect((await rawGet(peerPort, '/content/me/friends.json')).status).toBe(404);
    expect(await peer.stop()).toBe(0);
  }, 60_000);

  it.each([
    [['--open'], /--open needs --ui/],
    [['--ui-port', '8080'], /--ui-port needs --ui/],
    [['--ui', '--ui-port', 'soon'], /--ui-port "soon" is not a number/],
  ])('refuses %j with one line and exit 2', async (extra, message) => {
    const run = await runCli([...base(join(dir.path, 'scratch')), ...extra], { timeoutMs: 20_000 });
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});

describe('relaylab peer --ui-port taken', () => {
  it('says so before registering: one line, exit 2, no registration attempted', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const run = await runCli([...base(join(dir.path, 'taken')), '--ui', '--ui-port', String(port)], { timeoutMs: 20_000 });
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(`relaylab: --ui-port ${port} is in use; pick another or pass 0`);
      expect(run.stdout).not.toMatch(/registered/);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });
});
