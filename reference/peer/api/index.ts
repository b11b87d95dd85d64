/**
 * The peer's library API: what RemoteHouse's bridge and the CLI verbs
 * (list, connect, ls, get) call, and what a Node app embeds (the seed's
 * Tauri commands `query_relay_peers` and `connect_to_peer`, the friends
 * monitor, a Peer Server files client).
 *
 *   const peer = await runPeer({ relayUrl, relayCaPem, identity, root, friends: { file, statusDir } });
 *   const page = await queryRelayPeers(peer.relayClient(), { filter: 'example.com' });
 *   const visit = connectToPeer(peer.relay, 'alice@example.com');
 *   for await (const attempt of visit.attempts) console.log(describeAttempt(attempt));
 *   const outcome = await visit.result;  // kind 'connected': outcome.origin answered as alice
 *   if (outcome.kind === 'connected') console.log((await new PeerFilesClient(outcome.origin).list()).entries);
 *   peer.friendsList?.subscribe((event) => console.log(event));
 */
export { connectToPeer, describeAttempt, peerOrigin, type ConnectOptions, type ConnectOutcome, type FoundPeer, type PeerConnection } from './connect-to-peer.ts';
export { lookupPeer, queryRelayPeers, RelayCallError, MAX_LIST_LIMIT, type OnlinePeer, type PeersPage, type PeersQuery } from './relay-peers.ts';
export { PeerFilesClient, PeerRequestError, type FileEntry } from './files-client.ts';
export { runPeer, PeerFatalError, type RunPeerOptions, type RunningPeer } from '../http/run-peer.ts';
export { RelayClient, RelayUnreachableError, type RelayClientOptions } from '../http/relay-client.ts';
export { FriendsMonitor, type FriendsEvent, type FriendState, type FriendStatus, type FriendEntry } from '../core/friends-monitor.ts';
export type { FriendsList } from '../http/friends-list.ts';
export type { PeerStatus, PeerRelayState } from '../core/peer-status.ts';
export type { AttemptReport, TryStrategy } from '../core/try-order.ts';
export type { LookupResult } from '../core/lookup-reply.ts';
export { loadOrCreateIdentity, newPeerIdentity, type Identity } from '../../identity/identity-files.ts';
export { startRemoteHouse, type RemoteHouseOptions, type RunningRemoteHouse } from '../ui/bridge-server.ts';
