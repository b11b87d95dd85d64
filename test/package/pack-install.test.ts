/**
 * relaylab as its users install it (issue 13, "Install and start"): `npm
 * pack`, the tarball installed into an empty folder with no dev
 * dependencies, then the installed CLI runs `demo`, `conformance` against a
 * real relay, `simulate` on worker threads, and a Node app imports the
 * library API with its types checked by tsc. No tsx, esbuild, vitest,
 * playwright-core or testcontainers is installed there.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../../reference/relay/http/start-relay.ts';
import { packAndInstall } from '../support/pack-install.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const devVersion = (name: string) => (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies[name]!;

let work: string;
let app: string;
let files: string[];
let relay: RunningRelay;

/** Asynchronous: the relay under test lives in this process and must keep answering. */
function relaylab(args: string[], timeoutMs = 60_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(app, 'node_modules/relaylab/bin/relaylab.mjs'), ...args], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'relaylab-pack-'));
  // What a user's TypeScript app has: the package, TypeScript and Node's types; nothing of relaylab's dev tools.
  ({ app, files } = packAndInstall(work, [`typescript@${devVersion('typescript')}`, `@types/node@${devVersion('@types/node')}`]));
  relay = await startRelay({ port: 0, ttlSeconds: 3600 });
}, 300_000);

afterAll(async () => {
  await relay?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed relaylab, installed into an empty folder', () => {
  it('carries compiled JavaScript with declarations, and no tests, TypeScript sources or keys', () => {
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('dist/reference/peer/api/index.d.ts');
    expect(files).toContain('dist/reference/peer/ui/remotehouse/app.js');
    expect(files.filter((f) => /\.test\.|(^|\/)test\//.test(f))).toEqual([]);
    expect(files.filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /key\.pem$|\.key$/.test(f))).toEqual([]);
    for (const devOnly of ['tsx', 'esbuild', 'vitest', 'playwright-core', 'testcontainers']) expect(existsSync(join(app, 'node_modules', devOnly)), devOnly).toBe(false);
  });

  it('runs --help, version and the demo', async () => {
    const help = await relaylab(['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('relaylab demo');
    const version = await relaylab(['version']);
    expect(version.stdout).toMatch(/^relaylab \d+\.\d+\.\d+: /);
    const demo = await relaylab(['demo']);
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/All seven steps hold/);
  });

  it('runs the conformance suite against a relay and writes its reports', async () => {
    const out = join(work, 'reports');
    writeFileSync(join(work, 'relay.pem'), relay.tlsCertificatePem);
    const run = await relaylab(['conformance', '--target', relay.url, '--ca', join(work, 'relay.pem'), '--only', 'HEALTH-*', '--only', 'REG-1', '--reports', out], 120_000);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/RESULT/);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).summary).toBeDefined();
  });

  it('runs a shipped scenario in the simulator, two seeds on worker threads', async () => {
    const out = join(work, 'sim');
    const run = await relaylab(['simulate', join(app, 'node_modules/relaylab/scenarios/same-lan.yaml'), '--peers', '20', '--duration', '1h', '--seeds', '2', '--out', out], 120_000);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(existsSync(join(out, 'results.json'))).toBe(true);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  it('imports the library API as ESM, and tsc checks an app against its types', () => {
    writeFileSync(
      join(app, 'app.ts'),
      [
        "import { connectToPeer, queryRelayPeers, PeerFilesClient, runPeer, startRemoteHouse, type ConnectOutcome } from 'relaylab';",
        "import { startRelay } from 'relaylab/relay';",
        "import { runSuite } from 'relaylab/conformance';",
        "import { parseScenario, runScenario } from 'relaylab/simulator';",
        "const kind = (o: ConnectOutcome): string => (o.kind === 'connected' ? o.origin : o.kind);",
        'export const used = [connectToPeer, queryRelayPeers, PeerFilesClient, runPeer, startRemoteHouse, startRelay, runSuite, parseScenario, runScenario, kind];',
        '',
      ].join('\n'),
    );
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, types: ['node'] }, files: ['app.ts'] }));
    const tsc = spawnSync(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', app], { cwd: app, encoding: 'utf8' });
    expect(tsc.status, tsc.stdout).toBe(0);
    // And a wrong use is caught: the types are real, not `any`.
    writeFileSync(join(app, 'app.ts'), "import { connectToPeer } from 'relaylab';\nconnectToPeer(42);\n");
    const wrong = spawnSync(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', app], { cwd: app, encoding: 'utf8' });
    expect(wrong.status).not.toBe(0);
    const esm = spawnSync(process.execPath, ['--input-type=module', '-e', "const m = await import('relaylab'); const s = await import('relaylab/simulator'); console.log(typeof m.connectToPeer, typeof s.runScenario);"], { cwd: app, encoding: 'utf8' });
    expect(esm.stdout.trim(), esm.stderr).toBe('function function');
  });
});
