/**
 * A NatBox keeps its first port forward in fields and the rest in a map
 * (nat-box.ts). Forwards must behave as one map of external port -> inside
 * endpoint whichever place holds them: a conflicting forward is refused,
 * the same one again is accepted, a removed one stops admitting and frees
 * its port, and the others keep working.
 */
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../reference/shared/rng.ts';
import { NatBox } from './nat-box.ts';
import { behaviour } from './test-topology.ts';

const INSIDE_A = 0xc0a8010a; // 192.168.1.10: above 2^31, so an int32 field must read it back unsigned
const INSIDE_B = 0xc0a8010b;
const REMOTE = { address: 0xcb00710a, port: 50_000 };

function box(): NatBox {
  return new NatBox(0, 1, 0, 0xc6336401, behaviour('endpoint-independent', 'address-and-port-dependent'), new SeededRng(3));
}

describe('NatBox port forwards', () => {
  it('act as one map, whichever place holds each', () => {
    const nat = box();
    expect(nat.addPortForward(40_000, { address: INSIDE_A, port: 40_000 })).toBe(true);
    expect(nat.addPortForward(40_001, { address: INSIDE_B, port: 8080 })).toBe(true);
    expect(nat.addPortForward(40_000, { address: INSIDE_B, port: 40_000 })).toBe(false);
    expect(nat.addPortForward(40_001, { address: INSIDE_B, port: 8080 })).toBe(true);
    expect(nat.inbound(40_000, REMOTE, 0)).toEqual({ kind: 'forward', to: { address: INSIDE_A, port: 40_000 }, via: 'port-forward' });
    expect(nat.inbound(40_001, REMOTE, 0)).toEqual({ kind: 'forward', to: { address: INSIDE_B, port: 8080 }, via: 'port-forward' });

    nat.removePortForward(40_000);
    expect(nat.inbound(40_000, REMOTE, 0)).toEqual({ kind: 'blocked', reason: 'no-mapping' });
    expect(nat.inbound(40_001, REMOTE, 0)).toMatchObject({ kind: 'forward', to: { address: INSIDE_B, port: 8080 } });
    expect(nat.addPortForward(40_000, { address: INSIDE_B, port: 40_000 })).toBe(true);
    expect(nat.inbound(40_000, REMOTE, 0)).toMatchObject({ kind: 'forward', to: { address: INSIDE_B, port: 40_000 } });

    nat.removePortForward(40_001);
    expect(nat.inbound(40_001, REMOTE, 0)).toEqual({ kind: 'blocked', reason: 'no-mapping' });
    expect(nat.inbound(40_000, REMOTE, 0)).toMatchObject({ kind: 'forward' });
  });

  it('keeps a forwarded port from dynamic mappings (port preservation picks another)', () => {
    const nat = box();
    nat.addPortForward(40_000, { address: INSIDE_A, port: 40_000 });
    const out = nat.outbound({ address: INSIDE_B, port: 40_000 }, REMOTE, 0, true);
    expect(out?.port).not.toBe(40_000);
    nat.removePortForward(40_000);
    const again = nat.outbound({ address: INSIDE_A, port: 40_000 }, REMOTE, 0, true);
    expect(again?.port).toBe(40_000);
  });
});
