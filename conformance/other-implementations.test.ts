/**
 * Correct relays that are built differently from ours must pass too: the
 * suite judges the protocol, not our implementation's incidental choices.
 * Here the reference relay answers every JSON object with its members in
 * another order (as Go maps, PostgreSQL jsonb or Python's sort_keys do);
 * RFC 8259 gives member order no meaning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayHandler, RelayResponse } from '../reference/relay/core/types.ts';
import { startRelay, type RunningRelay } from '../reference/relay/http/start-relay.ts';
import { runSuite } from './runner/run-suite.ts';

/** Every object's members, recursively, in reverse alphabetical order. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort().reverse()) out[key] = reordered((value as Record<string, unknown>)[key]);
  return out;
}

function reorderingRelay(core: RelayHandler): RelayHandler {
  return {
    async handle(request): Promise<RelayResponse> {
      const response = await core.handle(request);
      return { ...response, body: reordered(response.body) };
    },
  };
}

describe('a correct relay whose JSON objects list their members in another order', () => {
  let relay: RunningRelay;
  beforeAll(async () => {
    relay = await startRelay({ port: 0, ttlSeconds: 8, wrapHandler: reorderingRelay });
  });
  afterAll(async () => relay?.close());

  it('passes every instant case', async () => {
    const result = await runSuite({ target: { url: relay.url, caPem: relay.tlsCertificatePem, insecure: false, auth: { kind: 'mtls' } }, only: ['GEN-*', 'REG-*', 'AUTH-*', 'READY-*', 'LOOKUP-*', 'LIST-*', 'ERR-*'], seed: 11, maxWaitSeconds: 0 });
    expect(result.cases.filter((c) => c.verdict === 'fail').map((c) => `${c.caseId}: expected ${c.expected}; actual ${c.actual}`)).toEqual([]);
    expect(result.cases.some((c) => c.caseId.startsWith('READY-5') && c.verdict === 'pass')).toBe(true);
  }, 60_000);
});
