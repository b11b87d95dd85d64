import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReferenceRelayImage } from '../../docker/reference-relay/build-image.ts';
import { startContainerTarget, type ContainerTarget } from '../../docker/start-container-target.ts';
import { RelayClient } from '../../reference/peer/http/relay-client.ts';
import { newPeerIdentity } from '../../reference/identity/identity-files.ts';

const TAG = 'relaylab/reference-relay:test';

function dockerAvailable(): void {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore' });
  } catch {
    throw new Error('no Docker engine: start one with `bash .ci/start-docker.sh` (CI does)');
  }
}

let target: ContainerTarget | undefined;
beforeAll(() => {
  dockerAvailable();
  buildReferenceRelayImage(TAG);
}, 180_000);
afterAll(async () => {
  await target?.stop();
});

describe('the reference relay as a locally built container image', () => {
  it('starts under testcontainers, answers over mutual TLS, and is removed on stop', async () => {
    target = await startContainerTarget({ image: TAG, port: 8443, command: ['--ttl', '5', '--test-mode'] });
    const alice = newPeerIdentity('alice@container.test', Date.now());
    const bob = newPeerIdentity('bob@container.test', Date.now(), 'ed25519');
    const a = new RelayClient({ relayUrl: target.url, relayCaPem: target.caPem, identity: alice });
    const b = new RelayClient({ relayUrl: target.url, relayCaPem: target.caPem, identity: bob });
    try {
      expect((await a.register()).status).toBe(200);
      expect((await b.register()).status).toBe(200);
      expect((await a.ready({ port: 4444, addresses: ['172.17.0.9'] })).body).toMatchObject({ expires_in: 5 });
      expect((await b.lookup('alice@container.test')).body).toMatchObject({ port: 4444, addresses: ['172.17.0.9'] });
      expect(await target.logs()).toContain('TEST MODE');
    } finally {
      await a.close();
      await b.close();
    }
    const id = target.containerId;
    await target.stop();
    target = undefined;
    expect(execFileSync('docker', ['ps', '-a', '-q', '--no-trunc', '--filter', `id=${id}`], { encoding: 'utf8' }).trim()).toBe('');
  }, 120_000);
});
