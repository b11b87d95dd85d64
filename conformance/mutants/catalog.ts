/** Every mutant, and how to start one as a real HTTPS relay. */
import { startRelay, type RunningRelay, type StartRelayOptions } from '../../reference/relay/http/start-relay.ts';
import { BROADCAST_MUTANTS } from './broadcast-mutants.ts';
import { ERROR_MUTANTS } from './error-mutants.ts';
import { IDENTITY_MUTANTS } from './identity-mutants.ts';
import { depsOf, type Mutant } from './mutant.ts';
import { ROBUSTNESS_MUTANTS } from './robustness-mutants.ts';
import { EXTENSION_MUTANTS, POSSESSION_MUTANTS } from './possession-mutants.ts';
import type { AuthMode } from '../runner/target.ts';

export const ALL_MUTANTS: Mutant[] = [...IDENTITY_MUTANTS, ...BROADCAST_MUTANTS, ...ERROR_MUTANTS, ...ROBUSTNESS_MUTANTS, ...POSSESSION_MUTANTS, ...EXTENSION_MUTANTS];

/** How the suite reaches a mutant (mutual TLS unless it says otherwise). */
export function authOf(mutant: Mutant): AuthMode {
  return mutant.target?.auth ?? { kind: 'mtls' };
}

/** Relay options for a suite using `auth`: under header auth the suite, on loopback, is the relay's trusted proxy. */
export function relayOptionsFor(auth: AuthMode): Partial<StartRelayOptions> {
  return auth.kind === 'header' ? { certHeader: auth.headerName, trustedProxies: ['127.0.0.1/32', '::1/128'] } : {};
}

export async function startMutant(mutant: Mutant, ttlSeconds: number, extra: Partial<StartRelayOptions> = {}): Promise<RunningRelay> {
  const build = mutant.build();
  return startRelay({
    port: 0,
    ttlSeconds,
    // Long cleanup: mutants that show expired broadcasts must still find them.
    cleanupIntervalSeconds: 3600,
    ...relayOptionsFor(authOf(mutant)),
    ...extra,
    ...build.relayOptions,
    ...(build.wrap ? { wrapHandler: (core) => build.wrap!(core, depsOf(core)) } : {}),
    ...(build.principalOf ? { principalOf: build.principalOf } : {}),
  });
}
