/**
 * The fuzzer: seeded (SeededRng), so a seed replays the same sequence of
 * inputs (timing, and so the interleaving with faults, is not replayed).
 * Four kinds of input:
 *  - JSON bodies built from valid ones and mutated, to every endpoint, with
 *    no, unregistered, expired or server-usage client certificates;
 *  - odd paths and query strings;
 *  - junk on the wire (bad request lines, junk/duplicate/huge headers, bad
 *    chunking) written over a raw TLS socket;
 *  - bad certificates in register bodies (garbage, truncated, wrong email,
 *    expired, not yet valid, server usage, RSA/Ed25519 mismatches).
 * Sent from 127.0.0.6 so the per-address connection cap is the fuzzer's own.
 */
import net from 'node:net';
import tls from 'node:tls';
import { Agent } from 'undici';
import { issueSelfSigned, type IssuedCertificate } from '../../reference/identity/certificate-builder.ts';
import { pinnedTrust } from '../../reference/identity/pinning.ts';
import { nextFloat, nextInt, SeededRng } from '../../reference/shared/rng.ts';
import { send } from './honest.ts';
import { now, type Recorder } from './record.ts';

export const FUZZ_ADDRESS = '127.0.0.6';

const ENDPOINTS = [
  ['POST', '/api/relay/register'],
  ['POST', '/api/relay/broadcast/ready'],
  ['POST', '/api/relay/broadcast/heartbeat'],
  ['GET', '/api/relay/broadcast/lookup'],
  ['GET', '/api/relay/broadcast/list'],
  ['GET', '/api/health'],
] as const;

const ODD_PATHS = [
  '//api/health',
  '/api/health/',
  '/api/relay/register/../../api/health',
  '/API/HEALTH',
  '/api/relay/broadcast/lookup?email=',
  '/api/relay/broadcast/lookup?email=%00%ff',
  '/api/relay/broadcast/lookup?email=a@b&email=c@d',
  '/api/relay/broadcast/list?limit=-1',
  '/api/relay/broadcast/list?limit=1e309',
  '/api/relay/broadcast/list?limit=10&cursor=%%%',
  '/api/relay/broadcast/list?cursor=AAAAAAAAAAAAAAAAAAAAAAAAAA',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/api/test/clock',
  '/.well-known/../api/health',
  '/api/health?' + 'x'.repeat(6000),
  '/' + 'a/'.repeat(2000),
  '/api/relay/broadcast/lookup?email=' + encodeURIComponent('ünï@exämple.test'),
];

type Gen = SeededRng;

const pick = <T>(rng: Gen, items: readonly T[]): T => items[nextInt(rng, items.length)] as T;
const chance = (rng: Gen, p: number): boolean => nextFloat(rng) < p;

function randomString(rng: Gen, max: number): string {
  const length = nextInt(rng, max + 1);
  const alphabets = ['abcdefghijklmnopqrstuvwxyz0123456789', '@.-_+%', '\u0000\u0001\u001f\u007f', 'üéø漢字🙂\u202e\ufeff', '"\\{}[]:,'];
  let out = '';
  for (let i = 0; i < length; i += 1) {
    const alphabet = pick(rng, alphabets);
    out += [...alphabet][nextInt(rng, [...alphabet].length)];
  }
  return out;
}

