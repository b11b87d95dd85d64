/**
 * A real reference relay on port 0 over HTTPS, on a ManualClock, plus
 * helpers to make identities and clients. Everything is torn down by
 * `close()`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { ManualClock } from '../../reference/shared/clock.ts';
import { newPeerIdentity, type Identity } from '../../reference/identity/identity-files.ts';
import { issueSelfSigned, type KeyType, type SubjectAttribute } from '../../reference/identity/certificate-builder.ts';
import { RelayClient } from '../../reference/peer/http/relay-client.ts';
import { startRelay, type RunningRelay, type StartRelayOptions } from '../../reference/relay/http/start-relay.ts';

/**
 * The relay's manual clock starts a little after real time, so that
 * certificates made by openssl (valid from the real now) are already valid.
 */
export const T0 = (Math.ceil(Date.now() / 1000) + 5) * 1000;

export interface RelayFixture {
  relay: RunningRelay;
  clock: ManualClock;
  identity(email?: string, keyType?: KeyType): Identity;
  client(identity?: Identity): RelayClient;
  /** A raw HTTPS request, for what RelayClient would never send. */
  raw(method: string, path: string, options?: { body?: string; identity?: Identity; headers?: Record<string, string>; localAddress?: string }): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export function uniqueEmail(prefix = 'peer'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.test`;
}

export async function startRelayFixture(options: StartRelayOptions = {}): Promise<RelayFixture> {
  const clock = new ManualClock(T0);
  const relay = await startRelay({ port: 0, clock, ...options });
  const clients: RelayClient[] = [];
  const agents: Agent[] = [];
  return {
    relay,
    clock,
    identity: (email = uniqueEmail(), keyType = 'ecdsa-p256') => newPeerIdentity(email, T0, keyType),
    client(identity) {
      const client = new RelayClient({ relayUrl: relay.url, relayCaPem: relay.tlsCertificatePem, ...(identity ? { identity } : {}) });
      clients.push(client);
      return client;
    },
    async raw(method, path, opts = {}) {
      const agent = new Agent({
        connect: {
          ca: relay.tlsCertificatePem,
          ...(opts.identity ? { cert: opts.identity.certificatePem, key: opts.identity.privateKeyPem } : {}),
        },
        // undici takes the source address at the client level, not in `connect`.
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      });
      agents.push(agent);
      const response = await request(new URL(path, relay.url), {
        method: method as 'GET',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', ...opts.headers },
        ...(opts.body !== undefined ? { body: opts.body } : {}),
      });
      const text = await response.body.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep text
      }
      return { status: response.statusCode, body, headers: response.headers };
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(agents.map((a) => a.close()));
      await relay.close();
    },
  };
}

/** A certificate made by the openssl command line, as many real clients make them. */
export function opensslIdentity(options: { subject: string; sanEmail?: string; days?: number }): Omit<Identity, 'email' | 'fingerprintSha256'> {
  const dir = mkdtempSync(join(tmpdir(), 'relaylab-openssl-'));
  try {
    const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', String(options.days ?? 30), '-subj', options.subject];
    if (options.sanEmail) args.push('-addext', `subjectAltName=email:${options.sanEmail}`);
    execFileSync('openssl', args, { stdio: 'pipe' });
    return { certificatePem: readFileSync(join(dir, 'cert.pem'), 'utf8'), privateKeyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A certificate with a chosen subject layout (for the identity matrix). */
export function customIdentity(email: string, subject: SubjectAttribute[], extra: { sanEmails?: string[]; notBeforeMs?: number; notAfterMs?: number; keyType?: KeyType } = {}): Identity {
  const issued = issueSelfSigned({
    keyType: extra.keyType ?? 'ecdsa-p256',
    subject,
    sanEmails: extra.sanEmails ?? [],
    notBeforeMs: extra.notBeforeMs ?? T0 - 60_000,
    notAfterMs: extra.notAfterMs ?? T0 + 365 * 86_400_000,
    usage: 'client',
  });
  return { email, certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem, fingerprintSha256: issued.fingerprintSha256 };
}
