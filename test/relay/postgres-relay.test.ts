import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayClient } from '../../reference/peer/http/relay-client.ts';
import { newPeerIdentity } from '../../reference/identity/identity-files.ts';
import { createTestDatabase } from '../../reference/relay/stores/test-database.ts';
import { certPathFromStartupLine, runCli, startCli, urlFromStartupLine, type RunningCli } from '../support/spawn-cli.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
const dataDir = mkdtempSync(join(tmpdir(), 'relaylab-pg-relay-'));
const running: RunningCli[] = [];
const clients: RelayClient[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(running.map((r) => r.stop()));
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function relayProcess(): Promise<{ url: string; ca: string; process: RunningCli }> {
  const process = await startCli(['relay', '--port', '0', '--store', database.url, '--data-dir', dataDir, '--log-level', 'warn']);
  running.push(process);
  expect(process.firstLine).toContain('store: postgres (durable');
  expect(process.firstLine).not.toContain(':relaylab@');
  return { url: urlFromStartupLine(process.firstLine), ca: readFileSync(certPathFromStartupLine(process.firstLine), 'utf8'), process };
}

function client(relay: { url: string; ca: string }, identity: ReturnType<typeof newPeerIdentity>): RelayClient {
  const c = new RelayClient({ relayUrl: relay.url, relayCaPem: relay.ca, identity });
  clients.push(c);
  return c;
}

describe('relay processes sharing one PostgreSQL database', () => {
  it("see each other's writes at once, enforce uniqueness together, and keep data across a restart", async () => {
    const [one, two] = await Promise.all([relayProcess(), relayProcess()]);
    const alice = newPeerIdentity('alice@pg.test', Date.now());
    const bob = newPeerIdentity('bob@pg.test', Date.now());
    expect((await client(one, alice).register()).status).toBe(200);
    expect((await client(two, bob).register()).status).toBe(200);
    // Registered on one, authenticated on two.
    expect((await client(two, alice).ready({ port: 5555, addresses: ['192.168.7.7', '2001:db8::7'] })).status).toBe(200);
    const seen = await client(one, bob).lookup('ALICE@pg.test');
    expect(seen.body).toMatchObject({ email: 'alice@pg.test', port: 5555, addresses: ['192.168.7.7', '2001:db8::7'] });
    const twin = newPeerIdentity('Alice@PG.test', Date.now());
    expect(await client(two, twin).register()).toMatchObject({ status: 409, body: { code: 'email_taken' } });

    expect(await one.process.stop()).toBe(0);
    const again = await relayProcess();
    const afterRestart = await client(again, bob).lookup('alice@pg.test');
    expect(afterRestart).toMatchObject({ status: 200, body: { port: 5555 } });
    expect((await client(again, alice).heartbeat()).status).toBe(200);
  });

  it('refuses to start, in one line with exit 2, when the database cannot be reached', async () => {
    const result = await runCli(['relay', '--port', '0', '--store', 'postgres://relaylab:secret@127.0.0.1:1/relaylab', '--data-dir', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/cannot start the relay: .*unavailable/);
    expect(result.stderr).not.toContain('secret');
  });
});
