/**
 * The peer-side verbs as a user runs them: real child processes, the real
 * reference relay over HTTPS, real Peer Servers, loopback only.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityFiles } from '../../reference/identity/identity-files.ts';
import { RelayClient } from '../../reference/peer/http/relay-client.ts';
import { startRelay, type RunningRelay } from '../../reference/relay/http/start-relay.ts';
import { CliProcess, runCli } from '../support/spawn-cli.ts';
import { rawGet, tempDir } from './net-helpers.ts';

/** A one-shot verb; these should all finish well within 20 s. */
const relaylab = (args: string[]) => runCli(args, { timeoutMs: 20_000 });

let relay: RunningRelay;
let dir: { path: string; remove(): Promise<void> };
let root: string;
let bobIdentityDir: string;
const running: CliProcess[] = [];

const relayArgs = () => ['--relay', relay.url, '--relay-ca', relay.tlsCertificatePath];
const peerArgs = (email: string, identityDir: string, extra: string[] = []) => ['peer', ...relayArgs(), '--email', email, '--root', root, '--identity-dir', identityDir, '--only-loopback', ...extra];
function startPeer(args: string[]): CliProcess {
  const p = new CliProcess(args);
  running.push(p);
  return p;
}

beforeAll(async () => {
  dir = await tempDir('peer-cli');
  root = join(dir.path, 'root');
  await (await import('node:fs/promises')).mkdir(root);
  await writeFile(join(root, 'hello.txt'), 'hello over the CLI\n');
  relay = await startRelay({ port: 0 });
  bobIdentityDir = join(dir.path, 'bob');
  const bob = await createIdentityFiles(bobIdentityDir, 'bob@example.com', 'ecdsa-p256');
  const client = new RelayClient({ relayUrl: relay.url, relayCaPem: relay.tlsCertificatePem, identity: bob });
  expect((await client.register()).status).toBe(200);
  await client.close();
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await relay?.close();
  await dir?.remove();
});

/**
 * Traversal attempts on a running `relaylab peer`, sent byte for byte (no
 * client normalisation). `path_forbidden` comes only from the path check
 * of a file route, so seeing it proves the request got that far.
 */
async function expectConfined(port: number): Promise<void> {
  await writeFile(join(dir.path, 'secret'), 'OUTSIDE-THE-ROOT');
  expect((await rawGet(port, '/download/hello.txt')).body.toString()).toBe('hello over the CLI\n');
  for (const path of ['/download/../secret', '/download/%2e%2e/secret', '/download/%2E%2E%2Fsecret', '/content/..%2fsecret', '/api/files/%2e%2e']) {
    const res = await rawGet(port, path);
    expect([res.status, (JSON.parse(res.body.toString()) as { code: string }).code], path).toEqual([403, 'path_forbidden']);
    expect(res.body.toString()).not.toContain('OUTSIDE-THE-ROOT');
  }
}

