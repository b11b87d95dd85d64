/**
 * Part of the floor under bench:sim's memory: what one live peer's
 * reference PeerLifecycle (unchanged, as every simulated peer runs it)
 * holds by itself once live: registered, its ready accepted, its
 * heartbeat and address-check timers set. Its options, clock and relay
 * port are one shared set here, so only the core's own objects are counted
 * (in the simulator those adapters are per peer and count apart), with
 * the least a timer service must keep for the two timers it has set: a
 * handle holding its callback (the core's closure) each.
 * Heap plus memory outside it, after full collections. Needs --expose-gc.
 */
import { PeerLifecycle } from '../reference/peer/core/peer-lifecycle.ts';
import { NOT_CANCELLABLE, type RelayPort, type RelayReply } from '../reference/peer/core/ports.ts';
import type { TimerHandle, Timers } from '../reference/shared/timers.ts';
import { settledHeapBytes } from './settled-heap.ts';

const ACCEPTED: RelayReply = { kind: 'response', status: 200, body: { status: 'ok', expires_in: 3600 } };

/**
 * Keeps what the core has set the least a timer service can: each handle
 * holds its callback (the core's closure) and lives as long as the core
 * holds the handle; the core drops a handle when it clears or replaces it.
 */
const TIMERS: Timers = {
  setTimer: (_delayMs: number, fn: () => void): TimerHandle => ({ id: 0, fn }) as TimerHandle,
  clearTimer: () => {},
};

const RELAY: RelayPort = {
  register: (onReply) => (onReply(ACCEPTED), NOT_CANCELLABLE),
  ready: (_payload, onReply) => (onReply(ACCEPTED), NOT_CANCELLABLE),
  heartbeat: (onReply) => (onReply(ACCEPTED), NOT_CANCELLABLE),
  lookup: (_email, onReply) => (onReply({ kind: 'response', status: 404, body: null }), NOT_CANCELLABLE),
};
// What a home peer here announces (LAN IPv4, IPv6, public IPv4), one array shared as the World's is per peer.
const ADDRESSES = ['192.168.1.10', '2001:db8:0:1::a', '23.0.0.1'];
const OPTIONS = { email: 'peer1@sim.test', port: 50_000, addressSource: () => ADDRESSES, heartbeatIntervalMs: 1_800_000, addressCheckIntervalMs: 1_800_000 };

/** Bytes one live PeerLifecycle holds by itself, measured over `count` of them. */
export async function peerCoreBytes(count: number): Promise<number> {
  if (!Number.isInteger(count) || count < 1000) throw new RangeError(`measure at least 1,000 lifecycles, got ${count}`);
  const kept: PeerLifecycle[] = new Array<PeerLifecycle>(count);
  const deps = { clock: { nowMs: () => 0 }, timers: TIMERS, relay: RELAY };
  // One lifecycle first, so the code's first run is in the base.
  new PeerLifecycle(OPTIONS, deps).start();
  const base = await settledHeapBytes('the peer core floor');
  for (let i = 0; i < count; i++) {
    const lifecycle = new PeerLifecycle(OPTIONS, deps);
    lifecycle.start();
    kept[i] = lifecycle;
  }
  const held = await settledHeapBytes('the peer core floor');
  // Read them after the measurement, which also keeps them reachable until then.
  const notLive = kept.filter((l) => l.currentPhase !== 'live').length;
  if (notLive > 0) throw new Error(`${notLive} of ${count} lifecycles are not live`);
  return (held - base) / count;
}
