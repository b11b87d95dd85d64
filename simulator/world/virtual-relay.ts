/**
 * The reference RelayCore, unchanged, on the simulator's clock (plus the
 * relay's clock skew), a seeded Rng and the in-memory store. An outage
 * takes it down; the restart builds a new core, and with `store: memory`
 * a new, empty store: registrations and broadcasts are gone. `durable`
 * keeps the store object across the restart, which is what the
 * PostgreSQL store guarantees (its tests check that against a real server).
 * The scenario's `relay.extensions` go to the core as its `extensions`.
 */
import type { Clock } from '../../reference/shared/clock.ts';
import type { Rng } from '../../reference/shared/rng.ts';
import { RelayCore } from '../../reference/relay/core/relay-core.ts';
import type { RelayExtension, RelayRequest, RelayResponse } from '../../reference/relay/core/types.ts';
import { MemoryStore } from '../../reference/relay/stores/memory-store.ts';
import { RELAY_PATHS } from '../../reference/shared/relay-paths.ts';
import { simCertificateInspector, simIdentity } from './sim-certificates.ts';
import { emailQuery } from './transport.ts';

/** The identity the simulator's own visibility probes use (never a peer's). */
export const PROBE_IDENTITY = simIdentity(0xffff_ffff);

export class VirtualRelay {
  private store = new MemoryStore();
  private core: RelayCore;
  private up = true;
  /** Bumps on every restart: records older than this epoch may be gone. */
  epoch = 0;
  private registered = 0;

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng,
    readonly ttlSeconds: number,
    readonly storeKind: 'memory' | 'durable',
    /** What it offers (SPEC EXT): the core's own `extensions` setting, as the reference relay takes it from its flags. */
    readonly extensions: readonly RelayExtension[] = [],
  ) {
    this.core = this.newCore();
  }

  /** What its health answer lists (SPEC GEN-2, EXT), as the reference peer reads it at start-up. */
  advertisedExtensions(): string[] {
    const listed = (this.core.health().body as { extensions?: unknown } | null)?.extensions;
    return Array.isArray(listed) ? listed.filter((e): e is string => typeof e === 'string') : [];
  }

  get isUp(): boolean {
    return this.up;
  }

  /**
   * How many identities its store holds, the probe's among them: each register answered 200 added one
   * (SPEC REG: 409 means the email was held already), and a memory store starts empty at each restart.
   * Counted here, outside the unchanged core; bench:sim's memory floor reads it.
   */
  get identitiesHeld(): number {
    return this.registered;
  }

  /** Registers the probe identity; awaited once at start and after each restart. */
  async registerProbe(): Promise<void> {
    const body = JSON.stringify({ certificate: PROBE_IDENTITY.certificatePem, email: PROBE_IDENTITY.email });
    const response = await this.handle({ method: 'POST', path: RELAY_PATHS.register, query: new URLSearchParams(), bodyText: body, principal: null });
    if (response.status !== 200 && response.status !== 409) throw new Error(`the relay refused the probe identity: ${response.status} ${JSON.stringify(response.body)}`);
  }

  handle(request: RelayRequest): Promise<RelayResponse> {
    if (!this.up) throw new Error('the relay is down: callers must check isUp first');
    const answer = this.core.handle(request);
    if (request.path !== RELAY_PATHS.register) return answer;
    return answer.then((response) => {
      if (response.status === 200) this.registered++;
      return response;
    });
  }

  /** Looks `email` up as the probe, straight at the core (not over the network). */
  async probeLookup(email: string): Promise<number> {
    const query = emailQuery(email);
    const response = await this.core.handle({ method: 'GET', path: '/api/relay/broadcast/lookup', query, bodyText: null, principal: { fingerprintSha256: PROBE_IDENTITY.fingerprintSha256, source: 'tls' } });
    return response.status;
  }

  /**
   * How much longer the relay's own state lists `email` (its broadcast's
   * expiry less the relay's now), 0 when it holds no live broadcast. A
   * memory store is gone once the relay is down, whatever the object
   * still holds until the restart replaces it.
   */
  async remainingListingMs(email: string): Promise<number> {
    if (!this.up && this.storeKind === 'memory') return 0;
    const now = this.clock.nowMs();
    const record = await this.store.findLiveBroadcast(email, now);
    return record === null ? 0 : record.expiresAtMs - now;
  }

  cleanup(): Promise<number> {
    return this.core.cleanup();
  }

  countLive(): Promise<number> {
    return this.store.countLiveBroadcasts(this.clock.nowMs());
  }

  goDown(): void {
    this.up = false;
  }

  async restart(): Promise<void> {
    if (this.storeKind === 'memory') {
      this.store = new MemoryStore();
      this.registered = 0;
    }
    this.core = this.newCore();
    this.epoch++;
    this.up = true;
    await this.registerProbe();
  }

  private newCore(): RelayCore {
    return new RelayCore({ clock: this.clock, rng: this.rng, store: this.store, certificates: simCertificateInspector, config: { ttlSeconds: this.ttlSeconds, testMode: false, extensions: this.extensions } });
  }
}
