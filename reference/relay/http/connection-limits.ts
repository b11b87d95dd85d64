/**
 * Bounds the relay's open connections, in total and per source address,
 * at the TCP level: before any TLS work is done for them. Each connection
 * uses a file descriptor; without a cap, 1,100 idle TCP connections
 * exhaust the common 1,024 limit and every honest client fails.
 *
 * A connection over a cap is destroyed at once. The per-address cap counts
 * the connections that hold the relay's attention: in their handshake,
 * waiting for a first request, or with a request in flight. An idle
 * keep-alive connection (it served a request and waits for the next, for at
 * most the keep-alive timeout) does not count there, so a client pool
 * behind one address is not refused for reusing its connections. Every
 * connection counts toward the total cap; at that cap the gate first closes
 * an idle keep-alive connection (its client only has to reconnect) and
 * refuses only when there is none.
 *
 * It also knows which connections finished their TLS handshake (serve.ts
 * destroys the others on a client error) and can close everything on
 * shutdown, including connections the HTTP layer never saw.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import { isIPv4, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface ConnectionLimits {
  /** Open connections in total; Infinity for no cap. */
  maxConnections: number;
  /** Open connections from one source address; Infinity for no cap. */
  maxConnectionsPerAddress: number;
}

export const CONNECTION_DEFAULTS = {
  // Leaves room under the common 1,024 open-files limit for the process's own descriptors (about 30) and a store pool.
  maxConnections: 900,
  maxConnectionsPerAddress: 100,
  handshakeTimeoutMs: 10_000,
} as const;

export type RefusalScope = 'total' | 'address';

interface Tracked {
  raw: Socket;
  address: string;
  endpoint: string;
  tls: TLSSocket | null;
  /** Requests in progress on this connection. */
  busy: number;
  served: number;
  /** Whether it counts toward its address's cap (everything except idle keep-alive). */
  counted: boolean;
  released: boolean;
}

export class ConnectionGate {
  private readonly all = new Set<Tracked>();
  /** Per address: connections that count toward its cap. */
  private readonly activeByAddress = new Map<string, number>();
  private readonly byEndpoint = new Map<string, Tracked>();
  private readonly byTls = new WeakMap<object, Tracked>();

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly onRefused: (scope: RefusalScope, address: string, cap: number) => void,
  ) {}

  /** Hooks into the server: must run before any request is served. */
  attach(server: Server): void {
    // Prepended: runs before the TLS layer wraps the socket, so a refused one costs no handshake.
    server.prependListener('connection', (raw: Socket) => this.admit(raw));
    server.on('secureConnection', (tls: TLSSocket) => {
      const tracked = this.byEndpoint.get(endpointKey(tls));
      if (!tracked || tracked.released) return;
      tracked.tls = tls;
      this.byTls.set(tls, tracked);
    });
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const tracked = this.byTls.get(request.socket);
      if (!tracked) return;
      tracked.busy += 1;
      this.count(tracked, true);
      response.once('close', () => {
        tracked.busy -= 1;
        tracked.served += 1;
        if (tracked.busy === 0 && !tracked.released) this.count(tracked, false);
      });
    });
  }

  /** Whether this socket completed its TLS handshake (only then can an HTTP answer reach its client). */
  isSecured(socket: object): boolean {
    return this.byTls.has(socket) || (socket as { _secureEstablished?: boolean })._secureEstablished === true;
  }

  get openConnections(): number {
    return this.all.size;
  }

  /** Connections from `address` that count toward its cap. */
  activeFrom(address: string): number {
    return this.activeByAddress.get(normalizeAddress(address)) ?? 0;
  }

  /** Shutdown, first step: connections still in their handshake carry no request; close them now. */
  destroyUnsecured(): void {
    for (const tracked of [...this.all]) if (!tracked.tls) this.destroy(tracked);
  }

  /** Shutdown, end of the grace period: close whatever is left. */
  destroyAll(): void {
    for (const tracked of [...this.all]) this.destroy(tracked);
  }

  private admit(raw: Socket): void {
    const address = normalizeAddress(raw.remoteAddress ?? '');
    if (!address) {
      // Already gone (reset before we saw it).
      raw.destroy();
      return;
    }
    // Per address first: a connection refused anyway must not cost another client its idle connection.
    if (this.activeFrom(address) >= this.limits.maxConnectionsPerAddress) {
      raw.destroy();
      this.onRefused('address', address, this.limits.maxConnectionsPerAddress);
      return;
    }
    if (this.all.size >= this.limits.maxConnections && !this.evictIdle(this.all)) {
      raw.destroy();
      this.onRefused('total', address, this.limits.maxConnections);
      return;
    }
    const tracked: Tracked = { raw, address, endpoint: endpointKey(raw), tls: null, busy: 0, served: 0, counted: false, released: false };
    this.all.add(tracked);
    this.count(tracked, true);
    this.byEndpoint.set(tracked.endpoint, tracked);
    raw.once('close', () => this.release(tracked));
  }

  private count(tracked: Tracked, counted: boolean): void {
    if (tracked.counted === counted) return;
    tracked.counted = counted;
    const active = (this.activeByAddress.get(tracked.address) ?? 0) + (counted ? 1 : -1);
    if (active > 0) this.activeByAddress.set(tracked.address, active);
    else this.activeByAddress.delete(tracked.address);
  }

  private evictIdle(scope: Set<Tracked>): boolean {
    for (const tracked of scope) {
      if (tracked.tls && tracked.busy === 0 && tracked.served > 0) {
        this.destroy(tracked);
        return true;
      }
    }
    return false;
  }

  private destroy(tracked: Tracked): void {
    // Counted as gone at once: the 'close' event comes a tick later.
    this.release(tracked);
    tracked.tls?.destroy();
    tracked.raw.destroy();
  }

  private release(tracked: Tracked): void {
    if (tracked.released) return;
    this.count(tracked, false);
    tracked.released = true;
    this.all.delete(tracked);
    if (this.byEndpoint.get(tracked.endpoint) === tracked) this.byEndpoint.delete(tracked.endpoint);
  }
}

function endpointKey(socket: Socket): string {
  return `${socket.remoteAddress ?? ''}|${socket.remotePort ?? ''}`;
}

/** `::ffff:192.0.2.1` is the IPv4 client 192.0.2.1 on a dual-stack socket. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}
