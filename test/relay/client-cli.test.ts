import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../../reference/relay/http/start-relay.ts';
import { runCli } from '../support/spawn-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'relaylab-client-cli-'));
let relay: RunningRelay;
let common: string[];
beforeAll(async () => {
  relay = await startRelay({ port: 0 });
  writeFileSync(join(dir, 'relay-ca.pem'), relay.tlsCertificatePem);
  common = ['--relay', relay.url, '--relay-ca', join(dir, 'relay-ca.pem')];
});
afterAll(async () => {
  await relay.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('relaylab identity and the relay client verbs', () => {
  it('creates an identity with a 0600 key and refuses to overwrite it', async () => {
    const created = await runCli(['identity', 'create', '--email', 'Carol@CLI.test', '--dir', join(dir, 'carol')]);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ email: 'carol@cli.test', fingerprint_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(statSync(join(dir, 'carol', 'key.pem')).mode & 0o777).toBe(0o600);
    const again = await runCli(['identity', 'create', '--email', 'carol@cli.test', '--dir', join(dir, 'carol')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^relaylab: .*already holds an identity/);
  }, 60_000);

  it('register, ready, heartbeat, lookup and list print the relay JSON; a refusal exits 1', async () => {
    for (const name of ['dan', 'erin']) {
      expect((await runCli(['identity', 'create', '--email', `${name}@cli.test`, '--dir', join(dir, name), '--key-type', 'ed25519'])).code).toBe(0);
      const registered = await runCli(['register', ...common, '--identity', join(dir, name)]);
      expect(JSON.parse(registered.stdout)).toMatchObject({ status: 'registered', email: `${name}@cli.test` });
    }
    const ready = await runCli(['ready', ...common, '--identity', join(dir, 'dan'), '--port', '4321', '--address', '192.168.5.5', '--address', 'fd00::5', '--capabilities', '{"files":true}']);
    expect(JSON.parse(ready.stdout)).toMatchObject({ status: 'registered', expires_in: 3600 });
    expect(JSON.parse((await runCli(['heartbeat', ...common, '--identity', join(dir, 'dan')])).stdout)).toMatchObject({ status: 'alive' });
    const lookup = await runCli(['lookup', ...common, '--identity', join(dir, 'erin'), '--email', 'DAN@cli.test']);
    expect(lookup.code).toBe(0);
    expect(JSON.parse(lookup.stdout)).toMatchObject({ email: 'dan@cli.test', port: 4321, addresses: ['192.168.5.5', 'fd00::5'], capabilities: { files: true } });
    const list = await runCli(['list', ...common, '--identity', join(dir, 'erin')]);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ email: 'dan@cli.test' })]);
    const missing = await runCli(['heartbeat', ...common, '--identity', join(dir, 'erin')]);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ code: 'no_live_broadcast' });
  }, 120_000);

  it.each([
    [['lookup', '--relay', 'https://127.0.0.1:9', '--insecure', '--identity', '/nonexistent', '--email', 'x@y.z'], /no identity in \/nonexistent/],
    [['lookup', '--relay', 'https://127.0.0.1:9', '--identity', '/nonexistent', '--email', 'x@y.z'], /--relay-ca/],
    [['ready', '--relay', 'not a url', '--insecure', '--port', '1', '--address', '10.0.0.1'], /Missing required argument: identity/],
    [['identity', 'create', '--email', 'nope', '--dir', '/tmp/relaylab-never'], /"nope" is not an email address/],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const result = await runCli(args as string[]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });
});
