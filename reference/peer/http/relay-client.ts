/**
 * A Relay Tracker client over HTTPS with the identity's certificate as the
 * TLS client certificate (mutual TLS). It reports every HTTP answer as
 * data (status, body, headers) and throws only when the relay cannot be
 * reached, with a message a user can act on.
 */
import { Agent, request as undiciRequest } from 'undici';
import { pinnedTrust } from '../../identity/pinning.ts';
import { RELAY_PATHS } from '../../shared/relay-paths.ts';

export interface ClientIdentity {
  email: string;
  certificatePem: string;
  privateKeyPem: string;
}

export interface RelayClientOptions {
  relayUrl: string;
  /** The relay's certificate (or its CA) to pin. */
  relayCaPem?: string;
  /** Skip verifying the relay's certificate. For experiments only. */
  insecure?: boolean;
  identity?: ClientIdentity;
  timeoutMs?: number;
}

export interface RelayReply {
  status: number;
  body: any;
  headers: Record<string, string>;
  /** From a list response's `Link: <...cursor=...>; rel="next"`. */
  nextCursor?: string;
}

export class RelayUnreachableError extends Error {
  readonly code = 'relay_unreachable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RelayUnreachableError';
  }
}

export class RelayClient {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(private readonly options: RelayClientOptions) {
    try {
      this.base = new URL(options.relayUrl);
    } catch {
      throw new RelayUnreachableError(`relay URL "${options.relayUrl}" is not a URL (expected https://host:port)`);
    }
    if (this.base.protocol !== 'https:') throw new RelayUnreachableError(`relay URL must be https://, got ${options.relayUrl}`);
    const timeoutMs = options.timeoutMs ?? 10_000;
    this.agent = new Agent({
      connect: {
        ...pinnedTrust(options.relayCaPem),
        ...(options.identity ? { cert: options.identity.certificatePem, key: options.identity.privateKeyPem } : {}),
        rejectUnauthorized: !options.insecure,
        timeout: timeoutMs,
      },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  register(): Promise<RelayReply> {
    const identity = this.requireIdentity();
    return this.send('POST', RELAY_PATHS.register, { certificate: identity.certificatePem, email: identity.email });
  }

  /** SPEC EXT-1: replace this client's (still valid) certificate by `certificatePem` for the same email. */
  renew(certificatePem: string): Promise<RelayReply> {
    this.requireIdentity();
    return this.send('POST', RELAY_PATHS.renew, { certificate: certificatePem });
  }

  ready(payload: { port: number; addresses: string[]; capabilities?: Record<string, unknown> }): Promise<RelayReply> {
    return this.send('POST', RELAY_PATHS.ready, payload);
  }

  heartbeat(): Promise<RelayReply> {
    return this.send('POST', RELAY_PATHS.heartbeat, {});
  }

  /** SPEC EXT-2: ends this identity's broadcast at once (relays offering "goodbye"). */
  goodbye(): Promise<RelayReply> {
    return this.send('POST', RELAY_PATHS.goodbye, {});
  }

  lookup(email: string): Promise<RelayReply> {
    return this.send('GET', `${RELAY_PATHS.lookup}?email=${encodeURIComponent(email)}`);
  }

  async list(query: { limit?: number; cursor?: string } = {}): Promise<RelayReply> {
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor !== undefined) params.set('cursor', query.cursor);
    const suffix = params.size > 0 ? `?${params}` : '';
    const reply = await this.send('GET', `${RELAY_PATHS.list}${suffix}`);
    const cursor = nextCursorOf(reply.headers.link);
    return cursor ? { ...reply, nextCursor: cursor } : reply;
  }

  health(): Promise<RelayReply> {
    return this.send('GET', RELAY_PATHS.health);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private requireIdentity(): ClientIdentity {
    if (!this.options.identity) throw new RelayUnreachableError('this call needs an identity (--identity DIR)');
    return this.options.identity;
  }

  private async send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<RelayReply> {
    const url = new URL(path, this.base);
    let response;
    try {
      response = await undiciRequest(url, {
        method,
        dispatcher: this.agent,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new RelayUnreachableError(describeNetworkError(this.base.origin, error, Boolean(this.options.relayCaPem)), { cause: error });
    }
    const text = await response.body.text();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      // Not JSON: keep the text so the caller can show what the server said.
    }
    return { status: response.statusCode, body: parsed, headers };
  }
}

export function nextCursorOf(link: string | undefined): string | undefined {
  if (!link) return undefined;
  const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  if (!match?.[1]) return undefined;
  return new URL(match[1], 'https://relay.invalid').searchParams.get('cursor') ?? undefined;
}

function describeNetworkError(origin: string, error: unknown, pinned: boolean): string {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code ?? '';
  if (code === 'ECONNREFUSED') return `cannot reach the relay at ${origin}: connection refused (is it running?)`;
  if (code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    if (pinned) return `cannot verify the relay at ${origin} (${code}): the certificate given with --relay-ca is not this relay's (use the one it printed when it started)`;
    return `cannot verify the relay at ${origin} (${code}): pass its certificate with --relay-ca FILE (the relay prints the path when it starts)`;
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') return `the relay at ${origin} did not answer in time (${code})`;
  return `cannot reach the relay at ${origin}: ${err.message}${code ? ` (${code})` : ''}`;
}
