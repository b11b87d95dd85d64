/**
 * Child process (run with --expose-gc): heap used by the memory store for
 * 100,000 registered identities with live broadcasts. Identity rows carry
 * a PEM string of a real ECDSA certificate's size; broadcasts carry four
 * addresses, as a typical home peer announces.
 */
import { randomBytes } from 'node:crypto';
import { MemoryStore } from '../reference/relay/stores/memory-store.ts';

const COUNT = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const store = new MemoryStore();
gc();
const before = process.memoryUsage().heapUsed;
const nowMs = Date.now();
for (let i = 0; i < COUNT; i++) {
  const email = `peer-${i.toString().padStart(7, '0')}@bench.test`;
  const fingerprint = randomBytes(32).toString('hex');
  await store.insertIdentity({ id: randomBytes(16).toString('hex'), email, fingerprintSha256: fingerprint, certificatePem: randomBytes(450).toString('base64'), registeredAtMs: nowMs, notBeforeMs: nowMs - 60_000, notAfterMs: nowMs + 315_360_000_000 });
  await store.putBroadcast({
    broadcastId: randomBytes(16).toString('hex'),
    email,
    port: 40000 + (i % 20000),
    addresses: [`192.168.${(i >> 8) & 255}.${i & 255}`, `fd00::${(i % 65535).toString(16)}`, `2001:db8::${(i % 65535).toString(16)}`, `203.0.113.${i % 250}`],
    capabilities: null,
    lastSeenMs: nowMs,
    expiresAtMs: nowMs + 3_600_000,
  });
}
gc();
const after = process.memoryUsage().heapUsed;
process.stdout.write(JSON.stringify({ count: COUNT, live: await store.countLiveBroadcasts(nowMs), bytes: after - before }) + '\n');
