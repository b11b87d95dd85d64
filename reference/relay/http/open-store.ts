import type { Logger } from 'pino';
import type { RelayStore } from '../core/types.ts';
import { MemoryStore } from '../stores/memory-store.ts';

/** `memory` or a postgres:// URL (SPEC-independent: an operator choice). */
export async function openStore(spec: string, logger: Logger): Promise<RelayStore> {
  if (spec === 'memory') return new MemoryStore();
  if (/^postgres(ql)?:\/\//.test(spec)) {
    const { PostgresStore } = await import('../stores/postgres-store.ts');
    return PostgresStore.open(spec, { onConnectionError: (error: Error) => logger.warn({ err: error.message }, 'postgres connection lost; the pool will reconnect') });
  }
  throw new Error(`--store must be "memory" or a postgres:// URL, got "${spec}"`);
}
