/**
 * The Relay Tracker state machine. Pure: time comes from the injected
 * Clock, identifiers from the injected Rng, persistence from the injected
 * RelayStore, certificate parsing from the injected inspector. The HTTPS
 * edge (reference/relay/http) and the simulator both drive this class.
 */
import type { Clock } from '../../shared/clock.ts';
import { hex8, type Rng } from '../../shared/rng.ts';
import type { CertificateInspector } from '../../identity/inspect.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { fail, ok } from './result.ts';
import { checkCertificate } from './certificate-rules.ts';
import { checkClockAdvance, checkListLimit, checkLookupEmail, checkReadyPayload, checkRegisterPayload, checkRenewPayload, parseJsonObject } from './validate.ts';
import type { BroadcastRecord, IdentityRecord, NewIdentityRecord, Principal, RelayConfig, RelayHandler, RelayRequest, RelayResponse, RelayStore } from './types.ts';
import { RELAY_EXTENSIONS, StoreUnavailableError, type RelayExtension } from './types.ts';
import { validityProblem } from './validity.ts';
import { routeRequest } from './routes.ts';
import { TEST_CLOCK_LIMITS, ttlProblem } from '../../shared/protocol.ts';

export interface RelayCoreDeps {
  clock: Clock;
  rng: Rng;
  store: RelayStore;
  certificates: CertificateInspector;
  config: RelayConfig;
  /** Told about store outages so the edge can log the details clients must not see. */
  onStoreUnavailable?: (error: StoreUnavailableError) => void;
  /** Moves the clock forward; only consulted in test mode (SPEC TEST-1). */
  advanceClockMs?: (deltaMs: number) => void;
}

/** SPEC TEST-1 bounds (defined beside the request schemas, which use them). */
export { TEST_CLOCK_LIMITS } from '../../shared/protocol.ts';

type Authenticated = { ok: true; identity: IdentityRecord } | { ok: false; response: RelayResponse };

export class RelayCore implements RelayHandler {
  /** Readable so conformance mutants can build a broken variant from the same parts. */
  constructor(readonly deps: RelayCoreDeps) {
    const { ttlSeconds, extensions = [] } = deps.config;
    const badTtl = ttlProblem(ttlSeconds);
    if (badTtl) throw new RangeError(`RelayCore: ttlSeconds ${badTtl}`);
    const unknown = extensions.filter((e) => !(RELAY_EXTENSIONS as readonly string[]).includes(e));
    if (unknown.length > 0) throw new Error(`RelayCore: unknown extensions ${unknown.join(', ')} (known: ${RELAY_EXTENSIONS.join(', ')})`);
  }

  get ttlSeconds(): number {
    return this.deps.config.ttlSeconds;
  }

