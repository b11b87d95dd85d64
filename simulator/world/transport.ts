/**
 * The virtual transport behind the peer core's two ports. Relay calls and
 * health dials are routed through the Network, and their answers come back
 * as events after the path's delay, so the peer core sees exactly what a
 * socket would give it: an answer, a fast refusal, or silence (its own
 * timer then decides). Relay calls are handled by the unchanged RelayCore,
 * awaited inside the event so nothing interleaves.
 *
 * Timing: a relay call costs TCP + TLS 1.3 set-up (two round trips) before
 * the request's one-way trip; a health dial costs TCP set-up plus the HTTP
 * exchange (two round trips). The answer returns over the same delay.
 *
 * Source ports: by default relay calls and dials leave from ephemeral
 * ports whose NAT state is not kept, as the reference peer's do (its relay
 * client is an undici Agent, its health dials fresh sockets). Only under
 * the shared-port hypothesis do relay calls leave from the Peer Server
 * port, their NAT mapping held by the calls' connections (RelayConnections).
 *
 * The relay sees each request come from the address the route delivered
 * it from (a NAT's outside address, the outermost one behind a CGNAT),
 * which the edge of a real relay reads off the TCP connection: that is
 * the request's `remoteAddress` (SPEC EXT-3's observed address).
 */
import type { Cancellable, DialOutcome, Dialer, ReadyPayload, RelayPort, RelayReply } from '../../reference/peer/core/ports.ts';
import type { Principal, RelayRequest, RelayResponse } from '../../reference/relay/core/types.ts';
import { nextFloat, type Rng } from '../../reference/shared/rng.ts';
import { RELAY_PATHS } from '../../reference/shared/relay-paths.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Network } from '../net/network.ts';
import type { HeartbeatBlackout, RelayTrafficFrom } from '../scenario/scenario.ts';
import { RELAY_KEEPALIVE_IDLE_MS, RelayConnections } from './relay-connections.ts';
import type { VirtualPeer } from './virtual-peer.ts';
import type { VirtualRelay } from './virtual-relay.ts';

export const RELAY_PORT = 443;
const RELAY_SETUP_ROUND_TRIPS = 2;
const DIAL_ROUND_TRIPS = 2;

export type RelayCallKind = 'register' | 'ready' | 'heartbeat' | 'lookup' | 'goodbye';

/** One relay request in flight; it is its own cancel handle (no closure per call). */
export class RelayCall implements Cancellable {
  oneWayMs = 0;
  cancelled = false;
  reply: RelayReply | null = null;
  /** Under the shared-port hypothesis, the peer's connections while this call's is open; null once closed. */
  connection: RelayConnections | null = null;
  /** A lookup's target email, as its query carries it (the truth reads it here, not back out of the query). */
  lookupEmail: string | null = null;
  constructor(
    readonly peer: VirtualPeer,
    readonly kind: RelayCallKind,
    readonly request: RelayRequest,
    readonly onReply: (reply: RelayReply) => void,
  ) {}
  cancel(): void {
    this.cancelled = true;
    // The client gives up: undici destroys the socket at once.
    this.closeConnection(0);
  }

  closeConnection(idleMs: number): void {
    this.connection?.closed(idleMs);
    this.connection = null;
  }
}

/** One health dial in flight, and its cancel handle. */
class DialCall implements Cancellable {
  /** The pending answer event (slot and seq: no EventRef object per dial); slot -1 when none. */
  slot = -1;
  seq = 0;
  constructor(
    private readonly queue: Simulation['queue'],
    readonly outcome: DialOutcome | null,
    readonly onOutcome: (outcome: DialOutcome) => void,
    private readonly observe: DialObserver | undefined,
  ) {}
  cancel(): void {
    if (this.slot >= 0) this.queue.cancel(this);
    this.slot = -1;
    this.observe?.closed();
  }
}

export interface TransportOptions {
  relayIpv4: string;
  relayIpv6: string;
  relayTrafficFrom: RelayTrafficFrom;
  heartbeatLossRatio: number;
  heartbeatBlackouts: readonly HeartbeatBlackout[];
  /**
   * Fill each relay request's `remoteAddress`. Only the core of a relay
   * offering observed-address reads it (SPEC EXT-3), so otherwise it is
   * left out: formatting an address per relay call costs on the hot path.
   */
  fillRemoteAddress: boolean;
}

export interface TransportObserver {
  /** The relay answered (measurements look at request and response here). */
  relayAnswered(call: RelayCall, response: RelayResponse): void;
  heartbeatDropped(peer: VirtualPeer): void;
  /** Which live peer, if any, serves `port` on host `host`. */
  serverAt(host: number, port: number): VirtualPeer | null;
}

