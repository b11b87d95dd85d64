/**
 * Model-based test of the relay core against a plain model of the spec.
 * Each command has a pure `check`, a `run` that asserts the core's answer
 * against the model and then updates the model, and a `toString`, so a
 * shrunk failure reads as a story: "alice registers; alice readies 80;
 * clock +3600000 ms; bob looks up alice".
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { SeededRng } from '../../shared/rng.ts';
import { newPeerIdentity, type Identity } from '../../identity/identity-files.ts';
import { x509Inspector } from '../../identity/inspect.ts';
import { MemoryStore } from '../stores/memory-store.ts';
import { RelayCore } from './relay-core.ts';
import type { RelayResponse } from './types.ts';

const TTL_SECONDS = 60;
const T0 = Date.UTC(2026, 10, 23);
const NAMES = ['alice', 'bob', 'carol'] as const;
const people: Identity[] = NAMES.map((n) => newPeerIdentity(`${n}@model.test`, T0 - 1000, 'ecdsa-p256'));
/** Same email as alice, different key: must never act as alice. */
const impostor = newPeerIdentity('alice@model.test', T0 - 1000, 'ecdsa-p256');
const actors = [...people, impostor];
const nameOf = (i: number): string => (i === people.length ? 'alice-impostor' : (NAMES[i] as string));

interface Model {
  nowMs: number;
  /** email -> fingerprint of the registered certificate */
  registered: Map<string, string>;
  broadcasts: Map<string, { port: number; addresses: string[]; lastSeenMs: number; expiresAtMs: number }>;
}
interface Real {
  core: RelayCore;
  clock: ManualClock;
}

const live = (m: Model, email: string) => {
  const b = m.broadcasts.get(email);
  return b && m.nowMs < b.expiresAtMs ? b : undefined;
};
const authenticated = (m: Model, who: Identity) => m.registered.get(who.email) === who.fingerprintSha256;

function call(r: Real, who: Identity | null, method: string, path: string, body?: unknown, query = ''): Promise<RelayResponse> {
  return r.core.handle({
    method,
    path,
    query: new URLSearchParams(query),
    bodyText: body === undefined ? null : JSON.stringify(body),
    principal: who ? { fingerprintSha256: who.fingerprintSha256, source: 'tls' } : null,
  });
}

class Register implements fc.AsyncCommand<Model, Real> {
  constructor(readonly who: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const me = actors[this.who] as Identity;
    const reply = await call(r, null, 'POST', '/api/relay/register', { certificate: me.certificatePem, email: me.email.toUpperCase() });
    if (m.registered.has(me.email)) {
      expect(reply).toMatchObject({ status: 409, body: { code: 'email_taken' } });
    } else {
      expect(reply).toMatchObject({ status: 200, body: { status: 'registered', email: me.email } });
      m.registered.set(me.email, me.fingerprintSha256);
    }
  }
  toString = () => `${nameOf(this.who)} registers`;
}

class Ready implements fc.AsyncCommand<Model, Real> {
  constructor(readonly who: number, readonly port: number, readonly addresses: string[]) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const me = actors[this.who] as Identity;
    const reply = await call(r, me, 'POST', '/api/relay/broadcast/ready', { port: this.port, addresses: this.addresses });
    if (!authenticated(m, me)) {
      expect(reply.status).toBe(401);
      return;
    }
    expect(reply).toMatchObject({ status: 200, body: { status: 'registered', expires_in: TTL_SECONDS } });
    m.broadcasts.set(me.email, { port: this.port, addresses: this.addresses, lastSeenMs: m.nowMs, expiresAtMs: m.nowMs + TTL_SECONDS * 1000 });
  }
  toString = () => `${nameOf(this.who)} readies port ${this.port} at ${JSON.stringify(this.addresses)}`;
}

class Heartbeat implements fc.AsyncCommand<Model, Real> {
  constructor(readonly who: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const me = actors[this.who] as Identity;
    const reply = await call(r, me, 'POST', '/api/relay/broadcast/heartbeat', {});
    if (!authenticated(m, me)) return void expect(reply.status).toBe(401);
    const mine = live(m, me.email);
    if (!mine) return void expect(reply).toMatchObject({ status: 404, body: { code: 'no_live_broadcast' } });
    mine.lastSeenMs = m.nowMs;
    mine.expiresAtMs = m.nowMs + TTL_SECONDS * 1000;
    expect(reply).toEqual({ status: 200, body: { status: 'alive', expires_in: TTL_SECONDS, broadcast_expires: Math.floor(mine.expiresAtMs / 1000) } });
  }
  toString = () => `${nameOf(this.who)} heartbeats`;
}

