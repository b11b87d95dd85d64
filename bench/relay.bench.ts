/**
 * npm run bench:relay — the reference relay against the floor it cannot
 * beat: a bare node:https server with client certificates answering fixed
 * JSON. Both run as child processes; this process drives them with the same
 * undici load (50 connections, one client certificate each) and prints
 * req/s, p50 and p99 per endpoint and the relay/bare ratio, then the heap
 * used by 100,000 live broadcasts in the memory store.
 *
 * Targets: lookup >= 70% of bare, ready >= 50%. Ratios, not absolute
 * numbers: the machine is shared and noisy, but both servers share it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'undici';
import { issueSelfSigned } from '../reference/identity/certificate-builder.ts';
import { newPeerIdentity, type Identity } from '../reference/identity/identity-files.ts';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const here = fileURLToPath(new URL('.', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

type Endpoint = 'lookup' | 'ready' | 'heartbeat';
interface Stats { rps: number; p50Ms: number; p99Ms: number; errors: number }

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'relaylab-bench-'));
  const children: ChildProcess[] = [];
  try {
    const now = Date.now();
    const tls = issueSelfSigned({ keyType: 'ecdsa-p256', subject: [{ field: 'CN', value: 'bench relay' }], sanIpAddresses: ['127.0.0.1'], notBeforeMs: now - 60_000, notAfterMs: now + 86_400_000, usage: 'server' });
    writeFileSync(join(dir, 'cert.pem'), tls.certificatePem);
    writeFileSync(join(dir, 'key.pem'), tls.privateKeyPem);
    const identities = Array.from({ length: CONNECTIONS }, (_, i) => newPeerIdentity(`bench-${i}@bench.test`, now, 'ecdsa-p256'));
    const bare = await startChild('bare', dir, children);
    const relay = await startChild('relay', dir, children);
    const origin = (port: number) => `https://127.0.0.1:${port}`;
    await prepareRelay(origin(relay), tls.certificatePem, identities);
    console.log(`relaylab bench:relay · ${CONNECTIONS} connections with client certificates · ${ROUNDS} alternating rounds of ${SECONDS}s, medians · node ${process.version}`);
    console.log('endpoint    server   req/s      p50 ms   p99 ms   errors');
    const ratios: Record<Endpoint, number> = { lookup: 0, ready: 0, heartbeat: 0 };
    for (const endpoint of ['lookup', 'ready', 'heartbeat'] as const) {
      // Alternate bare and relay over several rounds and keep medians, so a
      // burst of noise from a neighbour hits both sides alike.
      const floors: Stats[] = [];
      const measured: Stats[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        floors.push(await drive(origin(bare), tls.certificatePem, identities, endpoint));
        measured.push(await drive(origin(relay), tls.certificatePem, identities, endpoint));
      }
      const floor = median(floors);
      const relayStats = median(measured);
      print(endpoint, 'bare', floor);
      print(endpoint, 'relay', relayStats);
      ratios[endpoint] = relayStats.rps / floor.rps;
    }
    console.log('');
    verdict('lookup', ratios.lookup, 0.7);
    verdict('ready', ratios.ready, 0.5);
    verdict('heartbeat', ratios.heartbeat, null);
    const memory = await measureMemory();
    console.log(`memory store: ${memory.count.toLocaleString('en')} live broadcasts (with identities) use ${(memory.bytes / 1048576).toFixed(1)} MiB of heap, ${Math.round(memory.bytes / memory.count)} bytes each`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

function startChild(mode: 'relay' | 'bare', dir: string, children: ChildProcess[]): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'relay-bench-server.ts'), mode, join(dir, 'cert.pem'), join(dir, 'key.pem')], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const match = /READY (\d+)/.exec(d.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
}

function clientFor(origin: string, ca: string, identity: Identity): Client {
  return new Client(origin, { connect: { ca, cert: identity.certificatePem, key: identity.privateKeyPem }, pipelining: 1 });
}

async function prepareRelay(origin: string, ca: string, identities: Identity[]): Promise<void> {
  for (const identity of identities) {
    const client = clientFor(origin, ca, identity);
    const reg = await client.request({ method: 'POST', path: '/api/relay/register', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ certificate: identity.certificatePem, email: identity.email }) });
    await reg.body.text();
    const ready = await client.request({ method: 'POST', path: '/api/relay/broadcast/ready', body: readyBody(0) });
    await ready.body.text();
    if (ready.statusCode !== 200) throw new Error(`bench setup: ready answered ${ready.statusCode}`);
    await client.close();
  }
}

function readyBody(i: number): string {
  return JSON.stringify({ port: 40000 + (i % 1000), addresses: ['192.168.1.20', 'fd00::20', '203.0.113.20'] });
}

async function drive(origin: string, ca: string, identities: Identity[], endpoint: Endpoint): Promise<Stats> {
  const clients = identities.map((identity) => clientFor(origin, ca, identity));
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const once = async (client: Client, i: number, record: boolean): Promise<void> => {
    const started = performance.now();
    const target = identities[(i + 1) % identities.length] as Identity;
    const response =
      endpoint === 'lookup'
        ? await client.request({ method: 'GET', path: `/api/relay/broadcast/lookup?email=${encodeURIComponent(target.email)}` })
        : await client.request({ method: 'POST', path: `/api/relay/broadcast/${endpoint}`, headers: { 'content-type': 'application/json' }, body: endpoint === 'ready' ? readyBody(counter++) : '{}' });
    await response.body.text();
    if (response.statusCode !== 200) errors++;
    if (record) latencies.push(performance.now() - started);
  };
  const loop = async (client: Client, i: number, untilMs: number, record: boolean): Promise<void> => {
    while (performance.now() < untilMs) await once(client, i, record);
  };
  await Promise.all(clients.map((c, i) => loop(c, i, performance.now() + 1000, false)));
  const started = performance.now();
  await Promise.all(clients.map((c, i) => loop(c, i, started + SECONDS * 1000, true)));
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.close()));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { rps: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99), errors };
}

function median(runs: Stats[]): Stats {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor(sorted.length / 2)] as Stats;
}

function print(endpoint: string, server: string, s: Stats): void {
  console.log(`${endpoint.padEnd(11)} ${server.padEnd(8)} ${s.rps.toFixed(0).padStart(7)}   ${s.p50Ms.toFixed(2).padStart(7)}  ${s.p99Ms.toFixed(2).padStart(7)}   ${s.errors}`);
}

function verdict(endpoint: string, ratio: number, target: number | null): void {
  const mark = target === null ? '(no target)' : ratio >= target ? `meets target >= ${target * 100}%` : `BELOW target >= ${target * 100}%`;
  console.log(`${endpoint.padEnd(10)} relay/bare = ${(ratio * 100).toFixed(0)}%  ${mark}`);
}

function measureMemory(): Promise<{ count: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, 'relay-memory.ts'), '100000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { count: number; bytes: number }) : reject(new Error(`memory probe exited ${code}`))));
  });
}

await main();