export class Transport {
  private readonly relayArriveKind: number;
  private readonly relayReplyKind: number;
  private readonly dialAnswerKind: number;

  constructor(
    private readonly sim: Simulation,
    private readonly net: Network,
    private readonly relay: () => VirtualRelay,
    private readonly faultRng: Rng,
    private readonly options: TransportOptions,
    private readonly observer: TransportObserver,
  ) {
    this.relayArriveKind = sim.defineEvent('relay-arrive', (_t, payload) => this.onRelayArrive(payload as RelayCall));
    this.relayReplyKind = sim.defineEvent('relay-reply', (_t, payload) => this.onRelayReply(payload as RelayCall));
    this.dialAnswerKind = sim.defineEvent('dial-answer', (_t, payload) => this.onDialAnswer(payload as DialCall));
  }

  /** The peer's RelayPort, made once per peer. */
  relayPortFor(peer: VirtualPeer): RelayPort {
    peer.relayPort ??= this.makeRelayPort(peer);
    return peer.relayPort;
  }

  private makeRelayPort(peer: VirtualPeer): RelayPort {
    return new SimRelayPort(peer, this);
  }

  /** A dialer for `peer`; `onDial` sees each dial as it starts (the try-order oracle's log). */
  dialerFor(peer: VirtualPeer, onDial?: (address: string) => DialObserver): Dialer {
    return {
      dial: (address, port, _expectedEmail, _timeoutMs, onOutcome) => {
        const observe = onDial?.(address);
        return this.dial(peer, address, port, observe ? (o) => (observe.answered(o), onOutcome(o)) : onOutcome, observe);
      },
    };
  }

  /** Sends one relay request for `peer` (SimRelayPort calls this: no closure per peer). */
  sendRelay(peer: VirtualPeer, kind: RelayCallKind, request: RelayRequest, onReply: (reply: RelayReply) => void, lookupEmail: string | null = null): Cancellable {
    const call = new RelayCall(peer, kind, request, onReply);
    call.lookupEmail = lookupEmail;
    if (kind === 'heartbeat' && this.dropsHeartbeat()) {
      this.observer.heartbeatDropped(peer);
      return call;
    }
    const host = peer.placement.host;
    const relayAddress = this.net.hasIpv4(host) ? this.options.relayIpv4 : this.options.relayIpv6;
    const held = this.options.relayTrafficFrom === 'shared-port-hypothesis' ? (peer.relayConnections ??= new RelayConnections(this.sim.clock)) : null;
    const route = this.net.route(host, held === null ? null : peer.placement.serverPort, relayAddress, RELAY_PORT, this.sim.clock.elapsedMs(), held);
    if (held !== null && route.outcome === 'delivered') {
      held.opened();
      call.connection = held;
    } else if (held !== null) {
      held.attempted();
    }
    if (route.outcome === 'delivered') {
      if (this.options.fillRemoteAddress) request.remoteAddress = route.seenAddress;
      call.oneWayMs = route.oneWayMs;
      this.sim.post((2 * RELAY_SETUP_ROUND_TRIPS + 1) * route.oneWayMs, this.relayArriveKind, peer.index, call);
    } else if (route.outcome === 'rejected') {
      call.reply = { kind: 'unreachable', message: `relay unreachable: ${route.reason}` };
      this.sim.post(2 * route.oneWayMs, this.relayReplyKind, peer.index, call);
    }
    return call;
  }

  /** Silently, as a lossy path would: the core's request timeout decides. A blackout draws nothing from the fault stream. */
  private dropsHeartbeat(): boolean {
    const now = this.sim.clock.elapsedMs();
    if (this.options.heartbeatBlackouts.some((b) => now >= b.atMs && now < b.atMs + b.durationMs)) return true;
    return this.options.heartbeatLossRatio > 0 && nextFloat(this.faultRng) < this.options.heartbeatLossRatio;
  }

  /**
   * Not `async`: a cancelled call or a down relay answers without a promise for the run loop to
   * await, and an answered one chains on the core's promise without an async frame of its own.
   */
  private onRelayArrive(call: RelayCall): Promise<void> | undefined {
    if (call.cancelled) return undefined;
    const relay = this.relay();
    if (relay.isUp) return relay.handle(call.request).then((response) => this.relayResponded(call, response));
    // The relay host is up but its process is not: the connection is refused.
    call.reply = { kind: 'unreachable', message: 'connection refused: the relay is down' };
    this.sim.post(call.oneWayMs, this.relayReplyKind, call.peer.index, call);
    return undefined;
  }

  private relayResponded(call: RelayCall, response: RelayResponse): void {
    this.observer.relayAnswered(call, response);
    call.reply = { kind: 'response', status: response.status, body: response.body };
    this.sim.post(call.oneWayMs, this.relayReplyKind, call.peer.index, call);
  }

