/**
 * Test support for foreign-relay.test.ts: client certificates (made with
 * the reference certificate builder, in tests only) and an undici client
 * that presents them over real TLS, or in a header for the proxy mode.
 * Loopback only.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Agent, request } from 'undici';
import { issueSelfSigned, signCertificate, toPem, type KeyType } from '../../reference/identity/certificate-builder.ts';
import { startForeignRelay, type ForeignRelay, type ForeignRelayOptions } from './index.ts';

export interface Peer {
  email: string;
  certificatePem: string;
  privateKeyPem: string;
}

const DAY_MS = 86_400_000;

export function makePeer(email: string, options: { keyType?: KeyType | 'rsa-1024'; layout?: 'cn+san' | 'cn-only' | 'san-only' | 'emailAddress-only' | 'nowhere'; validity?: 'current' | 'expired' } = {}): Peer {
  const now = Date.now();
  const layout = options.layout ?? 'cn+san';
  const subject =
    layout === 'cn+san' || layout === 'cn-only' ? [{ field: 'CN' as const, value: email }]
      : layout === 'san-only' ? [{ field: 'O' as const, value: 'outside team' }, { field: 'CN' as const, value: 'peer' }]
        : layout === 'emailAddress-only' ? [{ field: 'emailAddress' as const, value: email }]
          : [{ field: 'CN' as const, value: 'someone-else.example' }];
  const sanEmails = layout === 'cn+san' || layout === 'san-only' ? [email] : [];
  const window = options.validity === 'expired' ? { notBeforeMs: now - 30 * DAY_MS, notAfterMs: now - DAY_MS } : { notBeforeMs: now - DAY_MS, notAfterMs: now + 30 * DAY_MS };
  const request = { subject, sanEmails, ...window, usage: 'client' as const };
  if (options.keyType === 'rsa-1024') {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    return { email, certificatePem: toPem('CERTIFICATE', signCertificate(request, 'rsa-2048', privateKey, publicKey)), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  }
  const issued = issueSelfSigned({ ...request, keyType: options.keyType ?? 'ecdsa-p256' });
  return { email, certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem };
}

/** The same certificate written as other tools write it: CRLF, 76-column lines, or padded with whitespace. */
export function rewrapped(pem: string, style: 'crlf' | '76-columns' | 'whitespace'): string {
  if (style === 'crlf') return pem.replace(/\n/g, '\r\n');
  if (style === 'whitespace') return `\n\n   ${pem}  \n\n`;
  const base64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${(base64.match(/.{1,76}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
}

export interface Call {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  path: string;
  /** Whose certificate to present (on TLS, or in the header in proxy mode). */
  as?: Peer | null;
  json?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** Source address on 127.0.0.0/8, for the trusted-proxy checks. */
  from?: string;
}

/** A started relay with a client bound to it; `close` stops both. */
export class TestRelay {
  private readonly agents = new Map<string, Agent>();
  private constructor(
    readonly relay: ForeignRelay,
    readonly options: ForeignRelayOptions,
  ) {}

  static async start(options: ForeignRelayOptions = {}): Promise<TestRelay> {
    return new TestRelay(await startForeignRelay({ host: '127.0.0.1', port: 0, ...options }), options);
  }

  private get proxyMode(): boolean {
    return this.options.transport === 'http-header';
  }

  private agent(peer: Peer | null, from: string | undefined): Agent {
    const tlsPeer = this.proxyMode ? null : peer;
    const key = `${tlsPeer?.certificatePem ?? 'anonymous'}|${from ?? ''}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({
        connect: {
          ...(this.relay.caPem ? { ca: this.relay.caPem } : {}),
          ...(tlsPeer ? { cert: tlsPeer.certificatePem, key: tlsPeer.privateKeyPem } : {}),
        },
        // undici takes the source address on the client, not in `connect`.
        ...(from ? { localAddress: from } : {}),
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  async call(call: Call): Promise<Reply> {
    const headers: Record<string, string> = { ...(call.headers ?? {}) };
    let body: string | undefined;
    if (call.json !== undefined) body = JSON.stringify(call.json);
    if (call.raw !== undefined) body = call.raw;
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    if (this.proxyMode && call.as) headers[this.options.certHeader ?? 'x-ssl-cert'] ??= encodeURIComponent(call.as.certificatePem);
    const response = await request(new URL(call.path, this.relay.url), { method: call.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, dispatcher: this.agent(call.as ?? null, call.from) });
    const text = await response.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const flat: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
    return { status: response.statusCode, headers: flat, text, json };
  }

  get(path: string, as?: Peer | null): Promise<Reply> {
    return this.call({ path, as: as ?? null });
  }

  post(path: string, json: unknown, as?: Peer | null): Promise<Reply> {
    return this.call({ method: 'POST', path, json, as: as ?? null });
  }

  async register(peer: Peer, certificatePem = peer.certificatePem, email = peer.email): Promise<Reply> {
    return this.post('/api/relay/register', { certificate: certificatePem, email });
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.close().catch(() => undefined)));
    await this.relay.close();
  }
}

export const PATHS = {
  health: '/api/health',
  register: '/api/relay/register',
  ready: '/api/relay/broadcast/ready',
  heartbeat: '/api/relay/broadcast/heartbeat',
  lookup: '/api/relay/broadcast/lookup',
  list: '/api/relay/broadcast/list',
} as const;

export const lookupPath = (email: string): string => `${PATHS.lookup}?email=${encodeURIComponent(email)}`;
