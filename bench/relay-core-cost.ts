/**
 * Child process for bench/relay.bench.ts: CPU per call of the RelayCore and
 * the memory store alone, with no HTTP, for the requests the HTTPS bench
 * sends (50 identities with real ECDSA certificates, the same bodies and
 * queries). Subtracted from the relay's CPU per request, what is left is
 * the HTTPS edge's share. Prints one JSON line: {lookup, ready, heartbeat}
 * in µs per call.
 */
import { generateKey, signCertificate, toPem } from '../reference/identity/certificate-builder.ts';
import { x509Inspector } from '../reference/identity/inspect.ts';
import { RelayCore } from '../reference/relay/core/relay-core.ts';
import type { Principal, RelayRequest } from '../reference/relay/core/types.ts';
import { MemoryStore } from '../reference/relay/stores/memory-store.ts';
import { cryptoRng } from '../reference/shared/crypto-rng.ts';
import { RELAY_PATHS } from '../reference/shared/relay-paths.ts';
import { systemClock } from '../reference/shared/system-clock.ts';

const IDENTITIES = 50;
const CALLS = Number(process.argv[2] ?? 200_000);
const NO_QUERY = new URLSearchParams();

const nowMs = Date.now();
const { privateKey, publicKey } = generateKey('ecdsa-p256');
const core = new RelayCore({ clock: systemClock, rng: cryptoRng, store: new MemoryStore(), certificates: x509Inspector, config: { ttlSeconds: 3600, testMode: false } });
const peers: { email: string; principal: Principal }[] = [];
for (let i = 0; i < IDENTITIES; i++) {
  const email = `bench-${i}@bench.test`;
  const der = signCertificate({ subject: [{ field: 'CN', value: email }, { field: 'emailAddress', value: email }], sanEmails: [email], notBeforeMs: nowMs - 60_000, notAfterMs: nowMs + 86_400_000, usage: 'client', serialHex: `1${(i + 1).toString(16).padStart(31, '0')}` }, 'ecdsa-p256', privateKey, publicKey);
  const registered = await core.handle({ method: 'POST', path: RELAY_PATHS.register, query: NO_QUERY, bodyText: JSON.stringify({ certificate: toPem('CERTIFICATE', der), email }), principal: null });
  if (registered.status !== 200) throw new Error(`register answered ${registered.status}`);
  peers.push({ email, principal: { fingerprintSha256: x509Inspector.fingerprintOfDer(der), source: 'tls' } });
}

/** The request as the edge builds it from the wire: the query string is parsed per request. */
function request(endpoint: 'lookup' | 'ready' | 'heartbeat', i: number): RelayRequest {
  const caller = peers[i % IDENTITIES] as (typeof peers)[number];
  if (endpoint === 'lookup') {
    const target = peers[(i + 1) % IDENTITIES] as (typeof peers)[number];
    return { method: 'GET', path: RELAY_PATHS.lookup, query: new URLSearchParams(`email=${encodeURIComponent(target.email)}`), bodyText: null, principal: caller.principal, remoteAddress: '127.0.0.1' };
  }
  const bodyText = endpoint === 'ready' ? JSON.stringify({ port: 40000 + (i % 1000), addresses: ['192.168.1.20', 'fd00::20', '203.0.113.20'] }) : '{}';
  return { method: 'POST', path: RELAY_PATHS[endpoint], query: new URLSearchParams(), bodyText, principal: caller.principal, remoteAddress: '127.0.0.1' };
}

async function usPerCall(endpoint: 'lookup' | 'ready' | 'heartbeat'): Promise<number> {
  const run = async (): Promise<number> => {
    const before = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) {
      const response = await core.handle(request(endpoint, i));
      if (response.status !== 200) throw new Error(`${endpoint} answered ${response.status}`);
    }
    const used = process.cpuUsage(before);
    return (used.user + used.system) / CALLS;
  };
  await run(); // warm-up: JIT and caches
  return run();
}

// ready first: heartbeat and lookup need every peer's broadcast live.
const ready = await usPerCall('ready');
const heartbeat = await usPerCall('heartbeat');
const lookup = await usPerCall('lookup');
process.stdout.write(JSON.stringify({ lookup, ready, heartbeat }) + '\n');