  private onRelayReply(call: RelayCall): void {
    // An answered connection idles before the client closes it; a refused one is gone at once.
    call.closeConnection(call.reply?.kind === 'response' ? RELAY_KEEPALIVE_IDLE_MS : 0);
    if (!call.cancelled && call.reply !== null) call.onReply(call.reply);
  }

  private dial(peer: VirtualPeer, address: string, port: number, onOutcome: (o: DialOutcome) => void, observe?: DialObserver): Cancellable {
    const route = this.net.route(peer.placement.host, null, address, port, this.sim.clock.elapsedMs());
    if (route.outcome === 'dropped') return new DialCall(this.sim.queue, null, onOutcome, observe); // silence: the core's timer ends it
    let outcome: DialOutcome;
    let delayMs: number;
    if (route.outcome === 'delivered') {
      const server = this.observer.serverAt(route.host, port);
      observe?.reached(server);
      // Something is at that address: it answers the health check, or its TCP stack refuses (RST).
      outcome = server !== null ? { kind: 'ok', email: server.identity.email } : { kind: 'refused', detail: 'connection refused' };
      delayMs = 2 * (server !== null ? DIAL_ROUND_TRIPS : 1) * route.oneWayMs;
    } else {
      outcome = { kind: 'refused', detail: route.reason };
      delayMs = 2 * route.oneWayMs;
    }
    const call = new DialCall(this.sim.queue, outcome, onOutcome, observe);
    call.slot = this.sim.queue.pushSlot(this.sim.clock.elapsedMs() + Math.max(0, delayMs), this.dialAnswerKind, peer.index, call);
    call.seq = this.sim.queue.seqAt(call.slot);
    return call;
  }

  private onDialAnswer(call: DialCall): void {
    call.slot = -1;
    if (call.outcome !== null) call.onOutcome(call.outcome);
  }
}

/** What the try-order oracle learns about one dial. */
export interface DialObserver {
  /** The network delivered the dial to this server (null: a host with nothing listening). */
  reached(server: VirtualPeer | null): void;
  answered(outcome: DialOutcome): void;
  /** The caller gave up on it (timeout or another attempt won). */
  closed(): void;
}

/** POST requests carry no query: one shared, never-mutated empty instance (the core only reads it). */
const NO_QUERY = new URLSearchParams();

/** `new URLSearchParams({ email })`, built the cheaper way (same entries: append converts to USVString as the record form does). */
export function emailQuery(email: string): URLSearchParams {
  const query = new URLSearchParams();
  query.append('email', email);
  return query;
}

/** The relay endpoints as one peer calls them (authenticated by its certificate's fingerprint). */
class SimRelayPort implements RelayPort {
  constructor(
    private readonly peer: VirtualPeer,
    private readonly transport: Transport,
  ) {}

  /** Made per request rather than held: at a million peers, a short-lived object per call is cheaper than 40 B each. */
  private get principal(): Principal {
    return { fingerprintSha256: this.peer.identity.fingerprintSha256, source: 'tls' };
  }

  register(onReply: (reply: RelayReply) => void): Cancellable {
    const { certificatePem, email } = this.peer.identity;
    return this.transport.sendRelay(this.peer, 'register', { method: 'POST', path: '/api/relay/register', query: NO_QUERY, bodyText: JSON.stringify({ certificate: certificatePem, email }), principal: null }, onReply);
  }

  ready(payload: ReadyPayload, onReply: (reply: RelayReply) => void): Cancellable {
    return this.transport.sendRelay(this.peer, 'ready', this.post('/api/relay/broadcast/ready', JSON.stringify(payload)), onReply);
  }

  heartbeat(onReply: (reply: RelayReply) => void): Cancellable {
    return this.transport.sendRelay(this.peer, 'heartbeat', this.post('/api/relay/broadcast/heartbeat', '{}'), onReply);
  }

  lookup(email: string, onReply: (reply: RelayReply) => void): Cancellable {
    return this.transport.sendRelay(this.peer, 'lookup', { method: 'GET', path: '/api/relay/broadcast/lookup', query: emailQuery(email), bodyText: null, principal: this.principal }, onReply, email);
  }

  /** SPEC EXT-2, as the reference relay client sends it (an empty JSON object); the lifecycle calls it only where offered. */
  goodbye(onReply: (reply: RelayReply) => void): Cancellable {
    return this.transport.sendRelay(this.peer, 'goodbye', this.post(RELAY_PATHS.goodbye, '{}'), onReply);
  }

  private post(path: string, bodyText: string): RelayRequest {
    return { method: 'POST', path, query: NO_QUERY, bodyText, principal: this.principal };
  }
}
