/**
 * The unchanged reference RelayCore with nothing else running: `identities`
 * registered peers with live broadcasts, then heartbeats (one in three)
 * and lookups from and of peers picked at random, as a simulated run
 * sends them. This is the least the relay's share of a run can cost on
 * this machine, whatever the simulator around it does: at 100,000
 * identities its records no longer fit in the caches either.
 */
import { RelayCore } from '../reference/relay/core/relay-core.ts';
import type { Principal, RelayRequest } from '../reference/relay/core/types.ts';
import { MemoryStore } from '../reference/relay/stores/memory-store.ts';
import { nextInt, SeededRng } from '../reference/shared/rng.ts';
import { simCertificateInspector, simIdentity } from '../simulator/world/sim-certificates.ts';
import { emailQuery } from '../simulator/world/transport.ts';

const NO_QUERY = new URLSearchParams();
const EPOCH_MS = Date.UTC(2026, 0, 1);
const RNG_SEED = 1;

/** Microseconds per call, averaged over `calls` calls after a warm-up of the same size. */
export async function relayCoreAloneUs(identities: number, calls = 1_000_000): Promise<number> {
  let nowMs = EPOCH_MS;
  const rng = new SeededRng(RNG_SEED);
  const core = new RelayCore({ clock: { nowMs: () => nowMs }, rng, store: new MemoryStore(), certificates: simCertificateInspector, config: { ttlSeconds: 3600, testMode: false } });
  const peers = Array.from({ length: identities }, (_, i) => simIdentity(i));
  for (const peer of peers) {
    await core.handle({ method: 'POST', path: '/api/relay/register', query: NO_QUERY, bodyText: JSON.stringify({ certificate: peer.certificatePem, email: peer.email }), principal: null });
    await core.handle(post('/api/relay/broadcast/ready', JSON.stringify({ port: 49_200, addresses: ['192.168.1.10', '23.0.0.1'] }), principalOf(peer)));
  }
  const round = async (): Promise<number> => {
    const startedMs = performance.now();
    for (let i = 0; i < calls; i++) {
      nowMs += 1; // every broadcast stays live: the TTL is an hour, a round lasts calls ms of relay time
      const caller = peers[nextInt(rng, identities)] as (typeof peers)[number];
      if (i % 3 === 0) await core.handle(post('/api/relay/broadcast/heartbeat', '{}', principalOf(caller)));
      else await core.handle({ method: 'GET', path: '/api/relay/broadcast/lookup', query: emailQuery((peers[nextInt(rng, identities)] as (typeof peers)[number]).email), bodyText: null, principal: principalOf(caller) });
    }
    return ((performance.now() - startedMs) * 1000) / calls;
  };
  await round();
  return round();
}

function principalOf(peer: { fingerprintSha256: string }): Principal {
  return { fingerprintSha256: peer.fingerprintSha256, source: 'tls' };
}

function post(path: string, bodyText: string, principal: Principal): RelayRequest {
  return { method: 'POST', path, query: NO_QUERY, bodyText, principal };
}
