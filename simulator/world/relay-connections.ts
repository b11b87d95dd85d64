/**
 * One peer's relay connections as its NAT sees them, for the shared-port
 * hypothesis (relay traffic sent from the Peer Server port, so the NAT
 * mapping it makes is also a way in). The default model needs none of
 * this: its relay traffic leaves from ephemeral ports and keeps no state.
 *
 * A connection per relay call, standing for the reference relay client
 * (reference/peer/http/relay-client.ts), an undici Agent: after an answer
 * it keeps the connection idle for the server's Keep-Alive hint less 2 s,
 * then closes it. The reference relay sets keepAliveTimeout to 30 s
 * (reference/relay/http/serve.ts), so it sends `Keep-Alive: timeout=30`
 * and the client closes 28 s after each answer (measured with undici
 * 7.30; undici's own default, without a hint, is 4 s). Nothing stays open
 * between heartbeats. Simplification: undici would reuse an idle
 * connection for a call inside those 28 s; here each call opens its own,
 * which for the NAT is the same mapping held until the last one closes.
 */
import type { VirtualClock } from '../engine/virtual-clock.ts';
import { RELAY_KEEP_ALIVE_TIMEOUT_MS } from '../../reference/relay/http/keep-alive.ts';
import type { TcpConnections } from '../net/nat-box.ts';

/** undici's keepAliveTimeoutThreshold default: it closes this long before the server's hint runs out. */
const UNDICI_KEEP_ALIVE_THRESHOLD_MS = 2_000;
export const RELAY_KEEPALIVE_IDLE_MS = RELAY_KEEP_ALIVE_TIMEOUT_MS - UNDICI_KEEP_ALIVE_THRESHOLD_MS;

export class RelayConnections implements TcpConnections {
  open = 0;
  closesAtMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly clock: VirtualClock) {}

  opened(): void {
    this.open++;
  }

  /** One closes `idleMs` from now: after an answer, the keep-alive idle; 0 when refused or abandoned. */
  closed(idleMs: number): void {
    this.open--;
    this.closesAtMs = Math.max(this.closesAtMs, this.clock.elapsedMs() + idleMs);
  }

  /** A SYN that never led to a connection (lost or refused): what it made in the NAT is transitory from now. */
  attempted(): void {
    this.closesAtMs = Math.max(this.closesAtMs, this.clock.elapsedMs());
  }
}
