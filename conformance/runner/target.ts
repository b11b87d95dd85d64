/**
 * The target adapter: the only way cases reach a relay. Real HTTPS through
 * undici, client certificates on the TLS connection (`mtls`) or, for relays
 * behind a TLS-terminating proxy, the URL-encoded PEM in a header. Every
 * request and response is recorded as an Exchange for the report.
 */
import { Agent, request as undiciRequest } from 'undici';
import { pinnedTrust, type PinnedTrust } from '../../reference/identity/pinning.ts';
import type { Exchange, ExchangeResponse } from './types.ts';
import type { SuiteIdentity } from './identities.ts';
import { endpointLabel, endpointOfPath } from './endpoints.ts';
import { currentRecorder, ROBUSTNESS_REQUIREMENT } from './recorder.ts';

export type AuthMode = { kind: 'mtls' } | { kind: 'header'; headerName: string };

export interface TargetOptions {
  url: string;
  /** PEM of the CA (or the relay's own certificate) to trust; null with `insecure`. */
  caPem: string | null;
  insecure: boolean;
  auth: AuthMode;
  requestTimeoutMs?: number;
  /** A local address the relay does not trust as a proxy (--untrusted-source): AUTH-5's forged header is sent from it. */
  untrustedSource?: string | null;
  /**
   * One connection per request. Under --time-warp K the relay's idle
   * keep-alive timer runs K times faster (5 s becomes 83 ms at 60x), so a
   * reused connection would be reset by the warp, not by the relay.
   */
  freshConnections?: boolean;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';
  path: string;
  /** Whose certificate to present; null or absent: none. */
  identity?: SuiteIdentity | null;
  /** Serialised as JSON with Content-Type application/json. */
  json?: unknown;
  /** A raw body, sent as is (malformed-input cases). */
  rawBody?: string;
  /** An array is sent as that many header lines of one name (ROB-4: the certificate header twice). */
  headers?: Record<string, string | string[]>;
  /** Send from --untrusted-source instead of the default local address. */
  fromUntrustedSource?: boolean;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Parsed body, or undefined when it is not JSON. */
  json: unknown;
  exchange: Exchange;
}

const MAX_RATE_LIMIT_RETRIES = 30;
const MAX_RETRY_AFTER_SECONDS = 10;

/** Bodies longer than this are kept truncated in exchanges (5 MB cases). */
const KEPT_BODY_CHARS = 70_000;

export class Target {
  private readonly agents = new Map<string, Agent>();
  /** Parsed once: every identity's agent trusts the relay the same way. */
  private readonly trust: PinnedTrust;
  /** `METHOD /path` of endpoints the preflight found missing (404/405 to their own method). */
  readonly missingEndpoints = new Set<string>();
  /** Requests answered 429 and sent again after Retry-After. */
  rateLimitedRetries = 0;
  constructor(readonly options: TargetOptions) {
    this.trust = pinnedTrust(options.caPem);
  }

  /** A client whose exchanges are recorded into `log`. */
  client(log: Exchange[]): TargetClient {
    return new TargetClient(this, log);
  }

  agentFor(identity: SuiteIdentity | null, localAddress: string | null = null): Agent {
    const useTlsCert = identity !== null && this.options.auth.kind === 'mtls';
    const key = `${useTlsCert ? identity.fingerprintSha256 : 'anonymous'}@${localAddress ?? ''}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({
        connect: {
          ...this.trust,
          rejectUnauthorized: !this.options.insecure,
          ...(useTlsCert ? { cert: identity.certificatePem, key: identity.privateKeyPem } : {}),
        },
        // undici takes the source address from the client options, not from `connect` (where it is dropped).
        ...(localAddress ? { localAddress } : {}),
        headersTimeout: this.options.requestTimeoutMs ?? 15_000,
        bodyTimeout: this.options.requestTimeoutMs ?? 15_000,
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => a.close().catch(() => undefined)));
  }
}

export class TargetClient {
  /** Requests not yet answered: a case must not leave any running into the next case (see drain). */
  private readonly inFlight = new Set<Promise<unknown>>();
  constructor(
    private readonly target: Target,
    private readonly log: Exchange[],
  ) {}

  private ended = false;

  /**
   * The case is over: refuses further requests and waits for those in
   * flight, so a case that threw while other requests of its own were
   * running (one of 50 concurrent clients failing) leaks no load into the
   * cases after it.
   */
  async drain(): Promise<void> {
    this.ended = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  get auth(): AuthMode {
    return this.target.options.auth;
  }

  get untrustedSource(): string | null {
    return this.target.options.untrustedSource ?? null;
  }

  /** The relay's origin (`https://host:port`), for the cases that open raw sockets to it (ROB-1, ROB-2), and only to it. */
  get url(): URL {
    return new URL(this.target.options.url);
  }

  /**
   * A relay may rate-limit (429 with Retry-After, e.g. the reference relay's
   * registration limit outside test mode): the suite waits as a polite client
   * would and sends again, a bounded number of times. Every attempt stays in
   * the exchange log; the count goes into the report's facts.
   */
  async send(spec: RequestSpec): Promise<Reply> {
    for (let attempt = 1; ; attempt += 1) {
      const reply = await this.sendOnce(spec);
      if (reply.status !== 429 || attempt > MAX_RATE_LIMIT_RETRIES) return reply;
      this.target.rateLimitedRetries += 1;
      const seconds = Number(reply.headers['retry-after']);
      await new Promise((resolve) => setTimeout(resolve, 1000 * (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, MAX_RETRY_AFTER_SECONDS) : 1)));
    }
  }