describe('relaylab peer / connect / ls / get', () => {
  it('runs the lifecycle, is reachable through connect, ls and get, and exits 0 on SIGTERM', async () => {
    const aliceDir = join(dir.path, 'alice');
    const alice = startPeer(peerArgs('alice@example.com', aliceDir));
    await alice.waitFor(/peer: identity created in .*alice@example.com, SHA-256 [0-9a-f]{64}/);
    const [, port] = await alice.waitFor(/peer: ready \(startup\): port (\d+), addresses 127\.0\.0\.1, ::1/);
    expect(alice.stdout).toMatch(/peer: registered with the relay/);
    expect((await stat(join(aliceDir, 'key.pem'))).mode & 0o777).toBe(0o600);

    const target = [...relayArgs(), '--identity', bobIdentityDir, '--email', 'alice@example.com'];
    const connect = await relaylab(['connect', ...target, '--strategy', 'race']);
    expect(connect.code, connect.stderr).toBe(0);
    expect(connect.stdout).toContain(`attempt 1: 127.0.0.1:${port} ok`);
    expect(connect.stdout).toContain(`winner: http://127.0.0.1:${port} (race`);

    const ls = await relaylab(['ls', ...target]);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/^- +19 +\S+ +hello\.txt$/m);

    const out = join(dir.path, 'got.txt');
    const get = await relaylab(['get', 'hello.txt', ...target, '--out', out]);
    expect(get.code, get.stderr).toBe(0);
    expect(await readFile(out, 'utf8')).toBe('hello over the CLI\n');
    const again = await relaylab(['get', 'hello.txt', ...target, '--out', out]);
    expect([again.code, again.stderr.trim()]).toEqual([2, `relaylab: ${out} already exists; pass --force to overwrite it`]);

    // The CLI's HTTP client normalises `../secret` to `/secret`, so this only shows how a refusal is reported...
    const missing = await relaylab(['get', '../secret', ...target, '--out', join(dir.path, 'x')]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/the peer answered 404 \(not_found\)/);
    // ...while raw request lines, sent as written, reach /download itself and meet its confinement.
    await expectConfined(Number(port));

    expect(await alice.stop()).toBe(0);
    expect(alice.stdout).toMatch(/peer: SIGTERM: stopping\npeer: stopped/);

    // Restart: the same identity is loaded (not regenerated), register says 409, ready confirms it.
    const fingerprint = /SHA-256 ([0-9a-f]{64})/.exec(alice.stdout)?.[1];
    const again2 = startPeer(peerArgs('alice@example.com', aliceDir));
    await again2.waitFor(/peer: ready \(startup\)/);
    expect(again2.stdout).toContain(`identity loaded in ${aliceDir}: alice@example.com, SHA-256 ${fingerprint}`);
    expect(again2.stdout).toMatch(/already registered at the relay \(409\)/);
    expect(await again2.stop()).toBe(0);
  }, 120_000);

  it('exits 2 with one line when another certificate holds the email', async () => {
    const holder = startPeer(peerArgs('carol@example.com', join(dir.path, 'carol')));
    await holder.waitFor(/peer: ready \(startup\)/);
    const impostor = await relaylab(peerArgs('carol@example.com', join(dir.path, 'carol-impostor')));
    expect(impostor.code).toBe(2);
    expect(impostor.stderr.trim().split('\n')).toEqual(['relaylab: carol@example.com is registered at this relay with another certificate (409 on register, 401 on ready)']);
    await holder.stop();
  }, 60_000);

  it('refuses bad input with one line and exit 2', async () => {
    const junkFriends = join(dir.path, 'junk-friends.json');
    await writeFile(junkFriends, '{"friends": [{"email": 42}]}');
    const scratchIdentity = ['--identity-dir', join(dir.path, 'scratch-identity'), '--only-loopback'];
    const cases: Array<[string[], RegExp]> = [
      [['peer', '--relay', 'http://127.0.0.1:1', '--insecure', '--email', 'x@example.com', '--root', root, ...scratchIdentity], /relay URL must be https:\/\//],
      [['peer', ...relayArgs(), '--email', 'x@example.com', '--root', root, ...scratchIdentity, '--friends', junkFriends], /junk-friends\.json: friends\[0\] has no valid email/],
      [['peer', ...relayArgs(), '--email', 'x@example.com', '--root', root, ...scratchIdentity, '--host', 'my-laptop'], /--host "my-laptop" is not an IPv4 or IPv6 address/],
      [['peer', ...relayArgs(), '--email', 'not-an-email', '--root', root], /--email "not-an-email" is not an email address/],
      [['peer', ...relayArgs(), '--email', 'x@example.com', '--root', join(dir.path, 'nope')], /--root .* does not exist/],
      [['peer', ...relayArgs(), '--email', 'x@example.com', '--root', root, '--heartbeat-interval', 'soon'], /--heartbeat-interval "soon" is not a duration/],
      [['peer', ...relayArgs(), '--email', 'x@example.com', '--root', root, ...scratchIdentity, '--heartbeat-interval', '0'], /^relaylab: --heartbeat-interval "0" is shorter than its minimum, 1s$/],
      [['peer', ...relayArgs(), '--email', 'x@example.com', '--root', root, '--public-address', 'example.com'], /--public-address "example.com" is not an IPv4 or IPv6 address/],
      [['connect', ...relayArgs(), '--identity', bobIdentityDir, '--email', 'a@example.com', '--attempt-timeout', 'x'], /--attempt-timeout "x" is not a duration/],
      [['connect', ...relayArgs(), '--identity', bobIdentityDir, '--email', 'a@example.com', '--attempt-timeout', '5ms'], /^relaylab: --attempt-timeout "5ms" is shorter than its minimum, 10ms$/],
      [['connect', ...relayArgs(), '--identity', join(dir.path, 'no-such-identity'), '--email', 'a@example.com'], /no identity in .*no-such-identity/],
    ];
    for (const [args, message] of cases) {
      const run = await relaylab(args);
      expect(run.code, args.join(' ')).toBe(2);
      const lines = run.stderr.trim().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    }
    // A bad friends file is reported, never replaced.
    expect(await readFile(junkFriends, 'utf8')).toBe('{"friends": [{"email": 42}]}');
  }, 120_000);

  it('connect exits 1 when the peer is not online', async () => {
    const run = await relaylab(['connect', ...relayArgs(), '--identity', bobIdentityDir, '--email', 'nobody@example.com']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('nobody@example.com is not online at the relay (404)');
  });

  it('connect exits 1 with one line, not 2, when the relay cannot be reached or does not know us (401)', async () => {
    const strangerDir = join(dir.path, 'stranger');
    await createIdentityFiles(strangerDir, 'stranger@example.com', 'ecdsa-p256'); // never registered
    const cases: Array<[string[], RegExp]> = [
      [['connect', '--relay', 'https://127.0.0.1:1', '--relay-ca', relay.tlsCertificatePath, '--identity', bobIdentityDir, '--email', 'a@example.com', '--timeout-ms', '3000'], /^not connected: lookup of a@example.com failed \(relay_unreachable\): .*cannot reach the relay/],
      [['connect', ...relayArgs(), '--identity', strangerDir, '--email', 'bob@example.com'], /^not connected: lookup of bob@example.com failed \(lookup_unauthorized\): .*401/],
    ];
    for (const [args, message] of cases) {
      const run = await relaylab(args);
      expect(run.code, `${args.join(' ')}\n${run.stdout}${run.stderr}`).toBe(1);
      const lines = run.stdout.trim().split('\n');
      expect(lines, run.stdout).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    }
  }, 60_000);
});

/**
 * `relaylab friends` until it shows `settled`. With a 500 ms health interval a friend
 * is re-checked twice a second and shows "checking" while a check runs (the seed's
 * "currently trying"), so a read can land mid-check: only "checking" may come before
 * the settled line, a few reads at most.
 */
async function expectSettledStatus(identityDir: string, email: string, settled: RegExp): Promise<void> {
  let shown = await relaylab(['friends', '--identity-dir', identityDir]);
  for (let read = 1; read < 6 && !settled.test(shown.stdout); read++) {
    expect(shown.stdout).toMatch(new RegExp(`^checking +${email.replace(/[.]/g, '\\.')}`, 'm'));
    shown = await relaylab(['friends', '--identity-dir', identityDir]);
  }
  expect(shown.stdout).toMatch(settled);
}

describe('relaylab peer --friends and relaylab friends', () => {
  it('shows a friend offline, then online once they come up, and remembers the socket', async () => {
    const friendsFile = join(dir.path, 'friends.json');
    const edit = await relaylab(['friends', '--friends', friendsFile, '--add', 'dan@example.com']);
    expect(edit.code, edit.stderr).toBe(0);
    const ericDir = join(dir.path, 'eric');
    // A 500 ms health interval keeps the test quick; the attempt timeout stays long because
    // a loaded machine can take more than 500 ms over a fresh peer's first handshake, and a
    // timed-out 127.0.0.1 would hand the win to ::1 (the next announced address).
    const eric = startPeer(peerArgs('eric@example.com', ericDir, ['--friends', friendsFile, '--health-interval', '500ms', '--attempt-timeout', '10s']));
    await eric.waitFor(/friend dan@example.com: unknown -> offline \(no live broadcast at the relay\)/, 30_000);
    await expectSettledStatus(ericDir, 'dan@example.com', /^offline +dan@example.com: no live broadcast at the relay$/m);

    const dan = startPeer(peerArgs('dan@example.com', join(dir.path, 'dan')));
    const [, danPort] = await dan.waitFor(/ready \(startup\): port (\d+)/, 30_000);
    await eric.waitFor(/friend dan@example.com: offline -> online/);
    await expectSettledStatus(ericDir, 'dan@example.com', new RegExp(`^online +dan@example.com at 127\\.0\\.0\\.1:${danPort}: `, 'm'));
    await eric.waitFor(/friend dan@example.com: remembering/);
    const remembered = { friends: [{ email: 'dan@example.com', lastGood: { address: '127.0.0.1', port: Number(danPort) } }] };
    // The save follows the log line asynchronously: poll the file rather than sleep a fixed time.
    const readFriends = async () => {
      try {
        return JSON.parse(await readFile(friendsFile, 'utf8')) as unknown;
      } catch {
        return null; // mid-write
      }
    };
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
      if (JSON.stringify(await readFriends()) === JSON.stringify(remembered)) break;
    }
    expect(await readFriends()).toEqual(remembered);

    expect(await dan.stop()).toBe(0);
    await eric.waitFor(/friend dan@example.com: online -> offline/);
    expect(await eric.stop()).toBe(0);
  }, 120_000);
});
