import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../reference/shared/rng.ts';
import { VirtualClock } from '../engine/virtual-clock.ts';
import { simIdentity } from './sim-certificates.ts';
import { VirtualRelay } from './virtual-relay.ts';

const TTL_SECONDS = 3600;

async function announce(relay: VirtualRelay, index: number): Promise<void> {
  const id = simIdentity(index);
  const principal = { fingerprintSha256: id.fingerprintSha256, source: 'tls' as const };
  const register = await relay.handle({ method: 'POST', path: '/api/relay/register', query: new URLSearchParams(), bodyText: JSON.stringify({ certificate: id.certificatePem, email: id.email }), principal: null });
  expect(register.status).toBe(200);
  const ready = await relay.handle({ method: 'POST', path: '/api/relay/broadcast/ready', query: new URLSearchParams(), bodyText: JSON.stringify({ port: 40000, addresses: ['203.0.113.5'] }), principal });
  expect(ready.status).toBe(200);
}

describe('VirtualRelay (the reference RelayCore on virtual time)', () => {
  it('a peer that stops heartbeating disappears from lookups at exactly the TTL', async () => {
    const clock = new VirtualClock();
    const relay = new VirtualRelay(clock, new SeededRng(1), TTL_SECONDS, 'memory');
    await relay.registerProbe();
    clock.advanceTo(12_345);
    await announce(relay, 1);
    clock.advanceTo(12_345 + TTL_SECONDS * 1000 - 1);
    expect(await relay.probeLookup(simIdentity(1).email)).toBe(200);
    clock.advanceTo(12_345 + TTL_SECONDS * 1000);
    expect(await relay.probeLookup(simIdentity(1).email)).toBe(404);
  });

  it.each([
    ['memory', 404],
    ['durable', 200],
  ] as const)('a restart with a %s store answers a lookup with %i', async (storeKind, status) => {
    const clock = new VirtualClock();
    const relay = new VirtualRelay(clock, new SeededRng(1), TTL_SECONDS, storeKind);
    await relay.registerProbe();
    await announce(relay, 2);
    relay.goDown();
    expect(relay.isUp).toBe(false);
    expect(() => relay.handle({ method: 'GET', path: '/api/health', query: new URLSearchParams(), bodyText: null, principal: null })).toThrow(/down/);
    await relay.restart();
    expect(relay.epoch).toBe(1);
    expect(await relay.probeLookup(simIdentity(2).email)).toBe(status);
  });

  it.each([
    ['memory', 1],
    ['durable', 4],
  ] as const)('counts the identities a %s store holds: one per register answered 200, not per 409; after a restart, %i', async (storeKind, afterRestart) => {
    const relay = new VirtualRelay(new VirtualClock(), new SeededRng(1), TTL_SECONDS, storeKind);
    await relay.registerProbe();
    expect(relay.identitiesHeld).toBe(1);
    for (const index of [5, 6, 7]) await announce(relay, index);
    const again = simIdentity(6);
    const conflict = await relay.handle({ method: 'POST', path: '/api/relay/register', query: new URLSearchParams(), bodyText: JSON.stringify({ certificate: again.certificatePem, email: again.email }), principal: null });
    expect(conflict.status).toBe(409);
    expect(relay.identitiesHeld).toBe(4);
    relay.goDown();
    await relay.restart();
    // A memory store starts again with the probe alone; a durable one keeps all four (the probe's register is a 409 then).
    expect(relay.identitiesHeld).toBe(afterRestart);
  });
});
