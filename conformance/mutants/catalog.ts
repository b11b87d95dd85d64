/** Every mutant, and how to start one as a real HTTPS relay. */
import { startRelay, type RunningRelay, type StartRelayOptions } from '../../reference/relay/http/start-relay.ts';
import { BROADCAST_MUTANTS } from './broadcast-mutants.ts';
import { ERROR_MUTANTS } from './error-mutants.ts';
import { IDENTITY_MUTANTS } from './identity-mutants.ts';
import { depsOf, type Mutant } from './mutant.ts';
import { ROBUSTNESS_MUTANTS } from './robustness-mutants.ts';

export const ALL_MUTANTS: Mutant[] = [...IDENTITY_MUTANTS, ...BROADCAST_MUTANTS, ...ERROR_MUTANTS, ...ROBUSTNESS_MUTANTS];

export async function startMutant(mutant: Mutant, ttlSeconds: number, extra: Partial<StartRelayOptions> = {}): Promise<RunningRelay> {
  const build = mutant.build();
  return startRelay({
    port: 0,
    ttlSeconds,
    // Long cleanup: mutants that show expired broadcasts must still find them.
    cleanupIntervalSeconds: 3600,
    ...extra,
    ...build.relayOptions,
    ...(build.wrap ? { wrapHandler: (core) => build.wrap!(core, depsOf(core)) } : {}),
    ...(build.principalOf ? { principalOf: build.principalOf } : {}),
  });
}
