import { describe, expect, it } from 'vitest';
import { simIdentity, simPeerIndex } from './sim-certificates.ts';

/** What the truth read an email with before simPeerIndex: the two must agree. */
function byRegex(email: string): number | null {
  const match = /^peer(\d+)@sim\.test$/.exec(email);
  return match === null ? null : Number(match[1]);
}

describe('simPeerIndex', () => {
  it('reads back the index of every simIdentity email', () => {
    for (const index of [0, 7, 10, 99_999, 1_000_000, 0xffff_ffff]) expect(simPeerIndex(simIdentity(index).email)).toBe(index);
  });

  it('answers as the regex it replaces', () => {
    const cases = ['peer@sim.test', 'peer007@sim.test', 'peer1@sim.tes', 'peer1@sim.testx', 'xpeer1@sim.test', 'peer-1@sim.test', 'peer1a@sim.test', 'peer1:@sim.test', 'peer/1@sim.test', 'peer 1@sim.test', 'Peer1@sim.test', 'peer1@SIM.test', 'peer٣@sim.test', '', 'peer', '@sim.test', 'peer@sim.test@sim.test', 'peer12345678901234567890123@sim.test', 'alice@example.org'];
    for (const email of cases) expect(simPeerIndex(email), email).toBe(byRegex(email));
  });
});
