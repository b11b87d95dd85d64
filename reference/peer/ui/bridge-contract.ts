/**
 * RemoteHouse's bridge API: what the page (web/) may ask its own origin,
 * and what the peer process (bridge-server.ts) answers. One place for the
 * paths, the token header and every JSON shape, imported by both sides
 * (types only on the page side: nothing here touches Node).
 *
 * Every /bridge/ request carries the per-run token in BRIDGE_TOKEN_HEADER
 * (the page reads it from its URL fragment `#t=TOKEN`, never from a URL it
 * loads). Errors are `{ error, code, hint }` with a stable code.
 *
 * Streams (`text/event-stream`, read with fetch() because EventSource
 * cannot send the header): each event is `event: NAME\ndata: JSON\n\n`.
 */

export const BRIDGE_TOKEN_HEADER = 'x-remotehouse-token';

export const BRIDGE_PATHS = {
  me: '/bridge/me',
  /** GET ?limit=1..1000&cursor=C&q=TEXT */
  peers: '/bridge/peers',
  /** GET ?email=E */
  lookup: '/bridge/lookup',
  /** POST {email, strategy?} → event stream of ConnectEvent */
  connect: '/bridge/connect',
  /** GET → FriendsAnswer; POST {email} → FriendView */
  friends: '/bridge/friends',
  /** DELETE /bridge/friends/{email} → 204; POST /bridge/friends/{email}/check → 202 */
  friend: (email: string) => `/bridge/friends/${encodeURIComponent(email)}`,
  /** GET → event stream of StatusEvent */
  events: '/bridge/events',
} as const;

export interface BridgeError {
  error: string;
  /** Stable: bad_request, invalid_email, not_found, token_required, host_forbidden, relay_unreachable, relay_error, peer_not_online, peer_unreachable, no_friends_list ... */
  code: string;
  /** What the user can do about it, one sentence. */
  hint?: string;
}

export type RelayState = 'starting' | 'registering' | 'announcing' | 'live' | 'relay_trouble' | 'waiting_for_addresses' | 'leaving' | 'stopped' | 'failed';

export interface MeView {
  email: string;
  /** SHA-256 of the certificate's DER, colon-separated hex. */
  fingerprintSha256: string;
  relayUrl: string;
  state: RelayState;
  /** One line on what the state means or what went wrong last. */
  stateDetail: string;
  /** ISO times, null until it happened. */
  registeredAt: string | null;
  announcedAt: string | null;
  lastHeartbeatAt: string | null;
  /** When the relay drops our broadcast unless we heartbeat (from expires_in), or null. */
  broadcastExpiresAt: string | null;
  /** The certificate's notAfter. */
  certificateExpiresAt: string | null;
  port: number;
  addresses: string[];
}

export interface OnlinePeerView {
  email: string;
  port: number;
  addresses: string[];
  /** As the relay gave it (ISO), or null when it gave none. */
  lastSeen: string | null;
  isFriend: boolean;
}

export interface PeersAnswer {
  peers: OnlinePeerView[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** With `q`: how many relay entries were looked at for this page (a filter walks the relay's pages). */
  scanned?: number;
}

export type LookupAnswer = { found: true; email: string; port: number; addresses: string[] } | { found: false; email: string };

export type FriendStatusView = 'online' | 'offline' | 'checking' | 'unknown';

export interface FriendView {
  email: string;
  status: FriendStatusView;
  detail: string;
  /** The cached socket, e.g. "192.168.1.20:41234" or "[::1]:41234", or null. */
  cachedSocket: string | null;
  /** http://host:port of the cached socket, or null. */
  cachedOrigin: string | null;
  lastCheckedAt: string | null;
  changedAt: string;
}

export interface FriendsAnswer {
  friends: FriendView[];
}

export interface AttemptView {
  /** Position in the announced list, from 0. */
  index: number;
  address: string;
  port: number;
  /** ok | wrong_host | refused | timeout | http_error | cancelled */
  outcome: string;
  /** The email the address answered with (wrong_host shows whose server it was). */
  seenEmail: string | null;
  detail: string | null;
  elapsedMs: number;
}

/**
 * Events on the connect stream, in order: lookup, then for each address
 * tried attempt_started and later its attempt (in race mode they
 * interleave; an attempt cancelled by another's win gets no attempt
 * event), then done. Every event's JSON carries its `type`, which is
 * also the SSE `event:` name.
 */
export type ConnectEvent =
  | { type: 'lookup'; email: string; port: number; addresses: string[] }
  | { type: 'attempt_started'; index: number; address: string; port: number }
  | { type: 'attempt'; attempt: AttemptView }
  | {
      type: 'done';
      /** connected: `origin` answered /api/health as `email`. */
      outcome: 'connected' | 'not_found' | 'unreachable' | 'error';
      email: string;
      /** http://address:port of the winner. */
      origin: string | null;
      /** The email the winner proved (equals `email` when connected). */
      verifiedEmail: string | null;
      elapsedMs: number | null;
      /** For anything but connected: one readable line with what to do. */
      message: string | null;
      /** For anything but connected: peer_not_online, peer_unreachable, relay_unreachable, relay_error, cancelled. */
      code: string | null;
    };

/** Events on /bridge/events: `me` and `friends` first, then one after each change; `friends` is always the whole list. */
export type StatusEvent = { type: 'me'; me: MeView } | { type: 'friends'; friends: FriendView[] };
