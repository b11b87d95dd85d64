/**
 * What a person wants to know about their own peer ("me" in RemoteHouse),
 * folded from the lifecycle's events. Pure: a reducer over LifecycleEvent,
 * so the same fold serves the UI, a test, or the simulator.
 */
import type { LifecycleEvent } from './peer-lifecycle.ts';

export type PeerRelayState = 'registering' | 'announcing' | 'live' | 'relay_trouble' | 'waiting_for_addresses' | 'stopped' | 'failed';

export interface PeerStatus {
  state: PeerRelayState;
  /** One line: what the state means, or what went wrong last. */
  detail: string;
  registeredAtMs: number | null;
  announcedAtMs: number | null;
  lastHeartbeatAtMs: number | null;
  /** The relay's last answer plus its expires_in (SPEC READY/HEARTBEAT); null when it gave none. */
  broadcastExpiresAtMs: number | null;
  /** What the last successful ready announced. */
  port: number | null;
  addresses: string[];
}

export function initialPeerStatus(): PeerStatus {
  return { state: 'registering', detail: 'registering with the relay', registeredAtMs: null, announcedAtMs: null, lastHeartbeatAtMs: null, broadcastExpiresAtMs: null, port: null, addresses: [] };
}

export function nextPeerStatus(status: PeerStatus, event: LifecycleEvent): PeerStatus {
  const expiry = (expiresInS: number | undefined) => (expiresInS === undefined ? null : event.atMs + expiresInS * 1000);
  switch (event.type) {
    case 'registered':
      return { ...status, state: 'announcing', registeredAtMs: event.atMs, detail: event.status === 200 ? 'registered; announcing addresses' : 'already registered (409); announcing addresses' };
    case 'ready':
      return { ...status, state: 'live', announcedAtMs: event.atMs, port: event.port, addresses: [...event.addresses], broadcastExpiresAtMs: expiry(event.expiresInS), detail: 'listed at the relay' };
    case 'heartbeat':
      return { ...status, state: 'live', lastHeartbeatAtMs: event.atMs, broadcastExpiresAtMs: expiry(event.expiresInS) ?? status.broadcastExpiresAtMs, detail: 'listed at the relay' };
    case 'broadcast_expired':
      return { ...status, state: 'announcing', broadcastExpiresAtMs: null, detail: 'the relay had dropped our broadcast (404); announcing again' };
    case 'addresses_changed':
      return { ...status, detail: `addresses changed to ${event.to.join(', ') || '(none)'}; announcing them` };
    case 'waiting_for_addresses':
      return { ...status, state: 'waiting_for_addresses', detail: 'no network address to announce; waiting for one' };
    case 'relay_trouble':
      return { ...status, state: 'relay_trouble', detail: `relay trouble during ${event.step}: ${event.message}; retrying in ${Math.round(event.retryInMs / 1000)} s` };
    case 'observed_address':
      return status;
    case 'goodbye':
      return { ...status, state: 'stopped', broadcastExpiresAtMs: event.outcome === 'failed' ? status.broadcastExpiresAtMs : null, detail: event.outcome === 'failed' ? 'stopped; the relay lists us until our broadcast expires' : 'stopped; no longer listed' };
    case 'fatal':
      return { ...status, state: 'failed', detail: `gave up (${event.code}): ${event.message}` };
  }
}
