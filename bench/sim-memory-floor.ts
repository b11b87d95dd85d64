/**
 * Part of the floor under bench:sim's memory (npm run bench:sim:memory):
 * what the simulator's relay (the reference RelayCore on its memory
 * store, unchanged) holds per registered identity and per live broadcast,
 * measured through VirtualRelay as the simulator drives it: a simulated
 * certificate registered, then a ready with three addresses (LAN IPv4,
 * IPv6, public IPv4: what a home peer here announces). Heap plus memory
 * outside it, after full collections, as bench/relay-memory.ts counts.
 * Needs node --expose-gc (bench:sim passes it).
 */
import { VirtualClock } from '../simulator/engine/virtual-clock.ts';
import { SeededRng } from '../reference/shared/rng.ts';
import { RELAY_PATHS } from '../reference/shared/relay-paths.ts';
import { simIdentity } from '../simulator/world/sim-certificates.ts';
import { VirtualRelay } from '../simulator/world/virtual-relay.ts';
import { settledHeapBytes } from './settled-heap.ts';

export interface RelayFloor {
  /** The identities and live broadcasts the store was built with alone. */
  identities: number;
  liveBroadcasts: number;
  /** Whether that is a larger store than the one asked for, its bytes scaled down (the asked one was too small to measure). */
  scaled: boolean;
  /** An identity that never announced, or whose broadcast expired (the relay keeps identities for good). */
  bytesPerIdentity: number;
  /** What a live broadcast adds to its identity. */
  bytesPerLiveBroadcast: number;
  /** What the store asked for holds: identities × bytesPerIdentity + liveBroadcasts × bytesPerLiveBroadcast. */
  storeBytes: number;
}

const NO_QUERY = new URLSearchParams();

/**
 * The store of `identities` identities (the probe's among them) of which
 * `liveBroadcasts` announced, built alone and measured; below
 * `leastIdentities` a store of that many (with as large a share live) is
 * measured and scaled.
 */
export async function relayFloor(identities: number, liveBroadcasts: number, leastIdentities: number): Promise<RelayFloor> {
  if (!Number.isInteger(identities) || identities < 1) throw new RangeError(`identities must be a positive integer, got ${identities}`);
  if (!Number.isInteger(liveBroadcasts) || liveBroadcasts < 0 || liveBroadcasts > identities) throw new RangeError(`live broadcasts must be an integer in [0, ${identities}], got ${liveBroadcasts}`);
  if (!Number.isInteger(leastIdentities) || leastIdentities < 1000) throw new RangeError(`measure at least 1,000 identities, got ${leastIdentities}`);
  const scaled = identities < leastIdentities;
  const built = scaled ? leastIdentities : identities;
  const live = scaled ? Math.round((liveBroadcasts * leastIdentities) / identities) : liveBroadcasts;
  const relay = new VirtualRelay(new VirtualClock(), new SeededRng(1), 3600, 'memory');
  await relay.registerProbe();
  // Identities far above any run's peer indices: nothing else in this process holds their strings.
  // One of them registered and announced before the base, so the Maps and the probe are in it.
  const first = 0x4000_0000;
  await register(relay, first - 1);
  await ready(relay, first - 1);
  const base = await settledHeapBytes('the relay floor');
  for (let i = 0; i < built; i++) await register(relay, first + i);
  const registered = await settledHeapBytes('the relay floor');
  for (let i = 0; i < live; i++) await ready(relay, first + i);
  const announced = await settledHeapBytes('the relay floor');
  // Read the store after the last measurement: that also keeps it reachable until then (V8 may drop a variable an async function no longer reads).
  const listed = await relay.countLive();
  if (listed !== live + 1) throw new Error(`the relay lists ${listed} broadcasts, expected ${live + 1}`);
  const bytesPerIdentity = (registered - base) / built;
  const bytesPerLiveBroadcast = live === 0 ? 0 : (announced - registered) / live;
  return { identities: built, liveBroadcasts: live, scaled, bytesPerIdentity, bytesPerLiveBroadcast, storeBytes: identities * bytesPerIdentity + liveBroadcasts * bytesPerLiveBroadcast };
}

async function register(relay: VirtualRelay, index: number): Promise<void> {
  const identity = simIdentity(index);
  const response = await relay.handle({ method: 'POST', path: RELAY_PATHS.register, query: NO_QUERY, bodyText: JSON.stringify({ certificate: identity.certificatePem, email: identity.email }), principal: null });
  if (response.status !== 200) throw new Error(`register answered ${response.status}: ${JSON.stringify(response.body)}`);
}

async function ready(relay: VirtualRelay, index: number): Promise<void> {
  const k = index & 0xffff;
  const bodyText = JSON.stringify({ port: 49152 + (k % 16000), addresses: ['192.168.1.10', `2001:db8:0:${k.toString(16)}::a`, `23.0.${k >> 8}.${k & 255}`] });
  const response = await relay.handle({ method: 'POST', path: RELAY_PATHS.ready, query: NO_QUERY, bodyText, principal: { fingerprintSha256: simIdentity(index).fingerprintSha256, source: 'tls' } });
  if (response.status !== 200) throw new Error(`ready answered ${response.status}: ${JSON.stringify(response.body)}`);
}
