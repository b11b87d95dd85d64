/**
 * --target-cmd / --time-warp, on real processes over loopback: a stub
 * relay (a few lines of node:http(s) in a temp file) started through
 * startTargetCommand, plain and under libfaketime; a command that dies at
 * once; one that never answers; and stopping a group whose programs ignore
 * SIGTERM, leaving neither processes nor zombies behind.
 */
import { freePort } from '../../test/support/free-port.ts';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/usage-error.ts';
import { issueSelfSigned } from '../../reference/identity/certificate-builder.ts';
import { pinnedTrust } from '../../reference/identity/pinning.ts';
import { startTargetCommand } from './target-process.ts';
import type { TargetOptions } from './target.ts';

const HAS_FAKETIME = spawnSync('sh', ['-c', 'command -v faketime']).status === 0;

const STUB = `
import { createServer as httpServer } from 'node:http';
import { createServer as httpsServer } from 'node:https';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
const [port, cert, key] = process.argv.slice(2);
const handler = (req, res) => {
  const url = new URL(req.url, 'http://stub');
  if (url.pathname === '/api/health') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  if (url.pathname === '/now') return res.end(JSON.stringify({ now: Date.now() }));
  if (url.pathname === '/timer') {
    const t0 = Date.now();
    setTimeout(() => res.end(JSON.stringify({ waited: Date.now() - t0 })), Number(url.searchParams.get('ms')));
    return;
  }
  res.writeHead(404).end();
};
const server = cert && cert !== '-' ? httpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, handler) : httpServer(handler);
server.listen(Number(port), '127.0.0.1', () => console.log('stub listening on ' + port));
if (process.env.STUB_STUBBORN) {
  // Ignores SIGTERM, and so does the child it keeps.
  process.on('SIGTERM', () => console.log('stub ignores SIGTERM'));
  const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
  writeFileSync(process.env.STUB_STUBBORN, JSON.stringify({ stub: process.pid, child: child.pid }));
} else {
  process.on('SIGTERM', () => process.exit(0));
}
`;

let dir: string;
let stubPath: string;
let certPath: string;
let keyPath: string;
let certPem: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'relaylab-target-cmd-'));
  stubPath = join(dir, 'stub.mjs');
  writeFileSync(stubPath, STUB);
  const now = Date.now();
  const tls = issueSelfSigned({ keyType: 'ecdsa-p256', subject: [{ field: 'CN', value: 'stub relay' }], sanIpAddresses: ['127.0.0.1'], notBeforeMs: now - 3_600_000, notAfterMs: now + 86_400_000, usage: 'server' });
  certPem = tls.certificatePem;
  certPath = join(dir, 'cert.pem');
  keyPath = join(dir, 'key.pem');
  writeFileSync(certPath, tls.certificatePem);
  writeFileSync(keyPath, tls.privateKeyPem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));


function targetOptions(url: string, caPem: string | null): TargetOptions {
  return { url, caPem, insecure: false, auth: { kind: 'mtls' }, untrustedSource: null } as TargetOptions;
}

async function getJson(url: string, caPem: string | null): Promise<Record<string, number>> {
  const agent = new Agent({ connect: { ...pinnedTrust(caPem) } });
  try {
    const response = await request(url, { dispatcher: agent });
    return (await response.body.json()) as Record<string, number>;
  } finally {
    await agent.close();
  }
}

/** Every process in group `pgid`, zombies included (state Z). */
function groupOf(pgid: number): { pid: number; state: string; comm: string }[] {
  const out: { pid: number; state: string; comm: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    if (Number(fields[2]) === pgid) out.push({ pid: Number(entry), state: fields[0] as string, comm: stat.slice(stat.indexOf('(') + 1, close) });
  }
  return out;
}

const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

