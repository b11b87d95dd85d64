/**
 * A real peer against the real reference relay with its optional
 * extensions on (SPEC EXT-2, EXT-3): a graceful stop ends the listing at
 * once; the relay's observed address is announced only when public (on
 * loopback it never is, so the announcement stays as it was).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newPeerIdentity } from '../../reference/identity/identity-files.ts';
import { RelayClient } from '../../reference/peer/http/relay-client.ts';
import { runPeer } from '../../reference/peer/http/run-peer.ts';
import { startRelay, type StartRelayOptions } from '../../reference/relay/http/start-relay.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: StartRelayOptions) {
  const relay = await startRelay({ port: 0, ...options });
  cleanups.push(() => relay.close());
  const root = await mkdtemp(join(tmpdir(), 'relaylab-ext-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const observer = new RelayClient({ relayUrl: relay.url, relayCaPem: relay.tlsCertificatePem, identity: newPeerIdentity('observer@example.test', Date.now(), 'ecdsa-p256') });
  cleanups.push(() => observer.close());
  await observer.register();
  const lines: string[] = [];
  const peer = await runPeer({ relayUrl: relay.url, relayCaPem: relay.tlsCertificatePem, identity: newPeerIdentity('leaver@example.test', Date.now(), 'ecdsa-p256'), root, includeLoopback: true, interfaces: () => [{ address: '127.0.0.1' }], log: (l) => lines.push(l), renew: false });
  cleanups.push(() => peer.close());
  await peer.live;
  return { relay, observer, peer, lines };
}

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a real peer and the relay extensions', () => {
  it('says goodbye on close where the relay offers it: no longer listed at once', async () => {
    const { observer, peer, lines } = await setup({ extensions: ['goodbye', 'observed-address'] });
    await until(() => lines.some((l) => l.startsWith('the relay offers: goodbye')));
    expect((await observer.lookup('leaver@example.test')).status).toBe(200);
    await peer.close();
    expect(lines).toContain('said goodbye to the relay: no longer listed');
    expect(await observer.lookup('leaver@example.test')).toMatchObject({ status: 404, body: { code: 'peer_not_found' } });
    // Loopback is not public: the observed 127.0.0.1 was not added.
    expect(lines).toContain('the relay sees us at 127.0.0.1 (not announced: not public, or one of ours already)');
  });

  it('stays listed after close where the relay does not offer goodbye (until its TTL)', async () => {
    const { observer, peer, lines } = await setup({});
    await peer.close();
    expect(lines.some((l) => l.includes('goodbye'))).toBe(false);
    expect((await observer.lookup('leaver@example.test')).status).toBe(200);
  });
});
