/**
 * Model-based run (fast-check `commands`): random sequences of register,
 * ready, heartbeat, lookup, list and clock advances against a model of the
 * spec. Any divergence is shrunk to a minimal sequence, reported as
 * replayable steps. Time moves through the test-control profile, so the
 * case runs alone in the clock phase and skips when the profile is absent.
 */
import fc from 'fast-check';
import type { CaseContext } from '../runner/types.ts';
import type { SuiteIdentity } from '../runner/identities.ts';
import { CaseFailure, CaseSkip, describeReply, NotApplicable } from '../runner/verify.ts';
import type { Reply } from '../runner/target.ts';
import { compareEmails, defineCases, lookupPath, PATHS, walkList } from './steps.ts';

const PEERS = 2;

interface ModelBroadcast {
  port: number;
  /** The relay's instant of ready/heartbeat lies in [sent, received]: expiry in [sent + TTL, received + TTL]. */
  expiresMinMs: number;
  expiresMaxMs: number;
}

interface Model {
  registered: boolean[];
  broadcasts: Array<ModelBroadcast | null>;
}

interface World {
  context: CaseContext;
  peers: SuiteIdentity[];
  observer: SuiteIdentity;
  ttlMs: number;
}

type Liveness = 'live' | 'expired' | 'either';

function liveness(broadcast: ModelBroadcast | null, askedMs: number, answeredMs: number): Liveness {
  if (!broadcast) return 'expired';
  if (answeredMs < broadcast.expiresMinMs) return 'live';
  if (askedMs >= broadcast.expiresMaxMs) return 'expired';
  return 'either';
}

function diverged(step: string, expected: string, reply: Reply): never {
  throw new CaseFailure(`${step}: ${expected}`, describeReply(reply));
}

async function timed(world: World, send: () => Promise<Reply>) {
  const askedMs = world.context.time.nowMs();
  const reply = await send();
  return { reply, askedMs, answeredMs: world.context.time.nowMs() };
}

class RegisterCommand implements fc.AsyncCommand<Model, World> {
  constructor(readonly peer: number) {}
  check = () => true;
  async run(model: Model, world: World) {
    const identity = world.peers[this.peer] as SuiteIdentity;
    const reply = await world.context.client.post(PATHS.register, { certificate: identity.certificatePem, email: identity.email }, identity);
    const expected = model.registered[this.peer] ? 409 : 200;
    if (reply.status !== expected) diverged(this.toString(), `HTTP ${expected}`, reply);
    model.registered[this.peer] = true;
  }
  toString = () => `register(peer${this.peer})`;
}

class ReadyCommand implements fc.AsyncCommand<Model, World> {
  constructor(readonly peer: number, readonly port: number) {}
  check = () => true;
  async run(model: Model, world: World) {
    const { reply, askedMs, answeredMs } = await timed(world, () => world.context.client.post(PATHS.ready, { port: this.port, addresses: ['192.0.2.7'] }, world.peers[this.peer]));
    if (!model.registered[this.peer]) {
      if (reply.status !== 401) diverged(this.toString(), 'HTTP 401 (not registered)', reply);
      return;
    }
    if (reply.status !== 200) diverged(this.toString(), 'HTTP 200', reply);
    model.broadcasts[this.peer] = { port: this.port, expiresMinMs: askedMs + world.ttlMs, expiresMaxMs: answeredMs + world.ttlMs };
  }
  toString = () => `ready(peer${this.peer}, port ${this.port})`;
}

class HeartbeatCommand implements fc.AsyncCommand<Model, World> {
  constructor(readonly peer: number) {}
  check = () => true;
  async run(model: Model, world: World) {
    const { reply, askedMs, answeredMs } = await timed(world, () => world.context.client.post(PATHS.heartbeat, {}, world.peers[this.peer]));
    if (!model.registered[this.peer]) {
      if (reply.status !== 401) diverged(this.toString(), 'HTTP 401 (not registered)', reply);
      return;
    }
    const state = liveness(model.broadcasts[this.peer] ?? null, askedMs, answeredMs);
    if (state === 'live' && reply.status !== 200) diverged(this.toString(), 'HTTP 200 alive (broadcast live)', reply);
    if (state === 'expired' && reply.status !== 404) diverged(this.toString(), 'HTTP 404 no_live_broadcast (no live broadcast)', reply);
    const current = model.broadcasts[this.peer];
    if (reply.status === 200 && current) model.broadcasts[this.peer] = { ...current, expiresMinMs: askedMs + world.ttlMs, expiresMaxMs: answeredMs + world.ttlMs };
    if (reply.status === 404) model.broadcasts[this.peer] = null;
  }
  toString = () => `heartbeat(peer${this.peer})`;
}

class LookupCommand implements fc.AsyncCommand<Model, World> {
  constructor(readonly peer: number) {}
  check = () => true;
  async run(model: Model, world: World, step = this.toString()) {
    const target = world.peers[this.peer] as SuiteIdentity;
    const { reply, askedMs, answeredMs } = await timed(world, () => world.context.client.get(lookupPath(target.email), world.observer));
    const broadcast = model.broadcasts[this.peer] ?? null;
    const state = liveness(broadcast, askedMs, answeredMs);
    const port = (reply.json as { port?: unknown } | undefined)?.port;
    if (state === 'live' && (reply.status !== 200 || port !== broadcast?.port)) diverged(step, `HTTP 200 with port ${broadcast?.port}`, reply);
    if (state === 'expired' && reply.status !== 404) diverged(step, 'HTTP 404 peer_not_found', reply);
  }
  toString = () => `lookup(peer${this.peer})`;
}

