/**
 * The two ports through which the pure peer logic touches the world.
 * Real edges (reference/peer/http/) wrap sockets and the relay client into
 * them; the simulator implements them on its virtual network. Both are
 * callback-driven so a simulator can answer from its event queue:
 *
 * - A call returns at once. Its callback runs later, exactly once, unless
 *   the returned handle was cancelled first (then never).
 * - Callbacks may run synchronously inside the call; the core copes.
 * - Nothing here reads a clock or schedules timers: the core owns every
 *   timeout through its injected Timers, so a port that never answers (a
 *   silent blackhole) is handled by the core, not the port.
 */

export interface Cancellable {
  cancel(): void;
}

// ---------------------------------------------------------------- dialer

/**
 * What one dial of `http://address:port/api/health` came to.
 * - `ok`: the server answered 200 `{status:"ok", email}`; `email` is what it said (lower-cased by the dialer or not: the core compares case-insensitively).
 * - `wrong_host`: it answered, but with another email (a dialer may report this itself; the core also turns an `ok` with the wrong email into it).
 * - `refused`: nothing listens there (RST / ECONNREFUSED / no route): fails fast.
 * - `timeout`: no answer within the time (a silent drop). A dialer may also stay silent and let the core's timer decide.
 * - `http_error`: something answered, but not a valid health reply (bad status, bad JSON, reset mid-way).
 */
export type DialOutcome =
  | { kind: 'ok'; email: string }
  | { kind: 'wrong_host'; email: string }
  | { kind: 'refused'; detail?: string }
  | { kind: 'timeout'; detail?: string }
  | { kind: 'http_error'; detail?: string };

export type DialOutcomeKind = DialOutcome['kind'];

export interface Dialer {
  /**
   * Connects to `address:port`, asks `/api/health`, reports once via `onOutcome`.
   * `expectedEmail` lets a dialer say `wrong_host` itself; `timeoutMs` is a
   * hint for real sockets (the core enforces it anyway).
   */
  dial(address: string, port: number, expectedEmail: string, timeoutMs: number, onOutcome: (outcome: DialOutcome) => void): Cancellable;
}

// ---------------------------------------------------------------- relay

/**
 * A relay answer as the core sees it: the HTTP status and parsed JSON body
 * (the relay API of issue 2), or `unreachable` when no HTTP answer came.
 */
export type RelayReply = { kind: 'response'; status: number; body: unknown } | { kind: 'unreachable'; message: string };

export interface ReadyPayload {
  port: number;
  addresses: string[];
  capabilities?: Record<string, unknown>;
}

/**
 * The relay endpoints a peer calls, authenticated as that peer (mutual TLS
 * at the real edge; the simulator decides who is calling by which port
 * instance it is). Status codes are the relay's, unchanged:
 * register 200 / 409 / 400; ready 200 / 401 / 400; heartbeat 200 / 404 / 401;
 * lookup 200 `{email, port, addresses, ...}` / 404 / 401.
 */
export interface RelayPort {
  register(onReply: (reply: RelayReply) => void): Cancellable;
  ready(payload: ReadyPayload, onReply: (reply: RelayReply) => void): Cancellable;
  heartbeat(onReply: (reply: RelayReply) => void): Cancellable;
  lookup(email: string, onReply: (reply: RelayReply) => void): Cancellable;
  /** SPEC EXT-2, where the relay offers it: 200 `{"status":"gone"}`. */
  goodbye?(onReply: (reply: RelayReply) => void): Cancellable;
}

export const NOT_CANCELLABLE: Cancellable = { cancel() {} };
