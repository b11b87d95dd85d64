/**
 * Child process for `bench:relay --store postgres`: the PostgreSQL store's
 * own cost per lookup with no HTTP and no RelayCore: 50 callers (as many as
 * the HTTPS bench's connections) each awaiting findIdentityAndLiveBroadcast,
 * the one statement a lookup runs, on a scratch database. Prints one JSON
 * line: lookups per second, and this process's CPU per lookup (node-postgres
 * and the pool; the PostgreSQL server's own CPU is on top, on the same cores).
 * The relay on PostgreSQL can go no faster than this.
 */
import { PostgresStore } from '../reference/relay/stores/postgres-store.ts';
import { createTestDatabase } from '../reference/relay/stores/test-database.ts';

const CALLERS = 50;
const SECONDS = Number(process.argv[2] ?? 3);
const T0_MS = Date.UTC(2026, 0, 1);

const database = await createTestDatabase();
const store = await PostgresStore.open(database.url);
try {
  const emails = Array.from({ length: CALLERS }, (_, i) => `floor-${i}@bench.test`);
  const fingerprints = emails.map((_, i) => i.toString(16).padStart(64, '0'));
  for (const [i, email] of emails.entries()) {
    await store.insertIdentity({ id: `id-${i}`, email, fingerprintSha256: fingerprints[i] as string, certificatePem: 'pem', registeredAtMs: T0_MS, notBeforeMs: T0_MS, notAfterMs: T0_MS + 1e12 });
    await store.putBroadcast({ broadcastId: `b-${i}`, email, port: 40_000 + i, addresses: ['192.168.1.20', 'fd00::20', '203.0.113.20'], capabilities: null, lastSeenMs: T0_MS, expiresAtMs: T0_MS + 1e12 });
  }
  const run = async (seconds: number): Promise<{ perSecond: number; cpuUs: number }> => {
    let lookups = 0;
    const endMs = performance.now() + seconds * 1000;
    const cpu = process.cpuUsage();
    const startedMs = performance.now();
    await Promise.all(
      emails.map(async (_, i) => {
        while (performance.now() < endMs) {
          const found = await store.findIdentityAndLiveBroadcast(fingerprints[i] as string, emails[(i + 1) % CALLERS] as string, T0_MS);
          if (!found?.broadcast) throw new Error('the floor lookup found nothing');
          lookups++;
        }
      }),
    );
    const used = process.cpuUsage(cpu);
    return { perSecond: lookups / ((performance.now() - startedMs) / 1000), cpuUs: (used.user + used.system) / lookups };
  };
  await run(1); // warm-up: connections, prepared statements, JIT
  const measured = await run(SECONDS);
  process.stdout.write(`${JSON.stringify({ lookupsPerSecond: measured.perSecond, cpuUsPerLookup: measured.cpuUs })}\n`);
} finally {
  await store.close();
  await database.drop();
}
