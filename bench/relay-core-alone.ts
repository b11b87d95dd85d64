/**
 * The unchanged reference RelayCore with nothing else running: `identities`
 * registered peers with live broadcasts, then heartbeats (one in three)
 * and lookups from and of peers picked at random, as a simulated run
 * sends them. This is the least the relay's share of a run can cost on
 * this machine, whatever the simulator around it does: at 100,000
 * identities its records no longer fit in the caches either.
 *
 * Each request is made afresh from a random peer number, as an edge makes
 * it from the wire (reading it from 100,000 stored peers would charge the
 * driver's cache misses to the core), and what making it costs is measured
 * on a handler that does nothing and taken off, as relay-core-timer.ts does
 * for its own cost.
 */
import { RelayCore } from '../reference/relay/core/relay-core.ts';
import type { Principal, RelayHandler, RelayRequest, RelayResponse } from '../reference/relay/core/types.ts';
import { MemoryStore } from '../reference/relay/stores/memory-store.ts';
import { nextInt, SeededRng } from '../reference/shared/rng.ts';
import { simCertificateInspector, simIdentity } from '../simulator/world/sim-certificates.ts';
import { emailQuery } from '../simulator/world/transport.ts';

const NO_QUERY = new URLSearchParams();
const EPOCH_MS = Date.UTC(2026, 0, 1);
const RNG_SEED = 1;

/**
 * Microseconds per call inside the core, the driver's own cost taken off:
 * after a warm-up, the driver alone (a do-nothing handler) and the core in
 * alternating rounds, each keeping its best (a neighbour's burst of work
 * then hits both alike). bench:sim alternates the sizes it compares.
 */
export async function relayCoreAloneUs(identities: number, calls = 1_000_000, rounds = 3): Promise<number> {
  const settled: Promise<RelayResponse> = Promise.resolve({ status: 200, body: null });
  const idle: RelayHandler = { handle: () => settled };
  const { core, clock } = await registeredCore(identities);
  let driverUs = Infinity;
  let totalUs = Infinity;
  for (let round = 0; round <= rounds; round++) {
    const idleUs = await driveUs(idle, identities, calls, clock);
    const coreUs = await driveUs(core, identities, calls, clock);
    if (round === 0) continue; // warm-up, also of the driver's code
    driverUs = Math.min(driverUs, idleUs);
    totalUs = Math.min(totalUs, coreUs);
  }
  return Math.max(0, totalUs - driverUs);
}

/** A core on a memory store with `identities` registered peers, each with a live broadcast. */
async function registeredCore(identities: number): Promise<{ core: RelayCore; clock: { nowMs: number } }> {
  const clock = { nowMs: EPOCH_MS };
  const core = new RelayCore({ clock: { nowMs: () => clock.nowMs }, rng: new SeededRng(RNG_SEED), store: new MemoryStore(), certificates: simCertificateInspector, config: { ttlSeconds: 3600, testMode: false } });
  for (let i = 0; i < identities; i++) {
    const peer = simIdentity(i);
    await core.handle({ method: 'POST', path: '/api/relay/register', query: NO_QUERY, bodyText: JSON.stringify({ certificate: peer.certificatePem, email: peer.email }), principal: null });
    await core.handle(post('/api/relay/broadcast/ready', JSON.stringify({ port: 49_200, addresses: ['192.168.1.10', '23.0.0.1'] }), principalOf(peer)));
  }
  return { core, clock };
}

/** Microseconds per call: heartbeats and lookups from and of random peers, every broadcast kept live. */
async function driveUs(handler: RelayHandler, identities: number, calls: number, clock: { nowMs: number }): Promise<number> {
  const rng = new SeededRng(RNG_SEED + 1);
  const startedMs = performance.now();
  for (let i = 0; i < calls; i++) {
    clock.nowMs += 1; // the TTL is an hour; a measurement moves the clock `calls` ms
    const caller = simIdentity(nextInt(rng, identities));
    if (i % 3 === 0) await handler.handle(post('/api/relay/broadcast/heartbeat', '{}', principalOf(caller)));
    else await handler.handle({ method: 'GET', path: '/api/relay/broadcast/lookup', query: emailQuery(simIdentity(nextInt(rng, identities)).email), bodyText: null, principal: principalOf(caller) });
  }
  return ((performance.now() - startedMs) * 1000) / calls;
}

function principalOf(peer: { fingerprintSha256: string }): Principal {
  return { fingerprintSha256: peer.fingerprintSha256, source: 'tls' };
}

function post(path: string, bodyText: string, principal: Principal): RelayRequest {
  return { method: 'POST', path, query: NO_QUERY, bodyText, principal };
}
