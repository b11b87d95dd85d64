/**
 * Try-order against an independent oracle: for random networks (each
 * address silent, refusing, broken, a wrong host or the target, with random
 * delays) the start time, outcome and winner of every attempt follow from
 * the strategy's rule alone:
 *   sequential: s[i+1] = end of attempt i; stop at the first verified answer.
 *   race:       s[i+1] = min(s[i] + 250, end of i if i failed); the first
 *               verified answer in time wins, attempts still open are cancelled.
 * Answer delays carry distinct power-of-two fractions so no two events tie.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualRuntime } from '../../shared/manual-timers.ts';
import { ScriptedNetwork, type HostBehaviour } from '../../../test/peer/scripted-ports.ts';
import { startTryOrder, type TryOrderResult, type TryStrategy } from './try-order.ts';

const TARGET = 'target@example.com';
const TIMEOUT_MS = 1_000;
const STAGGER_MS = 250;

type Host = { kind: 'silent' } | { kind: 'refuses' | 'http_error' | 'target' | 'impostor'; delay: number };

const host: fc.Arbitrary<Host> = fc.oneof(
  fc.constant<Host>({ kind: 'silent' }),
  fc.record({ kind: fc.constantFrom('refuses', 'http_error', 'target', 'impostor'), delay: fc.integer({ min: 0, max: 1_500 }) }) as fc.Arbitrary<Host>,
);

function behaviourOf(h: Host, index: number): HostBehaviour {
  if (h.kind === 'silent') return { kind: 'silent' };
  const afterMs = h.delay + 2 ** -(index + 1);
  if (h.kind === 'target') return { kind: 'answers', email: TARGET, afterMs };
  if (h.kind === 'impostor') return { kind: 'answers', email: 'someone@else.org', afterMs };
  return { kind: h.kind, afterMs };
}

/** What one attempt does if left alone: when it ends (relative to its start) and how. */
function alone(h: Host, index: number): { durationMs: number; outcome: string } {
  const b = behaviourOf(h, index);
  if (b.kind === 'silent' || b.afterMs >= TIMEOUT_MS) return { durationMs: TIMEOUT_MS, outcome: 'timeout' };
  const outcome = b.kind === 'answers' ? (b.email === TARGET ? 'ok' : 'wrong_host') : b.kind === 'refuses' ? 'refused' : 'http_error';
  return { durationMs: b.afterMs, outcome };
}

function oracle(hosts: Host[], strategy: TryStrategy) {
  const starts: number[] = [];
  const solo = hosts.map(alone);
  let start = 0;
  for (let i = 0; i < hosts.length; i++) {
    starts.push(start);
    const { durationMs, outcome } = solo[i]!;
    const end = start + durationMs;
    if (strategy === 'sequential') {
      if (outcome === 'ok') break;
      start = end;
    } else {
      start = outcome === 'ok' ? start + STAGGER_MS : Math.min(start + STAGGER_MS, end);
    }
  }
  const ends = starts.map((s, i) => s + solo[i]!.durationMs);
  const okEnds = starts.map((_, i) => (solo[i]!.outcome === 'ok' ? ends[i]! : Infinity));
  const winAt = Math.min(...okEnds);
  const winner = winAt === Infinity ? null : okEnds.indexOf(winAt);
  const started = starts.filter((s) => s < winAt);
  return {
    winner,
    attempts: started.map((s, i) => [i, ends[i]! <= winAt ? solo[i]!.outcome : 'cancelled', s]),
  };
}

describe.each<TryStrategy>(['sequential', 'race'])('try-order matches its oracle (%s)', (strategy) => {
  it('for random networks of up to 8 addresses', () => {
    fc.assert(
      fc.property(fc.array(host, { minLength: 0, maxLength: 8 }), (hosts) => {
        const { clock, timers } = manualRuntime(0);
        const network = new ScriptedNetwork(timers, () => clock.nowMs());
        const addresses = hosts.map((_, i) => `10.0.0.${i + 1}`);
        hosts.forEach((h, i) => network.set(addresses[i]!, 80, behaviourOf(h, i)));
        let result: TryOrderResult | null = null;
        startTryOrder({ targetEmail: TARGET, port: 80, addresses, strategy, attemptTimeoutMs: TIMEOUT_MS, staggerMs: STAGGER_MS }, { clock, timers, dialer: network }, { onDone: (r) => (result = r) });
        timers.runAll();
        const expected = oracle(hosts, strategy);
        const r = result as TryOrderResult | null;
        expect(r).not.toBeNull();
        expect(r!.winner?.index ?? null).toBe(expected.winner);
        expect(r!.attempts.map((a) => [a.index, a.outcome, a.startedAtMs])).toEqual(expected.attempts);
        // Nothing left behind: no timer, and every dial either answered or was cancelled.
        expect(timers.pendingCount()).toBe(0);
        expect(network.dials.map((d) => d.address)).toEqual(addresses.slice(0, expected.attempts.length));
      }),
      { numRuns: 400 },
    );
  });
});
