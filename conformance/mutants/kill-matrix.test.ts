/**
 * Teeth: every mutant relay breaks one requirement on purpose, and the
 * suite must name it. Prints the kill matrix.
 */
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../runner/spec.ts';
import { runSuite } from '../runner/run-suite.ts';
import { ALL_MUTANTS, startMutant } from './catalog.ts';
import { killMatrix, renderKillMatrix } from './kill-matrix.ts';

/** MUSTs no mutant can break through the relay's seams (the edge owns them), with the reason. */
const NO_MUTANT_POSSIBLE: Record<string, string> = {};

describe('mutants', () => {
  it('cover every MUST requirement (or say why not)', () => {
    const broken = new Set(ALL_MUTANTS.flatMap((m) => m.breaks));
    const musts = loadSpec().filter((r) => r.level === 'MUST').map((r) => r.id);
    expect(musts.filter((id) => !broken.has(id) && !(id in NO_MUTANT_POSSIBLE))).toEqual([]);
    const names = ALL_MUTANTS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('are each killed: the suite names the requirement the mutant breaks', async () => {
    const rows = await killMatrix(ALL_MUTANTS, 3);
    process.stdout.write(`\n${renderKillMatrix(rows)}`);
    expect(rows.filter((r) => !r.killed).map((r) => `${r.mutant} (breaks ${r.breaks.join(',')}; suite named ${r.named.join(',') || 'nothing'})`)).toEqual([]);
  }, 240_000);
});

describe('the model-based case (fast-check commands)', () => {
  it('finds time-related mutants and shrinks each to a minimal replayable sequence', async () => {
    for (const name of ['lookup-ignores-expiry', 'first-broadcast-kept', 'list-ignores-expiry', 'heartbeat-revives-expired', 'expires-at-half-ttl']) {
      const relay = await startMutant(ALL_MUTANTS.find((m) => m.name === name)!, 3600, { testMode: true });
      try {
        const result = await runSuite({ target: { url: relay.url, caPem: relay.tlsCertificatePem, insecure: false, auth: { kind: 'mtls' } }, only: ['EXP-1/model-based'], seed: 1, maxWaitSeconds: 5, reruns: 0 });
        const kase = result.cases[0];
        expect({ name, verdict: kase?.verdict }).toEqual({ name, verdict: 'fail' });
        expect(kase?.actual).toMatch(/minimal sequence: ready\(peer\d, port \d+\),/);
      } finally {
        await relay.close();
      }
    }
  }, 60_000);
});