describe('startTargetCommand', () => {
  it('starts a plain-HTTP command, waits for /api/health, and stops its whole group', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const started = Date.now();
    const relay = await startTargetCommand({ command: `node ${stubPath} ${port}`, warp: 1, target: targetOptions(url, null) });
    const startMs = Date.now() - started;
    try {
      expect(relay).toMatchObject({ url, caPem: null, ttlSeconds: 0 });
      expect(relay.output()).toContain(`stub listening on ${port}`);
      const a = await getJson(`${url}/now`, null);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const b = await getJson(`${url}/now`, null);
      const ratio = ((b.now as number) - (a.now as number)) / 500;
      console.log(`warp 1: healthy after ${startMs} ms; child clock advanced ${((b.now as number) - (a.now as number))} ms in 500 ms real (${ratio.toFixed(2)}x)`);
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(1.5);
    } finally {
      const pgid = relay.pid;
      await relay.close();
      expect(groupOf(pgid)).toEqual([]);
    }
  });

  it.runIf(HAS_FAKETIME)('under --time-warp 60 the command’s clock and timers run about 60x real time (HTTPS, pinned certificate)', async () => {
    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    const relay = await startTargetCommand({ command: `node ${stubPath} ${port} ${certPath} ${keyPath}`, warp: 60, target: targetOptions(url, certPem) });
    try {
      expect(relay.caPem).toBe(certPem);
      const a = await getJson(`${url}/now`, certPem);
      const realA = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const b = await getJson(`${url}/now`, certPem);
      const realMs = Date.now() - realA;
      const ratio = ((b.now as number) - (a.now as number)) / realMs;
      expect(ratio).toBeGreaterThan(50);
      expect(ratio).toBeLessThan(70);
      // A 60 s timer in the child fires after about a second of real time.
      const t0 = Date.now();
      const timer = await getJson(`${url}/timer?ms=60000`, certPem);
      const timerRealMs = Date.now() - t0;
      console.log(`warp 60: child clock advanced ${(b.now as number) - (a.now as number)} ms in ${realMs} ms real (${ratio.toFixed(1)}x); a 60 s child timer took ${timerRealMs} ms real (child saw ${timer.waited} ms)`);
      expect(timerRealMs).toBeGreaterThan(800);
      expect(timerRealMs).toBeLessThan(2000);
      expect(timer.waited).toBeGreaterThanOrEqual(59_000);
    } finally {
      const pgid = relay.pid;
      await relay.close();
      expect(groupOf(pgid)).toEqual([]);
      // faketime exited by itself and removed its shared memory.
      expect(existsSync(`/dev/shm/faketime_shm_${pgid}`)).toBe(false);
    }
  });

  it('a command that exits at once is a one-line UsageError with its exit code and last output line', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await startTargetCommand({ command: `echo starting; echo "listen EADDRINUSE 127.0.0.1:${port}" >&2; exit 3`, warp: 1, target: targetOptions(`http://127.0.0.1:${port}`, null) }).catch((e: unknown) => e);
    const tookMs = Date.now() - started;
    console.log(`exits at once: rejected after ${tookMs} ms: ${(error as Error).message}`);
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toMatch(/exited with code 3 before http:\/\/127\.0\.0\.1:\d+\/api\/health answered 200/);
    expect(message).toContain(`its last output line: "listen EADDRINUSE 127.0.0.1:${port}"`);
    expect(message).not.toMatch(/\n/);
    expect(tookMs).toBeLessThan(3000);
  });

  it('a command that never becomes healthy is a UsageError after the timeout, and is stopped', async () => {
    const port = await freePort();
    const pidFile = join(dir, 'never.pid');
    const started = Date.now();
    const error = await startTargetCommand({
      command: `echo $$ > ${pidFile}; echo "waiting for a database"; sleep 60`,
      warp: 1,
      target: targetOptions(`http://127.0.0.1:${port}`, null),
      healthTimeoutMs: 1000,
    }).catch((e: unknown) => e);
    const tookMs = Date.now() - started;
    const pgid = Number(readFileSync(pidFile, 'utf8'));
    console.log(`never healthy: rejected after ${tookMs} ms: ${(error as Error).message}`);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/did not answer 200 on http:\/\/127\.0\.0\.1:\d+\/api\/health within 1 s \(last attempt: ECONNREFUSED\); its last output line: "waiting for a database"/);
    expect(tookMs).toBeLessThan(4000);
    expect(groupOf(pgid)).toEqual([]);
  });

  it('warns with a one-line UsageError when faketime is missing', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const error = await startTargetCommand({ command: 'true', warp: 60, target: targetOptions('http://127.0.0.1:9', null) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(/faketime command is not installed \(apt-get install faketime\)$/);
    } finally {
      process.env.PATH = savedPath;
    }
  });

  for (const warp of HAS_FAKETIME ? [1, 60] : [1]) {
    it(`close() SIGKILLs a group that ignores SIGTERM, bottom up, leaving no process or zombie (warp ${warp})`, async () => {
      const port = await freePort();
      const pidsFile = join(dir, `stubborn-${warp}.json`);
      const relay = await startTargetCommand({
        command: `STUB_STUBBORN=${pidsFile} node ${stubPath} ${port}`,
        warp,
        target: targetOptions(`http://127.0.0.1:${port}`, null),
        stopTimeoutMs: 1000,
      });
      const pids = JSON.parse(readFileSync(pidsFile, 'utf8')) as { stub: number; child: number };
      const pgid = relay.pid;
      expect(groupOf(pgid).map((m) => m.pid)).toEqual(expect.arrayContaining([pgid, pids.stub, pids.child]));
      const started = Date.now();
      await relay.close();
      const tookMs = Date.now() - started;
      console.log(`stubborn group (warp ${warp}): close() took ${tookMs} ms; left in the group: ${JSON.stringify(groupOf(pgid))}`);
      expect(relay.output()).toContain('stub ignores SIGTERM');
      expect(tookMs).toBeGreaterThanOrEqual(900);
      expect(tookMs).toBeLessThan(4000);
      expect(alive(pids.stub)).toBe(false);
      expect(alive(pids.child)).toBe(false);
      expect(groupOf(pgid)).toEqual([]);
      // Idempotent.
      await relay.close();
    });
  }

  it('stops the command when the suite process gets SIGTERM, and the suite still dies of it', async () => {
    const port = await freePort();
    const script = join(dir, 'suite.mts');
    writeFileSync(
      script,
      `import { startTargetCommand } from ${JSON.stringify(new URL('./target-process.ts', import.meta.url).pathname)};
const relay = await startTargetCommand({ command: ${JSON.stringify(`node ${stubPath} ${port}`)}, warp: 1, target: { url: 'http://127.0.0.1:${port}', caPem: null, insecure: false, auth: { kind: 'mtls' } } });
console.log('PGID ' + relay.pid);
setInterval(() => {}, 1000);
`,
    );
    const suite = spawn(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    const pgid = await new Promise<number>((resolve, reject) => {
      let text = '';
      suite.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
        const match = /PGID (\d+)/.exec(text);
        if (match) resolve(Number(match[1]));
      });
      suite.once('exit', (code) => reject(new Error(`suite exited early with ${code}`)));
    });
    expect(groupOf(pgid).length).toBeGreaterThan(0);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => suite.once('exit', (code, signal) => resolve({ code, signal })));
    suite.kill('SIGTERM');
    const exit = await exited;
    console.log(`suite SIGTERMed: exit ${JSON.stringify(exit)}; relay group left: ${JSON.stringify(groupOf(pgid))}`);
    expect(exit.signal).toBe('SIGTERM');
    expect(groupOf(pgid)).toEqual([]);
  });
});