function randomValue(rng: Gen, depth = 0): unknown {
  switch (nextInt(rng, 12)) {
    case 0:
      return null;
    case 1:
      return chance(rng, 0.5);
    case 2:
      return nextInt(rng, 70_000) - 1000;
    case 3:
      return pick(rng, [0, -0, 1e308, -1e308, 2 ** 53 + 1, 0.5, 65535, 65536, Number.MAX_SAFE_INTEGER]);
    case 4:
      return randomString(rng, 40);
    case 5:
      return 'x'.repeat(pick(rng, [1000, 20_000, 70_000]));
    case 6:
      return depth > 3 ? [] : Array.from({ length: nextInt(rng, 5) }, () => randomValue(rng, depth + 1));
    case 7:
      return depth > 3 ? {} : Object.fromEntries(Array.from({ length: nextInt(rng, 5) }, () => [randomString(rng, 8), randomValue(rng, depth + 1)]));
    case 8:
      return pick(rng, ['127.0.0.1', '::1', '256.1.1.1', '1.2.3', 'fe80::1%eth0', '::ffff:1.2.3.4', ' 10.0.0.1', '']);
    case 9:
      return pick(rng, ['alice@example.com', 'ALICE@EXAMPLE.COM', 'no-at-sign', '@x', 'a@b@c', `${'a'.repeat(300)}@x.test`]);
    case 10:
      return { __proto__: { polluted: true }, constructor: { prototype: {} } };
    default:
      return [randomString(rng, 5)];
  }
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

export interface FuzzKit {
  unregistered: IssuedCertificate;
  expired: IssuedCertificate;
  notYetValid: IssuedCertificate;
  serverUsage: IssuedCertificate;
  rsa: IssuedCertificate;
  ed25519: IssuedCertificate;
  wrongEmail: IssuedCertificate;
}

export function makeFuzzKit(): FuzzKit {
  const t = Date.now();
  const subject = (email: string) => [
    { field: 'CN' as const, value: email },
    { field: 'emailAddress' as const, value: email },
  ];
  const base = (email: string) => ({ subject: subject(email), sanEmails: [email], notBeforeMs: t - 60_000, notAfterMs: t + 86_400_000, usage: 'client' as const, keyType: 'ecdsa-p256' as const });
  return {
    unregistered: issueSelfSigned(base('fuzz-unregistered@example.test')),
    expired: issueSelfSigned({ ...base('fuzz-expired@example.test'), notBeforeMs: t - 10 * 86_400_000, notAfterMs: t - 86_400_000 }),
    notYetValid: issueSelfSigned({ ...base('fuzz-future@example.test'), notBeforeMs: t + 86_400_000, notAfterMs: t + 2 * 86_400_000 }),
    serverUsage: issueSelfSigned({ ...base('fuzz-server@example.test'), usage: 'server' }),
    rsa: issueSelfSigned({ ...base('fuzz-rsa@example.test'), keyType: 'rsa-2048' }),
    ed25519: issueSelfSigned({ ...base('fuzz-ed@example.test'), keyType: 'ed25519' }),
    wrongEmail: issueSelfSigned(base('someone-else@example.test')),
  };
}

function badRegisterBody(rng: Gen, kit: FuzzKit): string {
  const pem = pick(rng, [kit.expired, kit.notYetValid, kit.serverUsage, kit.wrongEmail, kit.rsa, kit.ed25519, kit.unregistered]).certificatePem;
  const email = pick(rng, ['fuzz-expired@example.test', 'fuzz-future@example.test', 'fuzz-server@example.test', 'victim@example.test', 'fuzz-rsa@example.test', 'fuzz-ed@example.test']);
  const certificate = pick(rng, [
    pem,
    pem.slice(0, nextInt(rng, pem.length)),
    pem.replace(/[A-Za-z]/, 'A'),
    '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n',
    pem + pem,
    Buffer.from(pem).toString('base64'),
    randomString(rng, 200),
    '-----BEGIN CERTIFICATE-----\n' + 'A'.repeat(60_000) + '\n-----END CERTIFICATE-----\n',
  ]);
  return JSON.stringify({ certificate, email: chance(rng, 0.8) ? email : randomValue(rng) });
}

function mutatedBody(rng: Gen, path: string, kit: FuzzKit): string | undefined {
  if (chance(rng, 0.1)) return undefined;
  let value: Record<string, unknown> =
    path === '/api/relay/register'
      ? { certificate: kit.unregistered.certificatePem, email: 'fuzz-unregistered@example.test' }
      : { port: 4242, addresses: ['127.0.0.1'], capabilities: { a: 1 } };
  for (let i = nextInt(rng, 4); i >= 0; i -= 1) {
    const keys = Object.keys(value);
    switch (nextInt(rng, 4)) {
      case 0:
        if (keys.length) delete value[pick(rng, keys)];
        break;
      case 1:
        if (keys.length) value[pick(rng, keys)] = randomValue(rng);
        break;
      case 2:
        value[randomString(rng, 10)] = randomValue(rng);
        break;
      default:
        value = { wrapper: value };
    }
  }
  let text = JSON.stringify(value);
  switch (nextInt(rng, 8)) {
    case 0:
      return text.slice(0, nextInt(rng, text.length));
    case 1: {
      const at = nextInt(rng, text.length);
      return text.slice(0, at) + randomString(rng, 4) + text.slice(at);
    }
    case 2:
      return pick(rng, ['null', '[]', '"string"', '42', 'true', '', ' ', '{', '{"a":1}{"b":2}', nested(5000), '{"port":1,"port":2}', '\ufeff{}']);
    case 3:
      return text.replace(/"/g, "'");
    default:
      return text;
  }
}

/** One raw exchange on a TLS socket: returns the status of the first answer, null when none came. */
function rawExchange(url: URL, caPem: string, payload: Buffer | string, timeoutMs: number): Promise<{ status: number | null; code?: string; error?: string }> {
  return new Promise((resolve) => {
    let data = '';
    let done = false;
    const finish = (status: number | null, error?: string): void => {
      if (done) return;
      done = true;
      socket.destroy();
      const code = /"code":"([a-z_]+)"/.exec(data)?.[1];
      resolve({ status, ...(code ? { code } : {}), ...(error ? { error } : {}) });
    };
    const tcp = net.connect({ host: url.hostname, port: Number(url.port), localAddress: FUZZ_ADDRESS });
    tcp.on('error', () => undefined);
    const socket = tls.connect({ socket: tcp, ...pinnedTrust(caPem) }, () => {
      socket.write(payload);
      socket.end();
    });
    socket.setTimeout(timeoutMs, () => finish(statusOf(data), data ? undefined : 'timeout, no answer'));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.length > 65_536) finish(statusOf(data));
    });
    socket.on('end', () => finish(statusOf(data), data ? undefined : 'closed with no answer'));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(statusOf(data), data ? undefined : `${error.code ?? ''} ${error.message}`));
  });
}