class Lookup implements fc.AsyncCommand<Model, Real> {
  constructor(readonly who: number, readonly target: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const me = actors[this.who] as Identity;
    const target = (people[this.target] as Identity).email;
    const reply = await call(r, me, 'GET', '/api/relay/broadcast/lookup', undefined, `email=${encodeURIComponent(target.toUpperCase())}`);
    if (!authenticated(m, me)) return void expect(reply.status).toBe(401);
    const theirs = live(m, target);
    if (!theirs) return void expect(reply).toMatchObject({ status: 404, body: { code: 'peer_not_found' } });
    expect(reply).toEqual({
      status: 200,
      body: { email: target, status: 'online', port: theirs.port, addresses: theirs.addresses, last_seen: Math.floor(theirs.lastSeenMs / 1000), broadcast_expires: Math.floor(theirs.expiresAtMs / 1000) },
    });
  }
  toString = () => `${nameOf(this.who)} looks up ${NAMES[this.target]}`;
}

class List implements fc.AsyncCommand<Model, Real> {
  constructor(readonly who: number, readonly limit: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const me = actors[this.who] as Identity;
    if (!authenticated(m, me)) {
      expect((await call(r, me, 'GET', '/api/relay/broadcast/list')).status).toBe(401);
      return;
    }
    const expected = [...m.broadcasts.keys()].filter((e) => e !== me.email && live(m, e)).sort();
    const seen: string[] = [];
    let query = `limit=${this.limit}`;
    for (let page = 0; page < 10; page++) {
      const reply = await call(r, me, 'GET', '/api/relay/broadcast/list', undefined, query);
      expect(reply.status).toBe(200);
      seen.push(...(reply.body as { email: string }[]).map((b) => b.email));
      const link = reply.headers?.link;
      if (!link) break;
      query = new URL(/<([^>]+)>/.exec(link)?.[1] ?? '', 'https://x').searchParams.toString();
    }
    expect(seen).toEqual(expected);
  }
  toString = () => `${nameOf(this.who)} lists (limit ${this.limit})`;
}

class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    r.clock.advanceMs(this.ms);
    m.nowMs += this.ms;
  }
  toString = () => `clock +${this.ms} ms`;
}

class Cleanup implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real) {
    const expired = [...m.broadcasts.entries()].filter(([, b]) => b.expiresAtMs <= m.nowMs).map(([e]) => e);
    expect(await r.core.cleanup()).toBe(expired.length);
    for (const email of expired) m.broadcasts.delete(email);
  }
  toString = () => 'cleanup job runs';
}

const who = fc.integer({ min: 0, max: actors.length - 1 });
const target = fc.integer({ min: 0, max: people.length - 1 });
const address = fc.constantFrom('192.168.1.50', '10.0.0.7', 'fd00::1', '2001:db8::9', '203.0.113.5');
// Weighted so that short stories reach the interesting places: everyone
// registered and announced, then time lands on or next to a TTL edge.
const commands = [
  fc.oneof(
    { weight: 3, arbitrary: who.map((i) => new Register(i)) },
    { weight: 3, arbitrary: fc.tuple(who, fc.integer({ min: 1, max: 65535 }), fc.array(address, { minLength: 1, maxLength: 4 })).map(([i, p, a]) => new Ready(i, p, a)) },
    { weight: 2, arbitrary: who.map((i) => new Heartbeat(i)) },
    { weight: 3, arbitrary: fc.tuple(who, target).map(([i, t]) => new Lookup(i, t)) },
    { weight: 2, arbitrary: fc.tuple(who, fc.integer({ min: 1, max: 3 })).map(([i, l]) => new List(i, l)) },
    { weight: 3, arbitrary: fc.constantFrom(1, 999, TTL_SECONDS * 500, TTL_SECONDS * 1000 - 1, TTL_SECONDS * 1000).map((ms) => new Advance(ms)) },
    { weight: 1, arbitrary: fc.constant(new Cleanup()) },
  ),
];

describe('relay core against the spec model', () => {
  it('agrees with the model on every sequence of register/ready/heartbeat/lookup/list/clock/cleanup', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: 'large' }), fc.integer(), async (cmds, seed) => {
        const clock = new ManualClock(T0);
        const core = new RelayCore({ clock, rng: new SeededRng(seed), store: new MemoryStore(), certificates: x509Inspector, config: { ttlSeconds: TTL_SECONDS, testMode: false } });
        await fc.asyncModelRun(() => ({ model: { nowMs: T0, registered: new Map(), broadcasts: new Map() }, real: { core, clock } }), cmds);
      }),
      { numRuns: 300 },
    );
  });
});
