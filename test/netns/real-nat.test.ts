/**
 * The seed's hard case with real sockets and real NAT: B looks A up and
 * tries A's addresses in order, local first. A's private address
 * 192.168.1.50 also exists in B's own LAN, where it is another host (C),
 * so the first attempt reaches the WRONG peer; the identity check must
 * skip it and win through A's forwarded public address.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/spawn-cli.ts';
import { createTopology, HOME1_WAN, PEER_PORT, RELAY_IP, requireNetworkAdmin, SHARED_PRIVATE, type Topology } from './topology.ts';

const work = mkdtempSync(join(tmpdir(), 'relaylab-nat-'));
const children: ChildProcess[] = [];
let topology: Topology;
let relayCa: string;

function inNamespace(ns: string, args: string[]): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

function runIn(ns: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = inNamespace(ns, args);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; saw:\n${seen}`)), timeoutMs);
    const onData = (d: Buffer): void => {
      seen += d.toString();
      const line = seen.split('\n').find((l) => pattern.test(l));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

const relayArgs = () => ['--relay', `https://${RELAY_IP}:8443`, '--relay-ca', relayCa];

async function waitUntilOnline(ns: string, identityDir: string, email: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const reply = await runIn(ns, ['lookup', ...relayArgs(), '--identity', identityDir, '--email', email]);
    if (reply.code === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${email} never came online`);
}

beforeAll(async () => {
  requireNetworkAdmin();
  topology = createTopology();
  const relay = inNamespace(topology.ns.inet, ['relay', '--host', RELAY_IP, '--port', '8443', '--data-dir', join(work, 'relay'), '--log-level', 'warn']);
  const line = await waitForLine(relay, /relay listening on/, 30_000);
  relayCa = /--relay-ca\): (\S+)/.exec(line)?.[1] as string;
  for (const who of ['a', 'c']) {
    mkdirSync(join(work, `root-${who}`));
    writeFileSync(join(work, `root-${who}`, 'hello.txt'), `hello from ${who}\n`);
  }
  inNamespace(topology.ns.a, ['peer', ...relayArgs(), '--email', 'a@nat.test', '--root', join(work, 'root-a'), '--identity-dir', join(work, 'id-a'), '--port', String(PEER_PORT), '--public-address', HOME1_WAN]);
  inNamespace(topology.ns.c, ['peer', ...relayArgs(), '--email', 'c@nat.test', '--root', join(work, 'root-c'), '--identity-dir', join(work, 'id-c'), '--port', String(PEER_PORT)]);
  expect((await runIn(topology.ns.b, ['identity', 'create', '--email', 'b@nat.test', '--dir', join(work, 'id-b')])).code).toBe(0);
  expect((await runIn(topology.ns.b, ['register', ...relayArgs(), '--identity', join(work, 'id-b')])).code).toBe(0);
  await waitUntilOnline(topology.ns.b, join(work, 'id-b'), 'a@nat.test');
  await waitUntilOnline(topology.ns.b, join(work, 'id-b'), 'c@nat.test');
}, 120_000);

afterAll(async () => {
  // Stop every process and wait for it before pulling the namespaces and files from under it.
  await Promise.all(
    children
      .filter((child) => child.exitCode === null && child.signalCode === null)
      .map((child) => new Promise<void>((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('close', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      })),
  );
  topology?.destroy();
  rmSync(work, { recursive: true, force: true });
});

describe('try-order across real NAT (network namespaces + iptables)', () => {
  it('A announced its private address first, then its public one, as the relay saw it', async () => {
    const reply = await runIn(topology.ns.b, ['lookup', ...relayArgs(), '--identity', join(work, 'id-b'), '--email', 'a@nat.test']);
    expect(JSON.parse(reply.out.slice(reply.out.indexOf('{'))).addresses).toEqual([SHARED_PRIVATE, HOME1_WAN]);
  });

  it.each(['sequential', 'race'])('%s: skips the wrong host at the shared private address and wins through the port forward', async (strategy) => {
    topology.setPortForward(true);
    const result = await runIn(topology.ns.b, ['connect', ...relayArgs(), '--identity', join(work, 'id-b'), '--email', 'a@nat.test', '--strategy', strategy, '--attempt-timeout', '3s']);
    expect(result.code, result.out).toBe(0);
    expect(result.out).toMatch(new RegExp(`${SHARED_PRIVATE.replace(/\./g, '\\.')}.*wrong_host.*c@nat\\.test`));
    expect(result.out).toMatch(new RegExp(`winner.*${HOME1_WAN.replace(/\./g, '\\.')}`, 'i'));
  });

  it('fails, exit 1, when home1 forwards nothing: the only host answering is the wrong one', async () => {
    topology.setPortForward(false);
    const result = await runIn(topology.ns.b, ['connect', ...relayArgs(), '--identity', join(work, 'id-b'), '--email', 'a@nat.test', '--attempt-timeout', '2s']);
    expect(result.code, result.out).toBe(1);
    expect(result.out).toContain('wrong_host');
  });
});