  private async sendOnce(spec: RequestSpec): Promise<Reply> {
    if (this.ended) throw new Error(`request after the case ended: ${spec.method} ${spec.path.slice(0, 80)}`);
    const identity = spec.identity ?? null;
    const headers: Record<string, string | string[]> = { accept: 'application/json', ...(spec.headers ?? {}) };
    let body: string | null = null;
    if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      headers['content-type'] ??= 'application/json';
    } else if (spec.rawBody !== undefined) {
      body = spec.rawBody;
      headers['content-type'] ??= 'application/json';
    }
    if (identity && this.target.options.auth.kind === 'header') {
      headers[this.target.options.auth.headerName.toLowerCase()] = encodeURIComponent(identity.certificatePem);
    }
    const localAddress = spec.fromUntrustedSource ? (this.target.options.untrustedSource ?? null) : null;
    if (spec.fromUntrustedSource && !localAddress) throw new Error('fromUntrustedSource needs --untrusted-source');
    const exchange: Exchange = {
      request: {
        method: spec.method,
        path: spec.path,
        // A repeated header is kept as the one line HTTP lets a recipient combine it into (RFC 9110 5.3).
        headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value])),
        body: body === null ? null : body.slice(0, KEPT_BODY_CHARS),
        bodyBytes: body === null ? 0 : Buffer.byteLength(body),
        identity: identity ? identity.label : null,
        localAddress,
      },
      response: null,
      transportError: null,
      startedAtMs: Date.now(),
      durationMs: 0,
    };
    this.log.push(exchange);
    const started = performance.now();
    let fullText = '';
    try {
      const pending = undiciRequest(new URL(spec.path, this.target.options.url), {
        method: spec.method,
        headers,
        body: body ?? undefined,
        dispatcher: this.target.agentFor(identity, localAddress),
        ...(this.target.options.freshConnections ? { reset: true } : {}),
      }).then(async (response) => ({ response, text: await response.body.text() }));
      this.inFlight.add(pending);
      const settled = await pending.finally(() => this.inFlight.delete(pending));
      const response = settled.response;
      fullText = settled.text;
      exchange.response = { status: response.statusCode, headers: flattenHeaders(response.headers), body: fullText.slice(0, KEPT_BODY_CHARS) };
    } catch (error) {
      exchange.transportError = describeTransportError(error);
    } finally {
      exchange.durationMs = Math.round(performance.now() - started);
    }
    const said = `${spec.method} ${spec.path.split('?')[0]?.slice(0, 120)}`;
    if (!exchange.response) {
      // SPEC ERR-5: a dropped connection breaks robustness whatever the case checks.
      currentRecorder()?.find('fail', ROBUSTNESS_REQUIREMENT, `${said}: an HTTP response (never a dropped connection)`, `no response: ${exchange.transportError}`);
      throw new TransportFailure(exchange);
    }
    const reply = toReply(exchange, exchange.response, fullText);
    const endpoint = endpointOfPath(spec.path);
    if (endpoint && this.target.missingEndpoints.has(endpointLabel(endpoint)) && (reply.status === 404 || reply.status === 405)) {
      throw new EndpointMissing(endpointLabel(endpoint), reply);
    }
    // SPEC ERR-5: a 5xx anywhere is a failure of robustness, beside whatever the case itself checks.
    if (reply.status >= 500) currentRecorder()?.find('fail', ROBUSTNESS_REQUIREMENT, `${said}: a 4xx or 2xx answer, never 5xx`, `HTTP ${reply.status} ${fullText.slice(0, 200)}`);
    // Cases judge the whole body (a long list page is still one JSON array); only the report's copy is cut.
    return reply;
  }

  get(path: string, identity?: SuiteIdentity | null): Promise<Reply> {
    return this.send({ method: 'GET', path, identity: identity ?? null });
  }

  post(path: string, json: unknown, identity?: SuiteIdentity | null): Promise<Reply> {
    return this.send({ method: 'POST', path, json, identity: identity ?? null });
  }
}

/** The relay dropped the connection or TLS failed: a case failure, reported with its exchange. */
export class TransportFailure extends Error {
  constructor(readonly exchange: Exchange) {
    super(`no HTTP response: ${exchange.transportError ?? 'unknown transport error'}`);
    this.name = 'TransportFailure';
  }
}

/** The case needs an endpoint the relay does not have (found missing in the preflight). */
export class EndpointMissing extends Error {
  constructor(
    readonly endpoint: string,
    readonly reply: Reply,
  ) {
    super(`${endpoint} does not exist on the relay (HTTP ${reply.status})`);
    this.name = 'EndpointMissing';
  }
}

function toReply(exchange: Exchange, response: ExchangeResponse, fullText: string): Reply {
  let json: unknown = undefined;
  try {
    json = JSON.parse(fullText);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text: fullText, json, exchange };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function describeTransportError(error: unknown): string {
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.cause?.code ?? err.code;
  const message = err.cause?.message ?? err.message ?? String(error);
  return code ? `${code}: ${message}` : message;
}

/** An https:// URL whose server answers the TLS ClientHello in plain HTTP. */
export function isPlainHttpAnswer(transportError: string): boolean {
  return /ERR_SSL_WRONG_VERSION_NUMBER|wrong version number|ERR_SSL_PACKET_LENGTH_TOO_LONG|packet length too long|http request/i.test(transportError);
}
