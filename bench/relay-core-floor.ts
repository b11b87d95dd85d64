/**
 * The floor under the relay core's per-call cost at a given number of
 * identities: what the least a store keyed by fingerprint (SPEC AUTH-2) and
 * by email (LOOKUP-1) must read costs here, with nothing of the core around
 * it. Per call, as relay-core-alone.ts sends them (one heartbeat in three,
 * else a lookup): one Map probe by the caller's fingerprint, its row and
 * its line of times; for a lookup, one more probe by the target's email,
 * that row and its line. Keys are made afresh per call, as an edge makes
 * them from the wire, and that making is measured alone and taken off.
 *
 * At 1,000 identities all of it sits in the caches; at 100,000 each of
 * those reads is a cache miss (and a TLB miss), which no code above the
 * store can avoid: the core's per-call cost can grow by no less than this
 * floor grows.
 */
import { nextInt, SeededRng } from '../reference/shared/rng.ts';
import { simIdentity } from '../simulator/world/sim-certificates.ts';

const STRIDE = 8;

/** Shaped like the memory store's row (reference/relay/stores/memory-rows.ts), references only. */
class FloorRow {
  constructor(
    readonly email: string,
    readonly fingerprintSha256: string,
    readonly slot: number,
    readonly port: number,
  ) {}
}

interface FloorStore {
  byEmail: Map<string, FloorRow>;
  byFingerprint: Map<string, FloorRow>;
  times: Float64Array;
}

/** Microseconds per call at each size, best of `rounds` alternating rounds. */
export function storeFloorUs(sizes: readonly number[], calls = 1_000_000, rounds = 3): number[] {
  const stores = sizes.map(build);
  const best = sizes.map(() => Infinity);
  for (let round = 0; round <= rounds; round++) {
    for (const [i, identities] of sizes.entries()) {
      const keysUs = probeUs(null, identities, calls);
      const totalUs = probeUs(stores[i] as FloorStore, identities, calls);
      if (round > 0) best[i] = Math.min(best[i] as number, Math.max(0, totalUs - keysUs));
    }
  }
  return best;
}

function build(identities: number): FloorStore {
  const store: FloorStore = { byEmail: new Map(), byFingerprint: new Map(), times: new Float64Array(identities * STRIDE) };
  for (let slot = 0; slot < identities; slot++) {
    const peer = simIdentity(slot);
    const row = new FloorRow(peer.email, peer.fingerprintSha256, slot, 49_200);
    store.byEmail.set(row.email, row);
    store.byFingerprint.set(row.fingerprintSha256, row);
    store.times[slot * STRIDE + 4] = Number.MAX_SAFE_INTEGER;
  }
  return store;
}

/** With `store` null, only the keys are made: the cost taken off. */
function probeUs(store: FloorStore | null, identities: number, calls: number): number {
  const rng = new SeededRng(2);
  let sink = 0;
  const startedMs = performance.now();
  for (let i = 0; i < calls; i++) {
    const fingerprint = simIdentity(nextInt(rng, identities)).fingerprintSha256;
    const email = i % 3 === 0 ? null : simIdentity(nextInt(rng, identities)).email;
    if (store === null) {
      sink += fingerprint.length + (email?.length ?? 0);
      continue;
    }
    const caller = store.byFingerprint.get(fingerprint) as FloorRow;
    sink += store.times[caller.slot * STRIDE + 1] as number;
    if (email !== null) {
      const target = store.byEmail.get(email) as FloorRow;
      sink += (store.times[target.slot * STRIDE + 4] as number) + target.port;
    }
  }
  const elapsedUs = ((performance.now() - startedMs) * 1000) / calls;
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the reads from being optimised away');
  return elapsedUs;
}
