/**
 * npm run bench:peer-listing — how long GET /api/files takes on a real Peer
 * Server (127.0.0.1) for a folder of 60 text files of 1 MiB each, now that
 * every file is scanned whole for keys:
 *
 * - cold: the first listing of a new server (every file read);
 * - warm: the next listings (verdicts reused: stat only, no read);
 * - uncached: a server whose verdict cache keeps nothing (what every
 *   listing would cost without it: all 60 files read again);
 * - 10 concurrent listings, cold (sharing in-flight scans), warm and uncached.
 *
 * Ratios, not absolute numbers: the machine is shared and noisy, but every
 * figure comes from this one run. BENCH_ROUNDS (default 5) sets the samples.
 */
import { get } from 'node:http';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPeerServer, type RunningPeerServer } from '../reference/peer/http/peer-server.ts';
import { KeyVerdictCache } from '../reference/peer/http/private-files.ts';

const FILES = 60;
const FILE_BYTES = 1024 * 1024;
const CONCURRENT = 10;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

function listing(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/api/files', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve((JSON.parse(Buffer.concat(chunks).toString()) as { entries: unknown[] }).entries.length));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'relaylab-bench-listing-'));
  const servers: RunningPeerServer[] = [];
  const serve = async (cache: KeyVerdictCache) => {
    const server = await startPeerServer({ root, email: 'bench@example.com', host: '127.0.0.1', keyVerdicts: cache });
    servers.push(server);
    return server;
  };
  try {
    const line = 'GET /assets/app.js 200 1234 "Mozilla/5.0 (X11; Linux x86_64)" 0.004\n';
    const text = Buffer.from(line.repeat(Math.ceil(FILE_BYTES / line.length))).subarray(0, FILE_BYTES);
    // An hour old: fresh files are never cached (private-files.ts, RACY_STAMP_MS), and a real folder is mostly old files.
    const old = new Date(Date.now() - 3_600_000);
    for (let i = 0; i < FILES; i++) {
      const path = join(root, `log-${String(i).padStart(2, '0')}.txt`);
      await writeFile(path, text);
      await utimes(path, old, old);
    }

    const cold: number[] = [];
    const warm: number[] = [];
    const uncached: number[] = [];
    const coldConcurrent: number[] = [];
    const warmConcurrent: number[] = [];
    const uncachedConcurrent: number[] = [];
    let scansPerColdConcurrent = 0;
    const all = (port: number) => Promise.all(Array.from({ length: CONCURRENT }, () => listing(port)));
    for (let round = 0; round < ROUNDS; round++) {
      const cached = await serve(new KeyVerdictCache());
      cold.push(await timed(() => listing(cached.port)));
      for (let i = 0; i < 3; i++) warm.push(await timed(() => listing(cached.port)));
      warmConcurrent.push(await timed(() => all(cached.port)));

      const shared = new KeyVerdictCache();
      const fresh = await serve(shared);
      coldConcurrent.push(await timed(() => all(fresh.port)));
      scansPerColdConcurrent = shared.counts.scans;

      const none = await serve(new KeyVerdictCache(0));
      uncached.push(await timed(() => listing(none.port)));
      uncachedConcurrent.push(await timed(() => all(none.port)));
    }
    if ((await listing(servers[0]!.port)) !== FILES) throw new Error('the listing lost files');

    const m = {
      cold: median(cold), warm: median(warm), uncached: median(uncached),
      coldConcurrent: median(coldConcurrent), warmConcurrent: median(warmConcurrent), uncachedConcurrent: median(uncachedConcurrent),
    };
    console.log(`peer listing: ${FILES} text files of ${FILE_BYTES / 1024} KiB, ${ROUNDS} rounds, medians`);
    console.log(`  one listing:     cold ${ms(m.cold)}, warm ${ms(m.warm)}, uncached ${ms(m.uncached)}`);
    console.log(`  ${CONCURRENT} concurrent:   cold ${ms(m.coldConcurrent)} (${scansPerColdConcurrent} scans for ${FILES} files), warm ${ms(m.warmConcurrent)}, uncached ${ms(m.uncachedConcurrent)}`);
    console.log(`  ratio cold / warm:                          ${(m.cold / m.warm).toFixed(1)}x`);
    console.log(`  ratio uncached / warm:                      ${(m.uncached / m.warm).toFixed(1)}x`);
    console.log(`  ratio ${CONCURRENT} concurrent uncached / warm:       ${(m.uncachedConcurrent / m.warmConcurrent).toFixed(1)}x`);
    console.log(`  ratio ${CONCURRENT} concurrent cold / one cold:       ${(m.coldConcurrent / m.cold).toFixed(2)}x (1.0 = scans fully shared)`);
    console.log(`  ratio ${CONCURRENT} concurrent warm / one warm:       ${(m.warmConcurrent / m.warm).toFixed(2)}x`);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    await rm(root, { recursive: true, force: true });
  }
}

await main();
