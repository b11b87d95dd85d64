/** The bridge's answers, built from the library's own types (bridge-contract.ts has the shapes). */
import { formatSocket, type FriendState } from '../core/friends-monitor.ts';
import type { PeerStatus } from '../core/peer-status.ts';
import type { AttemptReport } from '../core/try-order.ts';
import { peerOrigin } from '../api/connect-to-peer.ts';
import type { OnlinePeer } from '../api/relay-peers.ts';
import type { AttemptView, FriendView, MeView, OnlinePeerView } from './bridge-contract.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function meView(me: { email: string; fingerprintSha256: string; relayUrl: string; certificateNotAfterMs: number | null; serverPort: number }, status: PeerStatus): MeView {
  return {
    email: me.email,
    fingerprintSha256: me.fingerprintSha256,
    relayUrl: me.relayUrl,
    state: status.state,
    stateDetail: status.detail,
    registeredAt: iso(status.registeredAtMs),
    announcedAt: iso(status.announcedAtMs),
    lastHeartbeatAt: iso(status.lastHeartbeatAtMs),
    broadcastExpiresAt: iso(status.broadcastExpiresAtMs),
    certificateExpiresAt: iso(me.certificateNotAfterMs),
    port: status.port ?? me.serverPort,
    addresses: [...status.addresses],
  };
}

export function friendView(f: FriendState): FriendView {
  return {
    email: f.email,
    status: f.status,
    detail: f.detail,
    cachedSocket: f.lastGood ? formatSocket(f.lastGood) : null,
    cachedOrigin: f.lastGood ? peerOrigin(f.lastGood.address, f.lastGood.port) : null,
    lastCheckedAt: iso(f.lastCheckedAtMs),
    changedAt: new Date(f.changedAtMs).toISOString(),
  };
}

export function onlinePeerView(p: OnlinePeer, friends: ReadonlySet<string>): OnlinePeerView {
  return { email: p.email, port: p.port, addresses: [...p.addresses], lastSeen: iso(p.lastSeenMs), isFriend: friends.has(p.email) };
}

export function attemptView(a: AttemptReport): AttemptView {
  return { index: a.index, address: a.address, port: a.port, outcome: a.outcome, seenEmail: a.seenEmail ?? null, detail: a.detail ?? null, elapsedMs: a.elapsedMs };
}