function statusOf(text: string): number | null {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return match ? Number(match[1]) : null;
}

function junkRequest(rng: Gen, host: string): string {
  const h = `Host: ${host}\r\n`;
  return pick(rng, [
    () => `GET /api/health HTTP/1.1\r\n${h}X-Junk: ${randomString(rng, 50).replace(/[\r\n]/g, '')}\r\n\r\n`,
    () => `GET /api/health HTTP/1.1\r\n${h}${randomString(rng, 20)}: v\r\n\r\n`,
    () => `GET /api/health HTTP/1.1\r\n${h}X-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    () => `GET /api/health HTTP/1.1\r\n${h}${h}\r\n`,
    () => `GET /api/health HTTP/1.1\r\n\r\n`,
    () => `POST /api/relay/register HTTP/1.1\r\n${h}Content-Length: 5\r\nContent-Length: 7\r\n\r\n{}{}{}{`,
    () => `POST /api/relay/register HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    () => `POST /api/relay/register HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n`,
    () => `POST /api/relay/register HTTP/1.1\r\n${h}Expect: 200-ok\r\nContent-Length: 2\r\n\r\n{}`,
    () => `CONNECT 127.0.0.1:5432 HTTP/1.1\r\n${h}\r\n`,
    () => `GET https://${host}/api/health HTTP/1.1\r\n${h}\r\n`,
    () => `GET * HTTP/1.1\r\n${h}\r\n`,
    () => `BREW /api/health HTTP/1.1\r\n${h}\r\n`,
    () => `GET /api/health HTTP/9.9\r\n${h}\r\n`,
    () => `GET /api/health\r\n\r\n`,
    () => `GET /api/health HTTP/1.1\n${h.replace('\r', '')}\n`,
    () => `GET /api/he\u0000alth HTTP/1.1\r\n${h}\r\n`,
    () => `${randomString(rng, 200)}\r\n\r\n`,
    () => `GET /api/health HTTP/1.1\r\n${h}Content-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n{}`,
    () => `POST /api/relay/broadcast/ready HTTP/1.1\r\n${h}Content-Type: application/json\r\nContent-Length: 70000\r\n\r\n${'{'.repeat(70_000)}`,
    () => `GET /api/health HTTP/1.1\r\n${h}\r\nGET /api/health HTTP/1.1\r\n${h}\r\nGET /nope HTTP/1.1\r\n${h}\r\n`,
    () => `GET /api/health HTTP/1.1\r\n${h}${Array.from({ length: 300 }, (_, i) => `X-H${i}: ${i}`).join('\r\n')}\r\n\r\n`,
  ])();
}

export interface FuzzStats {
  sent: number;
  clientSideRefused: number;
  raw: number;
}

export async function runFuzzer(seed: number, workers: number, url: string, caPem: string, kit: FuzzKit, recorder: Recorder, stop: { stopped: boolean }, stats: FuzzStats): Promise<void> {
  const base = new URL(url);
  const agentOf = (cert: IssuedCertificate | null): Agent =>
    new Agent({
      connect: { ...pinnedTrust(caPem), ...(cert ? { cert: cert.certificatePem, key: cert.privateKeyPem } : {}) },
      localAddress: FUZZ_ADDRESS,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
      connections: 4,
    });
  const agents = [agentOf(null), agentOf(kit.unregistered), agentOf(kit.expired), agentOf(kit.serverUsage), agentOf(kit.notYetValid)];
  const worker = async (w: number): Promise<void> => {
    const rng = new SeededRng((seed + 0x51ed * (w + 1)) >>> 0);
    while (!stop.stopped) {
      const kind = nextInt(rng, 10);
      stats.sent += 1;
      if (kind <= 1) {
        stats.raw += 1;
        const startMs = now();
        const reply = await rawExchange(base, caPem, junkRequest(rng, base.host), 8_000);
        recorder.add({ source: 'fuzz', op: 'raw-junk', method: 'raw', status: reply.status, ...(reply.code ? { code: reply.code } : {}), ...(reply.error ? { error: reply.error } : {}), startMs, endMs: now() });
        continue;
      }
      const agent = pick(rng, agents);
      try {
        if (kind <= 3) {
          await send(recorder, 'fuzz', 'register-bad-cert', url, agent, 'POST', '/api/relay/register', badRegisterBody(rng, kit));
        } else if (kind <= 5) {
          await send(recorder, 'fuzz', 'odd-path', url, agent, pick(rng, ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'] as const), pick(rng, ODD_PATHS), chance(rng, 0.3) ? '{}' : undefined);
        } else {
          const [method, path] = pick(rng, ENDPOINTS);
          const body = mutatedBody(rng, path, kit);
          const useMethod = chance(rng, 0.1) ? pick(rng, ['GET', 'POST', 'PATCH', 'DELETE'] as const) : method;
          const headers: Record<string, string> = {};
          if (chance(rng, 0.2)) headers['content-type'] = pick(rng, ['text/plain', 'application/json; charset=latin1', 'multipart/form-data', 'application/x-www-form-urlencoded']);
          if (chance(rng, 0.1)) headers['x-ssl-cert'] = encodeURIComponent(kit.unregistered.certificatePem);
          const query = path.includes('lookup') ? `?email=${encodeURIComponent(String(randomValue(rng)))}` : path.includes('list') ? `?limit=${encodeURIComponent(String(randomValue(rng)))}` : '';
          await send(recorder, 'fuzz', 'mutated-json', url, agent, useMethod, path + query, useMethod === 'GET' ? undefined : body, headers);
        }
      } catch {
        // undici refused to send it (e.g. a header value it will not encode): nothing reached the relay.
        stats.clientSideRefused += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  await Promise.all(agents.map((a) => a.close().catch(() => undefined)));
}