  /** Routes one request; store outages become 503, never a crash (SPEC ERR-5). */
  async handle(request: RelayRequest): Promise<RelayResponse> {
    try {
      return await routeRequest(this, request, this.deps.config);
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        this.deps.onStoreUnavailable?.(error);
        // Details (hosts, ports) go to the operator's log, not to clients.
        return fail('store_unavailable', "the relay's store is unavailable; try again shortly");
      }
      throw error;
    }
  }

  /** SPEC GEN-2; the extensions offered (SPEC EXT) are listed only when there are some. */
  health(): RelayResponse {
    const extensions = this.deps.config.extensions ?? [];
    return ok(extensions.length > 0 ? { status: 'ok', extensions: [...extensions] } : { status: 'ok' });
  }

  /** SPEC REG-1..REG-14. */
  async register(request: RelayRequest): Promise<RelayResponse> {
    // SPEC REG-14: checked first, it costs nothing.
    if (this.deps.config.requirePossession && !request.principal) {
      return fail('client_certificate_required', 'this relay registers only over mutual TLS presenting the certificate being registered');
    }
    const body = parseJsonObject(request.bodyText);
    if (!body.ok) return body.response;
    const payload = checkRegisterPayload(body.value);
    if (!payload.ok) return payload.response;
    const certificate = checkCertificate(this.deps.certificates, payload.value.certificatePem, payload.value.email, this.deps.clock.nowMs());
    if (!certificate.ok) return certificate.response;
    // SPEC REG-13: whoever presents a certificate while registering must be registering that one.
    if (request.principal && request.principal.fingerprintSha256 !== certificate.value.fingerprintSha256) {
      return fail('certificate_mismatch', 'the client certificate on this connection is not the certificate in the body; register over a connection presenting it, or present none');
    }
    const record: NewIdentityRecord = {
      id: this.newId(),
      email: payload.value.email,
      fingerprintSha256: certificate.value.fingerprintSha256,
      certificatePem: payload.value.certificatePem,
      registeredAtMs: this.deps.clock.nowMs(),
      notBeforeMs: certificate.value.notBeforeMs,
      notAfterMs: certificate.value.notAfterMs,
    };
    const outcome = await this.deps.store.insertIdentity(record);
    if (outcome === 'email_taken') return fail('email_taken', `${record.email} is already registered`);
    if (outcome === 'certificate_taken') return fail('certificate_already_registered', 'this certificate is already registered under another email');
    return ok({ status: 'registered', email: record.email, id: record.id });
  }

  /** SPEC READY-1..READY-8. */
  async ready(request: RelayRequest): Promise<RelayResponse> {
    const auth = await this.authenticate(request.principal);
    if (!auth.ok) return auth.response;
    const body = parseJsonObject(request.bodyText);
    if (!body.ok) return body.response;
    const payload = checkReadyPayload(body.value, request.bodyText);
    if (!payload.ok) return payload.response;
    const nowMs = this.deps.clock.nowMs();
    const broadcast: BroadcastRecord = {
      broadcastId: this.newId(),
      email: auth.identity.email,
      port: payload.value.port,
      addresses: payload.value.addresses,
      capabilities: payload.value.capabilities,
      lastSeenMs: nowMs,
      expiresAtMs: nowMs + this.ttlSeconds * 1000,
    };
    await this.deps.store.putBroadcast(broadcast);
    return ok({ status: 'registered', broadcast_id: broadcast.broadcastId, expires_in: this.ttlSeconds, ...this.observed(request) });
  }

  /** SPEC HB-1..HB-4. */
  async heartbeat(request: RelayRequest): Promise<RelayResponse> {
    const auth = await this.authenticate(request.principal);
    if (!auth.ok) return auth.response;
    const refusedBody = optionalBodyProblem(request);
    if (refusedBody) return refusedBody;
    const nowMs = this.deps.clock.nowMs();
    const extended = await this.deps.store.extendBroadcast(auth.identity.email, nowMs, nowMs + this.ttlSeconds * 1000);
    if (!extended) return fail('no_live_broadcast', 'no live broadcast for this identity; send /api/relay/broadcast/ready again');
    return ok({ status: 'alive', expires_in: this.ttlSeconds, broadcast_expires: toUnixSeconds(extended.expiresAtMs), ...this.observed(request) });
  }

  /** SPEC EXT-2: a peer leaving gracefully ends its broadcast at once instead of waiting out the TTL. */
  async goodbye(request: RelayRequest): Promise<RelayResponse> {
    const auth = await this.authenticate(request.principal);
    if (!auth.ok) return auth.response;
    const refusedBody = optionalBodyProblem(request);
    if (refusedBody) return refusedBody;
    const ended = await this.deps.store.endBroadcast(auth.identity.email, this.deps.clock.nowMs());
    return ok({ status: 'gone', was_live: ended });
  }

  /** SPEC EXT-3: the address this request came from, for ready and heartbeat answers, where offered and known. */
  private observed(request: RelayRequest): { observed_address?: string } {
    if (!this.offers('observed-address') || !request.remoteAddress) return {};
    return { observed_address: request.remoteAddress };
  }

  private offers(extension: RelayExtension): boolean {
    return this.deps.config.extensions?.includes(extension) ?? false;
  }

  /** SPEC LOOKUP-1..LOOKUP-6. */
  async lookup(request: RelayRequest): Promise<RelayResponse> {
    // Validated in normalised form, the form registration stored (SPEC REG-6). A bad email is
    // answered only after authentication, as every refusal of an authenticated endpoint is.
    const checked = checkLookupEmail(request.query.get('email'));
    const { store } = this.deps;
    if (!checked.ok || !store.findIdentityAndLiveBroadcast || !request.principal) {
      const auth = await this.authenticate(request.principal);
      if (!auth.ok) return auth.response;
      if (!checked.ok) return checked.response;
      return lookupAnswer(checked.value, await store.findLiveBroadcast(checked.value, this.deps.clock.nowMs()));
    }
    const nowMs = this.deps.clock.nowMs();
    const both = await store.findIdentityAndLiveBroadcast(request.principal.fingerprintSha256, checked.value, nowMs);
    const auth = this.verdict(both?.identity ?? null, nowMs);
    if (!auth.ok) return auth.response;
    return lookupAnswer(checked.value, both?.broadcast ?? null);
  }

  /** SPEC LIST-1..LIST-7. */
  async list(request: RelayRequest): Promise<RelayResponse> {
    const auth = await this.authenticate(request.principal);
    if (!auth.ok) return auth.response;
    const limit = checkListLimit(request.query.get('limit'));
    if (!limit.ok) return limit.response;
    const rawCursor = request.query.get('cursor');
    const afterEmail = rawCursor === null ? null : decodeCursor(rawCursor);
    if (rawCursor !== null && afterEmail === null) return fail('invalid_cursor', '"cursor" is not one this relay issued');
    const page = await this.deps.store.listLiveBroadcasts({
      nowMs: this.deps.clock.nowMs(),
      excludeEmail: auth.identity.email,
      afterEmail,
      limit: limit.value + 1,
    });
    const items = page.slice(0, limit.value);
    const body = items.map((b) => ({ email: b.email, port: b.port, addresses: b.addresses, last_seen: toUnixSeconds(b.lastSeenMs) }));
    const last = items[items.length - 1];
    if (page.length <= limit.value || !last) return ok(body);
    const next = `/api/relay/broadcast/list?limit=${limit.value}&cursor=${encodeCursor(last.email)}`;
    return ok(body, { link: `<${next}>; rel="next"` });
  }

  /** SPEC EXT-1: a registered identity, authenticated with its current certificate, replaces it by a new one. */
  async renew(request: RelayRequest): Promise<RelayResponse> {
    const auth = await this.authenticate(request.principal);
    if (!auth.ok) return auth.response;
    const { identity } = auth;
    const body = parseJsonObject(request.bodyText);
    if (!body.ok) return body.response;
    const payload = checkRenewPayload(body.value);
    if (!payload.ok) return payload.response;
    if (payload.value.email !== null && payload.value.email !== identity.email) {
      return fail('email_mismatch', `this certificate is registered as ${identity.email}, not ${payload.value.email}; a renewal keeps the email`);
    }
    // The same checks as a registration, for the identity's own email.
    const certificate = checkCertificate(this.deps.certificates, payload.value.certificatePem, identity.email, this.deps.clock.nowMs());
    if (!certificate.ok) return certificate.response;
    const { fingerprintSha256, notBeforeMs, notAfterMs } = certificate.value;
    if (fingerprintSha256 === identity.fingerprintSha256) {
      return fail('certificate_already_registered', 'the new certificate is the one already registered; renew with a new one');
    }
    const outcome = await this.deps.store.replaceCertificate(identity.email, identity.fingerprintSha256, { fingerprintSha256, certificatePem: payload.value.certificatePem, notBeforeMs, notAfterMs });
    if (outcome === 'certificate_taken') return fail('certificate_already_registered', 'the new certificate is already registered');
    if (outcome === 'stale') return fail('certificate_not_registered', 'the client certificate was replaced meanwhile (another renewal won)');
    return ok({ status: 'renewed', email: identity.email, id: identity.id, not_after: toUnixSeconds(notAfterMs) });
  }

  /** Total the test-control profile has moved the clock, in ms (capped at TEST_CLOCK_LIMITS.maxTotalMs). */
  private clockAdvancedMs = 0;

  /** SPEC TEST-1: the test-control profile, reachable only in test mode. */
  advanceClock(request: RelayRequest): RelayResponse {
    const body = parseJsonObject(request.bodyText);
    if (!body.ok) return body.response;
    const advance = checkClockAdvance(body.value);
    if (!advance.ok) return advance.response;
    const seconds = advance.value;
    if (!this.deps.advanceClockMs) return fail('route_not_found', 'this relay has no controllable clock');
    const deltaMs = Math.round(seconds * 1000);
    // Unbounded steps would walk time past what stores and dates can hold (2^53 ms, PostgreSQL's bigint maths).
    if (this.clockAdvancedMs + deltaMs > TEST_CLOCK_LIMITS.maxTotalMs) {
      const leftSeconds = Math.max(0, TEST_CLOCK_LIMITS.maxTotalMs - this.clockAdvancedMs) / 1000;
      return fail('invalid_clock_advance', `the clock may move at most 100 years in total; ${leftSeconds} seconds of that are left`);
    }
    this.clockAdvancedMs += deltaMs;
    this.deps.advanceClockMs(deltaMs);
    return ok({ now: toUnixSeconds(this.deps.clock.nowMs()) });
  }

  /** Deletes expired broadcasts; visibility never depends on it (SPEC EXP-1). */
  async cleanup(): Promise<number> {
    return this.deps.store.deleteExpiredBroadcasts(this.deps.clock.nowMs());
  }

  /** SPEC AUTH-1..AUTH-4, AUTH-6: the certificate itself is the credential, by fingerprint, while it is valid. */
  private async authenticate(principal: Principal | null): Promise<Authenticated> {
    if (!principal) {
      return { ok: false, response: fail('client_certificate_required', 'this endpoint needs a client certificate (mutual TLS)') };
    }
    const identity = await this.deps.store.findIdentityByFingerprint(principal.fingerprintSha256);
    return this.verdict(identity, this.deps.clock.nowMs());
  }

  /** SPEC AUTH-3, AUTH-6: what the identity found for a presented certificate (or none) allows at nowMs. */
  private verdict(identity: IdentityRecord | null, nowMs: number): Authenticated {
    if (!identity) {
      return { ok: false, response: fail('certificate_not_registered', 'the client certificate is not registered with this relay') };
    }
    const problem = validityProblem(identity, this.deps.certificates, nowMs);
    if (problem !== null) return { ok: false, response: fail('certificate_expired', problem) };
    return { ok: true, identity };
  }

  /** A random (version 4) UUID drawn from the injected Rng. */
  private newId(): string {
    // The same four draws and text as nextHex(rng, 16) formatted as 8-4-4-4-12, but joined into one flat
    // string: a template literal would leave a tree of cons strings in every stored record.
    const rng = this.deps.rng;
    const a = hex8(rng.nextUint32());
    const b = hex8(rng.nextUint32());
    const c = hex8(rng.nextUint32());
    const d = hex8(rng.nextUint32());
    const variant = ((parseInt(c[0] as string, 16) & 0x3) | 0x8).toString(16);
    return [a, '-', b.slice(0, 4), '-4', b.slice(5, 8), '-', variant, c.slice(1, 4), '-', c.slice(4, 8), d].join('');
  }
}

/** SPEC LOOKUP-2, LOOKUP-3: the live broadcast found for `email`, or 404. */
function lookupAnswer(email: string, broadcast: BroadcastRecord | null): RelayResponse {
  if (!broadcast) return fail('peer_not_found', `${email} is not online`);
  const body: Record<string, unknown> = {
    email: broadcast.email,
    status: 'online',
    port: broadcast.port,
    addresses: broadcast.addresses,
    last_seen: toUnixSeconds(broadcast.lastSeenMs),
    broadcast_expires: toUnixSeconds(broadcast.expiresAtMs),
  };
  if (broadcast.capabilities) body.capabilities = broadcast.capabilities;
  return ok(body);
}

/**
 * Heartbeat and goodbye define no request body, so none is needed; but a
 * body that is sent must be a JSON object (SPEC ERR-2), checked before any
 * state moves so a refusal changes nothing (ERR-7).
 */
function optionalBodyProblem(request: RelayRequest): RelayResponse | null {
  if (request.bodyText === null || request.bodyText.trim() === '') return null;
  const body = parseJsonObject(request.bodyText);
  return body.ok ? null : body.response;
}

export function toUnixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
