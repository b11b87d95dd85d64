import { describe, expect, it } from 'vitest';
import { tryOrderViolation, type ConnectRecord } from './try-order-oracle.ts';

const T = 'b@sim.test';
function record(overrides: Partial<ConnectRecord>): ConnectRecord {
  return { strategy: 'sequential', staggerMs: 250, addresses: ['192.168.1.2', '198.51.100.2'], targetEmail: T, dials: [], winnerAddress: null, winnerAtMs: Number.NaN, ...overrides };
}

describe('tryOrderViolation', () => {
  it('accepts a by-the-book sequential connect', () => {
    const dials = [
      { address: '192.168.1.2', startedAtMs: 0, settledAtMs: 5000, answeredBy: null },
      { address: '198.51.100.2', startedAtMs: 5000, settledAtMs: 5080, answeredBy: T },
    ];
    expect(tryOrderViolation(record({ dials, winnerAddress: '198.51.100.2', winnerAtMs: 5080 }))).toBeNull();
  });

  it.each([
    ['out of order', [{ address: '198.51.100.2', startedAtMs: 0, settledAtMs: 80, answeredBy: T }], '198.51.100.2', /announced position 0/],
    ['overlapping sequential attempts', [{ address: '192.168.1.2', startedAtMs: 0, settledAtMs: 5000, answeredBy: null }, { address: '198.51.100.2', startedAtMs: 250, settledAtMs: 330, answeredBy: T }], '198.51.100.2', /still open/],
    ['a winner answered by the wrong host', [{ address: '192.168.1.2', startedAtMs: 0, settledAtMs: 2, answeredBy: 'c@sim.test' }], '192.168.1.2', /answered by c@sim.test/],
    ['giving up early', [{ address: '192.168.1.2', startedAtMs: 0, settledAtMs: 5000, answeredBy: null }], null, /gave up after 1 of 2/],
  ])('flags %s', (_what, dials, winnerAddress, problem) => {
    expect(tryOrderViolation(record({ dials, winnerAddress, winnerAtMs: 100 }))).toMatch(problem);
  });

  it('holds race attempts to the stagger', () => {
    const dials = [
      { address: '192.168.1.2', startedAtMs: 0, settledAtMs: Number.NaN, answeredBy: null },
      { address: '198.51.100.2', startedAtMs: 250, settledAtMs: 330, answeredBy: T },
    ];
    expect(tryOrderViolation(record({ strategy: 'race', dials, winnerAddress: '198.51.100.2', winnerAtMs: 330 }))).toBeNull();
    dials[1]!.startedAtMs = 400;
    expect(tryOrderViolation(record({ strategy: 'race', dials, winnerAddress: '198.51.100.2', winnerAtMs: 480 }))).toMatch(/stagger 250/);
  });
});