class ListCommand implements fc.AsyncCommand<Model, World> {
  check = () => true;
  async run(model: Model, world: World) {
    const last = [...world.peers].map((p) => p.email).sort(compareEmails).pop() ?? null;
    const askedMs = world.context.time.nowMs();
    const walk = await walkList(world.context, world.observer, 1000, last);
    const answeredMs = world.context.time.nowMs();
    world.peers.forEach((peer, i) => {
      const state = liveness(model.broadcasts[i] ?? null, askedMs, answeredMs);
      const listed = walk.items.some((item) => item.email === peer.email);
      if ((state === 'live' && !listed) || (state === 'expired' && listed)) {
        throw new CaseFailure(`${this.toString()}: peer${i} ${state === 'live' ? 'listed (live)' : 'absent (not live)'}`, `peer${i} ${listed ? 'listed' : 'absent'} in ${walk.items.length} items`);
      }
    });
  }
  toString = () => 'list()';
}

class AdvanceCommand implements fc.AsyncCommand<Model, World> {
  constructor(readonly fractionOfTtl: number) {}
  check = () => true;
  async run(_model: Model, world: World) {
    const seconds = Math.max(0.001, (world.ttlMs / 1000) * this.fractionOfTtl);
    const reply = await world.context.client.post(PATHS.clock, { advance_seconds: seconds });
    if (reply.status !== 200) diverged(this.toString(), 'HTTP 200 (test-control profile)', reply);
    world.context.time.advancedMs += seconds * 1000;
    // Time is what the model is about: look at every peer right after it moves.
    for (let peer = 0; peer < world.peers.length; peer += 1) await new LookupCommand(peer).run(_model, world, `${this.toString()} then lookup(peer${peer})`);
  }
  toString = () => `advance(${this.fractionOfTtl} × TTL)`;
}

const peerIndex = fc.nat({ max: PEERS - 1 });
const commands = fc.commands([
  peerIndex.map((i) => new RegisterCommand(i)),
  fc.tuple(peerIndex, fc.integer({ min: 1024, max: 65535 })).map(([i, port]) => new ReadyCommand(i, port)),
  // Heartbeats listed twice: the interesting sequences interleave them with clock moves.
  peerIndex.map((i) => new HeartbeatCommand(i)),
  peerIndex.map((i) => new HeartbeatCommand(i)),
  peerIndex.map((i) => new LookupCommand(i)),
  fc.constant(new ListCommand()),
  fc.constantFrom(0.25, 0.6, 0.9, 1.1, 2).map((f) => new AdvanceCommand(f)),
], { maxCommands: 16, size: 'medium' });

export default defineCases([
  {
    id: 'EXP-1/model-based',
    requirements: ['EXP-1', 'READY-6', 'HB-1', 'HB-3', 'LOOKUP-1', 'LOOKUP-3', 'LIST-2', 'EXP-3'],
    title: 'property: register/ready/heartbeat/lookup/list/clock sequences agree with a model of the spec',
    timing: 'clock',
    async run(context) {
      // The model moves time through the optional test-control profile (TEST-1, a MAY): without it there is nothing to run.
      if (!context.time.facts.testProfileOffered) throw new NotApplicable('runs only on relays that offer the optional test-control profile (POST /api/test/clock), to move time between commands; EXP-1 is checked by EXP-1/lookup-gone-after-ttl');
      if (context.time.facts.production) throw new NotApplicable('--production: the relay is checked as deployed, so its clock is never moved; EXP-1 is checked by EXP-1/lookup-gone-after-ttl');
      const ttlSeconds = context.time.facts.ttlSeconds;
      if (!ttlSeconds) throw new CaseSkip('the relay declared no TTL');
      const seed = context.rng.nextUint32() | 0;
      let lastFailure: CaseFailure | null = null;
      try {
        await fc.assert(
          fc.asyncProperty(commands, async (sequence) => {
            const observer = context.identities.create({ email: context.newEmail('0000model-observer') });
            const registered = await context.client.post(PATHS.register, { certificate: observer.certificatePem, email: observer.email }, observer);
            if (registered.status !== 200) throw new CaseFailure('setup: register the observer → HTTP 200', describeReply(registered));
            // Peers start registered: the interesting behaviour is broadcasts over time.
            const peers = Array.from({ length: PEERS }, () => context.identities.create({ email: context.newEmail('0000model') }));
            for (const peer of peers) {
              const reply = await context.client.post(PATHS.register, { certificate: peer.certificatePem, email: peer.email }, peer);
              if (reply.status !== 200) throw new CaseFailure('setup: register a model peer → HTTP 200', describeReply(reply));
            }
            const world: World = { context, peers, observer, ttlMs: ttlSeconds * 1000 };
            if (process.env.RELAYLAB_DEBUG_MODEL) process.stderr.write(`model run: ${[...sequence].map(String).join(', ')}\n`);
            try {
              await fc.asyncModelRun(() => ({ model: { registered: peers.map(() => true), broadcasts: peers.map(() => null) }, real: world }), sequence);
            } catch (error) {
              if (error instanceof CaseFailure) lastFailure = error;
              throw error;
            }
          }),
          { seed, numRuns: 50 },
        );
      } catch (error) {
        const steps = /Counterexample: \[(.*)\]/.exec((error as Error).message)?.[1] ?? '(see fast-check output)';
        const failure = lastFailure as CaseFailure | null;
        throw new CaseFailure(failure?.expected ?? 'the relay to follow the model', `${failure?.actual ?? (error as Error).message.split('\n')[0]}; minimal sequence: ${steps} (fast-check seed ${seed})`);
      }
    },
  },
]);
