/**
 * The protocol's facts, in one place, for the relay core, its HTTP edge,
 * the peer, the CLI and the simulator: paths, the limits a relay enforces
 * (SPEC READY, LIST, GEN), and the TTL's bounds and default. (The
 * conformance suite keeps its own black-box view of SPEC.md.)
 */
export { RELAY_PATHS } from './relay-paths.ts';

export const RELAY_LIMITS = {
  maxBodyBytes: 64 * 1024,
  /** SPEC READY: at most 16 addresses. */
  maxAddresses: 16,
  maxCapabilitiesBytes: 4 * 1024,
  /** Nesting within capabilities; keeps every later copy or encode of it shallow. */
  maxCapabilitiesDepth: 32,
  /** SPEC LIST-4: `limit` defaults to 100, at most 1000. */
  defaultListLimit: 100,
  maxListLimit: 1000,
  minRsaModulusBits: 2048,
} as const;

/** SPEC TEST-1 bounds on the test clock: each step at most ten years, all steps together at most 100 years. */
export const TEST_CLOCK_LIMITS = {
  maxStepSeconds: 10 * 365 * 86400,
  maxTotalMs: 100 * 365 * 86_400_000,
} as const;

/** A relay's broadcast time-to-live, whole seconds: the reference default, and what a relay may be configured to. */
export const TTL_SECONDS = {
  default: 3600,
  min: 1,
  /** Ten years: beyond it a timestamp plus the TTL stops being a useful date. */
  max: 10 * 365 * 86_400,
} as const;

/** Why a TTL cannot be used ("must be ..."), or null when it can (the CLI words it, the core and startRelay assert it). */
export function ttlProblem(ttlSeconds: number): string | null {
  if (!Number.isInteger(ttlSeconds)) return `must be a whole number of seconds, got ${ttlSeconds}`;
  if (ttlSeconds < TTL_SECONDS.min) return `must be at least ${TTL_SECONDS.min} s, got ${ttlSeconds}`;
  if (ttlSeconds > TTL_SECONDS.max) return `must be at most ten years (${TTL_SECONDS.max} s), got ${ttlSeconds}`;
  return null;
}
