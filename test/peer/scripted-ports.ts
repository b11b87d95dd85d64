/**
 * Fault-injection ports for the pure peer core, on ManualTimers: a network
 * of addresses with scripted behaviour, and a relay whose answers a test
 * lines up. Answers arrive through the timers, like a real network, so
 * tests see real interleavings on virtual time.
 */
import type { Timers } from '../../reference/shared/timers.ts';
import type { Cancellable, DialOutcome, Dialer, ReadyPayload, RelayPort, RelayReply } from '../../reference/peer/core/ports.ts';

/** How one address behaves when dialled. */
export type HostBehaviour =
  | { kind: 'answers'; email: string; afterMs: number }
  | { kind: 'refuses'; afterMs: number }
  | { kind: 'silent' }
  | { kind: 'http_error'; afterMs: number };

export interface DialRecord {
  address: string;
  port: number;
  atMs: number;
  cancelled: boolean;
}

export class ScriptedNetwork implements Dialer {
  readonly dials: DialRecord[] = [];
  private readonly hosts = new Map<string, HostBehaviour>();

  constructor(
    private readonly timers: Timers,
    private readonly now: () => number,
  ) {}

  /** `address:port` → behaviour. Unlisted sockets refuse after 1 ms. */
  set(address: string, port: number, behaviour: HostBehaviour): this {
    this.hosts.set(`${address}|${port}`, behaviour);
    return this;
  }

  dial(address: string, port: number, _expectedEmail: string, _timeoutMs: number, onOutcome: (outcome: DialOutcome) => void): Cancellable {
    const record: DialRecord = { address, port, atMs: this.now(), cancelled: false };
    this.dials.push(record);
    const behaviour = this.hosts.get(`${address}|${port}`) ?? { kind: 'refuses', afterMs: 1 };
    if (behaviour.kind === 'silent') return { cancel: () => void (record.cancelled = true) };
    const outcome: DialOutcome =
      behaviour.kind === 'answers' ? { kind: 'ok', email: behaviour.email } : behaviour.kind === 'refuses' ? { kind: 'refused' } : { kind: 'http_error', detail: 'HTTP 500' };
    const handle = this.timers.setTimer(behaviour.afterMs, () => onOutcome(outcome));
    return {
      cancel: () => {
        record.cancelled = true;
        this.timers.clearTimer(handle);
      },
    };
  }
}

export type RelayCall = { endpoint: 'register' } | { endpoint: 'ready'; payload: ReadyPayload } | { endpoint: 'heartbeat' } | { endpoint: 'lookup'; email: string } | { endpoint: 'goodbye' };

/**
 * A relay that answers each endpoint from a per-endpoint script (the last
 * entry repeats), after `latencyMs`. `null` in a script means "never answers".
 */
export class ScriptedRelay implements RelayPort {
  readonly calls: Array<RelayCall & { atMs: number }> = [];
  private readonly scripts: Record<RelayCall['endpoint'], Array<RelayReply | null>> = { register: [], ready: [], heartbeat: [], lookup: [], goodbye: [] };
  private readonly lookupAnswers = new Map<string, RelayReply>();

  constructor(
    private readonly timers: Timers,
    private readonly now: () => number,
    private readonly latencyMs = 5,
  ) {}

  script(endpoint: RelayCall['endpoint'], ...replies: Array<RelayReply | null>): this {
    this.scripts[endpoint].push(...replies);
    return this;
  }

  /** A fixed answer for looking up one email (takes precedence over the lookup script). */
  answerLookup(email: string, reply: RelayReply): this {
    this.lookupAnswers.set(email, reply);
    return this;
  }

  count(endpoint: RelayCall['endpoint']): number {
    return this.calls.filter((c) => c.endpoint === endpoint).length;
  }

  register(onReply: (reply: RelayReply) => void): Cancellable {
    return this.answer({ endpoint: 'register' }, onReply);
  }
  ready(payload: ReadyPayload, onReply: (reply: RelayReply) => void): Cancellable {
    return this.answer({ endpoint: 'ready', payload }, onReply);
  }
  heartbeat(onReply: (reply: RelayReply) => void): Cancellable {
    return this.answer({ endpoint: 'heartbeat' }, onReply);
  }
  lookup(email: string, onReply: (reply: RelayReply) => void): Cancellable {
    return this.answer({ endpoint: 'lookup', email }, onReply);
  }
  goodbye(onReply: (reply: RelayReply) => void): Cancellable {
    return this.answer({ endpoint: 'goodbye' }, onReply);
  }

  private answer(call: RelayCall, onReply: (reply: RelayReply) => void): Cancellable {
    this.calls.push({ ...call, atMs: this.now() });
    const script = this.scripts[call.endpoint];
    const fixed = call.endpoint === 'lookup' ? this.lookupAnswers.get(call.email) : undefined;
    const reply = fixed ?? (script.length > 1 ? script.shift() : script[0]);
    if (reply === undefined) throw new Error(`ScriptedRelay: no answer scripted for ${call.endpoint}`);
    if (reply === null) return { cancel() {} };
    const handle = this.timers.setTimer(this.latencyMs, () => onReply(reply));
    return { cancel: () => this.timers.clearTimer(handle) };
  }
}

export const response = (status: number, body: unknown = {}): RelayReply => ({ kind: 'response', status, body });
export const unreachable = (message = 'connect ECONNREFUSED 127.0.0.1:1'): RelayReply => ({ kind: 'unreachable', message });
