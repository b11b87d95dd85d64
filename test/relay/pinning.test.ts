import { describe, expect, it } from 'vitest';
import { RelayClient, RelayUnreachableError } from '../../reference/peer/http/relay-client.ts';
import { newPeerIdentity } from '../../reference/identity/identity-files.ts';
import { startRelay } from '../../reference/relay/http/start-relay.ts';
import { issueSelfSigned } from '../../reference/identity/certificate-builder.ts';

describe('pinning the relay certificate (--relay-ca)', () => {
  it('trusts exactly the pinned certificate whatever address was dialled, and nothing else', async () => {
    const relay = await startRelay({ host: '0.0.0.0', port: 0 });
    const identity = newPeerIdentity('pin@example.com', Date.now());
    // 127.0.0.2 reaches the relay but is not named in its certificate.
    const pinned = new RelayClient({ relayUrl: `https://127.0.0.2:${relay.port}`, relayCaPem: relay.tlsCertificatePem, identity });
    const other = issueSelfSigned({ keyType: 'ecdsa-p256', subject: [{ field: 'CN', value: 'someone else' }], sanIpAddresses: ['127.0.0.2'], notBeforeMs: Date.now() - 1000, notAfterMs: Date.now() + 1e9, usage: 'server' });
    const wrongPin = new RelayClient({ relayUrl: `https://127.0.0.2:${relay.port}`, relayCaPem: other.certificatePem, identity });
    try {
      expect((await pinned.register()).status).toBe(200);
      await expect(wrongPin.health()).rejects.toBeInstanceOf(RelayUnreachableError);
    } finally {
      await pinned.close();
      await wrongPin.close();
      await relay.close();
    }
  });
});
