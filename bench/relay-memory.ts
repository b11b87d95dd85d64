/**
 * Child process (run with --expose-gc) for bench/relay.bench.ts: the memory
 * a live broadcast with its identity holds in the memory store, driven
 * through the real RelayCore as the HTTPS edge drives it: a registration
 * with a real ECDSA P-256 client certificate (PEM as a peer sends it; the
 * real x509 inspector reads it), then a ready with four addresses, as a
 * typical home peer announces. Prints one JSON line:
 * {count, live, heapBytes, externalBytes}.
 *
 * Counted: V8 heap used plus memory outside it (Buffers, ArrayBuffers), so
 * a store that moves records off the heap is charged for them too. The
 * certificates are signed with one key for speed (a real peer has its own;
 * the stored PEM has the same size either way) and each is dropped once
 * registered: only what the relay keeps stays reachable.
 */
import { generateKey, signCertificate, toPem } from '../reference/identity/certificate-builder.ts';
import { x509Inspector } from '../reference/identity/inspect.ts';
import { RelayCore } from '../reference/relay/core/relay-core.ts';
import { MemoryStore } from '../reference/relay/stores/memory-store.ts';
import { RELAY_PATHS } from '../reference/shared/relay-paths.ts';
import { cryptoRng } from '../reference/shared/crypto-rng.ts';

const COUNT = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const NO_QUERY = new URLSearchParams();

const nowMs = Date.now();
const { privateKey, publicKey } = generateKey('ecdsa-p256');
const store = new MemoryStore();
const core = new RelayCore({ clock: { nowMs: () => nowMs }, rng: cryptoRng, store, certificates: x509Inspector, config: { ttlSeconds: 3600, testMode: false } });

/** heapUsed + external after a full collection (twice: weak references and finalizers settle on the second). */
function usedBytes(): { heap: number; external: number } {
  gc!();
  gc!();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, external: usage.external };
}

// Warm up the code paths (and their lazily built tables) before the baseline, with an identity outside the count.
await registerAndReady(-1);
const before = usedBytes();
for (let i = 0; i < COUNT; i++) await registerAndReady(i);
const after = usedBytes();
const live = await store.countLiveBroadcasts(nowMs);
// The warm-up identity was live before the baseline: it is not part of the difference.
process.stdout.write(JSON.stringify({ count: COUNT, live: live - 1, heapBytes: after.heap - before.heap, externalBytes: after.external - before.external }) + '\n');

async function registerAndReady(i: number): Promise<void> {
  const email = i < 0 ? 'warm-up@bench.test' : `peer-${i.toString().padStart(7, '0')}@bench.test`;
  const der = signCertificate(
    // A serial of our own: the builder's random one is non-minimal DER (refused) when it starts with a 0x00 byte.
    { subject: [{ field: 'CN', value: email }, { field: 'emailAddress', value: email }], sanEmails: [email], notBeforeMs: nowMs - 60_000, notAfterMs: nowMs + 315_360_000_000, usage: 'client', serialHex: `1${(i + 1).toString(16).padStart(31, '0')}` },
    'ecdsa-p256',
    privateKey,
    publicKey,
  );
  const registered = await core.handle({ method: 'POST', path: RELAY_PATHS.register, query: NO_QUERY, bodyText: JSON.stringify({ certificate: toPem('CERTIFICATE', der), email }), principal: null });
  if (registered.status !== 200) throw new Error(`register answered ${registered.status}: ${JSON.stringify(registered.body)}`);
  const k = Math.max(0, i);
  const bodyText = JSON.stringify({ port: 40000 + (k % 20000), addresses: [`192.168.${(k >> 8) & 255}.${k & 255}`, `fd00::${(k % 65535).toString(16)}`, `2001:db8::${(k % 65535).toString(16)}`, `203.0.113.${k % 250}`] });
  const principal = { fingerprintSha256: x509Inspector.fingerprintOfDer(der), source: 'tls' as const };
  const ready = await core.handle({ method: 'POST', path: RELAY_PATHS.ready, query: NO_QUERY, bodyText, principal });
  if (ready.status !== 200) throw new Error(`ready answered ${ready.status}: ${JSON.stringify(ready.body)}`);
}
