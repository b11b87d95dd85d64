/**
 * How long the relay keeps an idle HTTP connection open. node:http sends it
 * to clients as `Keep-Alive: timeout=30`; the simulator's model of the
 * reference peer's connections derives its idle time from it
 * (simulator/world/relay-connections.ts). No imports: the simulator reads it.
 */
export const RELAY_KEEP_ALIVE_TIMEOUT_MS = 30_000;
