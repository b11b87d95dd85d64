/**
 * The conformance suite as a container image (issue 13, "A suite image"),
 * for relays not written in Node: built from local files only, run the way
 * README's "Run the suite from a container" says, against the reference
 * relay's own image. Real Docker throughout; the relay runs in its
 * container on a published loopback port, the suite in its image on the
 * host network, reports land in a mounted temp dir owned by the --user uid.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostHasFaketime, SUITE_IMAGE_TAG } from '../../docker/conformance-suite/build-image.ts';
import { dockerOptionMisuse } from '../../docker/conformance-suite/docker-option-misuse.ts';
import { fetchServerCertificatePem } from '../../docker/start-container-target.ts';
import { freePort } from '../support/free-port.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Not SUITE_IMAGE_TAG itself: a user's `relaylab` image is left alone. */
const SUITE_TAG = `${SUITE_IMAGE_TAG}:suite-test`;
const RELAY_TAG = 'relaylab/reference-relay:suite-test';
/** Every container this file starts is named with this prefix, so afterAll can remove what a timeout left. */
const NAME = `relaylab-suite-test-${process.pid}`;
// Running as root, the mount is handed to another uid: root-owned reports would then be caught, not hidden.
const UID = process.getuid?.() || 4321;
const GID = process.getgid?.() || 4321;

function dockerMissing(): string | null {
  const info = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 30_000 });
  return info.status === 0 ? null : 'no Docker engine: start one with `bash .ci/start-docker.sh` (CI does)';
}
const missing = dockerMissing();
if (missing) process.stderr.write(`test/docker/suite-image.test.ts skipped: ${missing}\n`);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

let containers = 0;
/**
 * `docker run --rm [dockerArgs] IMAGE [imageArgs]`, named for cleanup.
 * Asynchronous: a minute-long synchronous wait starves vitest's worker RPC.
 */
function dockerRun(dockerArgs: string[], imageArgs: string[], timeoutMs = 180_000): Promise<Run> {
  const name = `${NAME}-${++containers}`;
  return new Promise((resolve) => {
    const child = spawn('docker', ['run', '--rm', '--name', name, ...dockerArgs, SUITE_TAG, ...imageArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' }), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const asUser = ['--user', `${UID}:${GID}`];
let data: string;
let relayUrl: string;

async function setUp(): Promise<void> {
  await buildImage('docker/conformance-suite/build-image.ts', SUITE_TAG);
  await buildImage('docker/reference-relay/build-image.ts', RELAY_TAG);
  data = mkdtempSync(join(tmpdir(), 'relaylab-suite-data-'));
  chmodSync(data, 0o755);
  if (process.getuid?.() === 0) chownSync(data, UID, GID);
  // Test mode and a TTL far above --max-wait: expiry cases move the relay's clock, and no broadcast expires under load.
  // No --rm: when it dies at start its log is still there to quote; tearDown removes it.
  const relay = spawnSync('docker', ['run', '-d', '--name', `${NAME}-relay`, '-p', '127.0.0.1::8443', RELAY_TAG, '--ttl', '1h', '--test-mode'], { encoding: 'utf8' });
  if (relay.status !== 0) throw new Error(`reference relay container did not start: ${relay.stderr.trim()}`);
  const port = spawnSync('docker', ['port', `${NAME}-relay`, '8443/tcp'], { encoding: 'utf8' }).stdout.split('\n')[0]?.split(':').pop();
  relayUrl = `https://127.0.0.1:${port}`;
  writeFileSync(join(data, 'relay.pem'), await certificateOnceUp(Number(port)));
}

function tearDown(): void {
  const ours = spawnSync('docker', ['ps', '-a', '-q', '--filter', `name=${NAME}`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  if (ours.length > 0) spawnSync('docker', ['rm', '-f', ...ours], { stdio: 'ignore' });
  if (data) rmSync(data, { recursive: true, force: true });
}

/**
 * A build script's command-line form, in a child process: the builds take
 * minutes of synchronous work (npm pack and install, docker build), which
 * in this worker would starve vitest's RPC.
 */
function buildImage(script: string, tag: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), tag], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (status) => (status === 0 ? resolve() : reject(new Error(`${script} ${tag} exited ${status}: ${output.trim().slice(-2000)}`))));
  });
}

/** The relay's certificate from its TLS handshake (we started it: trust on first use), once it listens. */
async function certificateOnceUp(port: number): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchServerCertificatePem('127.0.0.1', port);
    } catch (error) {
      if (attempt >= 60) {
        const log = spawnSync('docker', ['logs', '--tail', '5', `${NAME}-relay`], { encoding: 'utf8' });
        throw new Error(`the reference relay container never answered TLS on ${port} (${(error as Error).message}); its last log lines: ${log.stdout}${log.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

describe.skipIf(missing !== null)(`the conformance suite image${missing ? ` (skipped: ${missing})` : ''}`, () => {
  beforeAll(setUp, 600_000);
  afterAll(tearDown);

  it('holds the packed package (compiled JavaScript, production dependencies), not the checkout and tsx', async () => {
    const probe = "const f=require('fs');console.log(['relaylab/dist/cli/main.js','relaylab/cli/main.ts','tsx','vitest','typescript'].map(p=>p+'='+f.existsSync('/app/node_modules/'+p)).join(' '))";
    const run = await dockerRun([...asUser, '--entrypoint', '/usr/bin/node'], ['-e', probe]);
    expect(run.stdout.trim(), run.stderr).toBe('relaylab/dist/cli/main.js=true relaylab/cli/main.ts=false tsx=false vitest=false typescript=false');
  }, 60_000);

  it('runs the whole suite against the reference relay image and writes reports the user owns', async () => {
    const run = await dockerRun(['--network', 'host', ...asUser, '-v', `${data}:/data`], ['conformance', '--target', relayUrl, '--ca', '/data/relay.pem', '--reports', '/data/out']);
    expect(run.status, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/^RESULT: every MUST passes/m);
    for (const file of ['results.json', 'report.html', 'junit.xml']) {
      const path = join(data, 'out', file);
      expect(existsSync(path), file).toBe(true);
      expect(statSync(path).uid, `${file} owner`).toBe(UID);
      expect(readFileSync(path, 'utf8').length, file).toBeGreaterThan(0);
    }
    const results = JSON.parse(readFileSync(join(data, 'out/results.json'), 'utf8')) as { target?: unknown; summary?: unknown };
    expect(results.summary).toBeDefined();
  }, 240_000);

  it('answers a wrong --ca path with exit 2 and one line naming the file', async () => {
    const run = await dockerRun(['--network', 'host', ...asUser, '-v', `${data}:/data`], ['conformance', '--target', relayUrl, '--ca', '/data/absent.pem']);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^relaylab: .*--ca \/data\/absent\.pem/)]);
  }, 60_000);

  it('names -v after the image name as a misplaced docker option: one line, exit 2', async () => {
    const run = await dockerRun(['--network', 'host', ...asUser], ['conformance', '--target', relayUrl, '--ca', '/data/relay.pem', '--reports', '/data/out', '-v', `${data}:/data`]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([`relaylab: -v ${data}:/data is a docker option: put it before the image name (docker run --rm -v "${data}:/data" IMAGE conformance ...)`]);
  }, 60_000);

  it('runs help and version under an arbitrary uid with no mount', async () => {
    const version = await dockerRun(['--user', '54321:54321'], ['version']);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^relaylab \d+\.\d+\.\d+: /);
    const help = await dockerRun(['--user', '54321:54321'], ['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('relaylab conformance');
  }, 60_000);

  it('runs --time-warp inside: a relay started by --target-cmd under libfaketime (or the suite says faketime is missing)', async () => {
    const port = await freePort();
    const target = `https://127.0.0.1:${port}`;
    const run = await dockerRun(['--network', 'host', ...asUser], ['conformance', '--target', target, '--insecure', '--target-cmd', `relaylab relay --port ${port} --ttl 5m --data-dir /tmp/relay`, '--time-warp', '30', '--only', 'EXP-*']);
    if (!hostHasFaketime()) {
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/faketime command is not installed/);
      return;
    }
    expect(run.status, `${run.stdout.slice(-2000)}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/^RESULT: every MUST passes.*warp 30x/m);
  }, 180_000);
});

// Pure, so it runs without Docker too.
describe('dockerOptionMisuse: a docker -v/--volume after the image name', () => {
  it('is named for -v and --volume with a HOST:CONTAINER value, spaced or joined', () => {
    expect(dockerOptionMisuse(['conformance', '--ca', '/data/relay.pem', '-v', '/home/me:/data'])).toBe('-v /home/me:/data is a docker option: put it before the image name (docker run --rm -v "/home/me:/data" IMAGE conformance ...)');
    expect(dockerOptionMisuse(['conformance', '--volume=/home/me:/data:ro'])).toMatch(/^--volume \/home\/me:\/data:ro is a docker option/);
    expect(dockerOptionMisuse(['conformance', '-v=reports:/data'])).toMatch(/^-v reports:\/data is a docker option/);
  });

  it('leaves everything else to relaylab: no value, no container path, after --', () => {
    expect(dockerOptionMisuse(['conformance', '-v'])).toBeNull();
    expect(dockerOptionMisuse(['conformance', '-v', 'relay.pem'])).toBeNull();
    expect(dockerOptionMisuse(['conformance', '--target', 'https://127.0.0.1:8443'])).toBeNull();
    expect(dockerOptionMisuse(['conformance', '--', '-v', '/a:/b'])).toBeNull();
  });
});
