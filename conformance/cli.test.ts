/**
 * `relaylab conformance` and `relaylab report` as a user runs them: real
 * processes, exit codes, one-line errors, report files, a repro script
 * that replays a failure against the failing relay.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../reference/relay/http/start-relay.ts';
import { ALL_MUTANTS, startMutant } from './mutants/catalog.ts';
import { issueSelfSigned } from '../reference/identity/certificate-builder.ts';

const run = promisify(execFile);
const BIN = new URL('../bin/relaylab.mjs', import.meta.url).pathname;

async function relaylab(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function expectUsageError(result: { code: number; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('relaylab conformance: bad arguments and unreachable targets exit 2 with one line', () => {
  it('refuses a plain-HTTP target without header auth', async () => expectUsageError(await relaylab(['conformance', '--target', 'http://127.0.0.1:1', '--insecure']), /plain HTTP: client certificates need TLS.*--auth header:NAME/));
  it('refuses --time-warp without --target-cmd', async () => expectUsageError(await relaylab(['conformance', '--target', 'https://127.0.0.1:1', '--insecure', '--time-warp', '60']), /--time-warp goes with --target-cmd/));
  it('refuses --concurrency 0', async () => expectUsageError(await relaylab(['conformance', '--concurrency', '0']), /--concurrency must be a whole number from 1 to 50/));
  it('says a --concurrency that is not a number is not a number (not "NaN")', async () => expectUsageError(await relaylab(['conformance', '--concurrency', 'abc']), /--concurrency "abc" is not a number$/m));
  it('refuses an --untrusted-source that is not an address of this machine', async () => expectUsageError(await relaylab(['conformance', '--target', 'https://127.0.0.1:1', '--insecure', '--untrusted-source', '192.0.2.7', '--auth', 'header:x-ssl-cert']), /--untrusted-source 192\.0\.2\.7 is not an address of this machine/));
  it('refuses --untrusted-source without header auth, or equal to the address the suite is trusted from', async () => {
    expectUsageError(await relaylab(['conformance', '--target', 'https://127.0.0.1:1', '--insecure', '--untrusted-source', '127.0.0.3']), /--untrusted-source goes with --auth header:NAME/);
    expectUsageError(await relaylab(['conformance', '--target', 'http://127.0.0.1:1', '--auth', 'header:x-ssl-cert', '--untrusted-source', '127.0.0.1']), /--untrusted-source 127\.0\.0\.1 is the address the suite reaches 127\.0\.0\.1 from/);
  });
  it('says in one line that an https:// target answers plain HTTP', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => res.end('{}')).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      expectUsageError(await relaylab(['conformance', '--target', `https://127.0.0.1:${port}`, '--insecure']), new RegExp(`answers in plain HTTP, not TLS: .*http://127\\.0\\.0\\.1:${port} with --auth header:NAME`));
    } finally {
      server.close();
    }
  });
  it('needs --ca or --insecure', async () => expectUsageError(await relaylab(['conformance', '--target', 'https://127.0.0.1:1']), /--ca PEM.*--insecure/));
  it('refuses a bad --auth', async () => expectUsageError(await relaylab(['conformance', '--auth', 'token']), /--auth must be/));
  it('refuses a missing --ca file', async () => expectUsageError(await relaylab(['conformance', '--target', 'https://127.0.0.1:1', '--ca', '/nonexistent.pem']), /cannot read --ca/));
  it('says the target is unreachable', async () => expectUsageError(await relaylab(['conformance', '--target', 'https://127.0.0.1:1', '--insecure']), /cannot reach https:\/\/127\.0\.0\.1:1.*ECONNREFUSED/));
  it('refuses a target URL with a path (it would be dropped)', async () => expectUsageError(await relaylab(['conformance', '--target', 'https://127.0.0.1:1/relay', '--insecure']), /origin only .*without a path/));
  it('refuses an --only that selects no case', async () => expectUsageError(await relaylab(['conformance', '--only', 'NOPE-*']), /--only NOPE-\* selects no case/));
  it('refuses --ca without --target', async () => expectUsageError(await relaylab(['conformance', '--ca', '/nonexistent.pem']), /--ca and --insecure go with --target/));
  it('refuses --target-port without --target-image', async () => expectUsageError(await relaylab(['conformance', '--target-port', '8443']), /--target-port goes with --target-image/));
  it('refuses a --reports path that is a file, before running anything', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'relaylab-reports-')), 'taken');
    await writeFile(file, 'not a folder');
    expectUsageError(await relaylab(['conformance', '--only', 'GEN-*', '--reports', file]), /--reports .*taken is a file, not a folder/);
  });
});

describe('repro scripts for cases where two identities share an email', () => {
  let mutant: RunningRelay;
  let correct: RunningRelay;
  let dir: string;
  beforeAll(async () => {
    mutant = await startMutant(ALL_MUTANTS.find((m) => m.name === 'case-sensitive-uniqueness')!, 30);
    correct = await startRelay({ host: '127.0.0.1', port: 0, ttlSeconds: 30 });
    dir = await mkdtemp(join(tmpdir(), 'relaylab-repro-'));
    await writeFile(join(dir, 'mutant.pem'), mutant.tlsCertificatePem);
    await writeFile(join(dir, 'correct.pem'), correct.tlsCertificatePem);
  });
  afterAll(async () => {
    await mutant?.close();
    await correct?.close();
  });

  it('replay the collision: the second registration is refused by a correct relay and accepted by the broken one', async () => {
    const reports = join(dir, 'reports');
    const result = await relaylab(['conformance', '--target', mutant.url, '--ca', join(dir, 'mutant.pem'), '--only', 'REG-6*', '--reports', reports]);
    expect(result.code).toBe(1);
    const scripts = (await readdir(join(reports, 'repro'))).filter((f) => f.startsWith('REG-6'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const on = async (relay: RunningRelay, pem: string): Promise<string[]> => {
        const { stdout } = await run('sh', [join(reports, 'repro', script)], { env: { ...process.env, RELAY: relay.url, CA: join(dir, pem) } });
        return [...stdout.matchAll(/^HTTP (\d+)$/gm)].map((m) => m[1] as string);
      };
      expect(await on(correct, 'correct.pem')).toContain('409');
      expect(await on(mutant, 'mutant.pem')).not.toContain('409');
    }
  }, 60_000);
});

describe('relaylab conformance when time cannot pass', () => {
  let relay: RunningRelay;
  let dir: string;
  beforeAll(async () => {
    // No test-control profile and a TTL above --max-wait: the expiry cases cannot run.
    relay = await startRelay({ host: '127.0.0.1', port: 0, ttlSeconds: 30 });
    dir = await mkdtemp(join(tmpdir(), 'relaylab-conformance-skip-'));
    await writeFile(join(dir, 'relay.pem'), relay.tlsCertificatePem);
  });
  afterAll(async () => relay?.close());

  it('never reports a skipped MUST as passing; --fail-on-skip makes it fail the run', async () => {
    const args = ['conformance', '--target', relay.url, '--ca', join(dir, 'relay.pem'), '--only', 'EXP-1*', '--max-wait', '1'];
    const lenient = await relaylab(args);
    expect(lenient.stdout).toMatch(/^RESULT: no MUST fails, but 1 MUST requirement\(s\) skipped, not checked \(EXP-1\)$/m);
    expect(lenient.stdout).not.toMatch(/every MUST passes/);
    expect(lenient.code).toBe(0);
    const strict = await relaylab([...args, '--fail-on-skip']);
    expect(strict.stdout).toMatch(/^RESULT: no MUST fails, but 1 MUST requirement\(s\) skipped, not checked \(EXP-1\) \(--fail-on-skip\)$/m);
    expect(strict.code).toBe(1);
  }, 60_000);
});

describe('relaylab conformance with no target', () => {
  it('starts the embedded reference relay, says so, and passes', async () => {
    const result = await relaylab(['conformance', '--only', 'GEN-*,LOOKUP-1*']);
    expect(result.stdout).toMatch(/no --target given: started the embedded reference relay at https:\/\/127\.0\.0\.1:\d+ \(TTL 5 s, test mode/);
    expect(result.stdout).toMatch(/RESULT: every MUST passes/);
    expect(result.code).toBe(0);
  }, 60_000);
});

describe('relaylab conformance against a failing relay', () => {
  let relay: RunningRelay;
  let dir: string;
  beforeAll(async () => {
    const mutant = ALL_MUTANTS.find((m) => m.name === 'skips-email-match');
    relay = await startMutant(mutant!, 30);
    dir = await mkdtemp(join(tmpdir(), 'relaylab-conformance-cli-'));
    await writeFile(join(dir, 'relay.pem'), relay.tlsCertificatePem);
  });
  afterAll(async () => relay?.close());

  it('exits 1, names the requirement, and writes results.json, junit.xml, report.html and a repro script', async () => {
    const reports = join(dir, 'reports');
    const result = await relaylab(['conformance', '--target', relay.url, '--ca', join(dir, 'relay.pem'), '--only', 'REG-4*,REG-1*', '--reports', reports, '--seed', '5']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ REG-4\/email-nowhere fail \(deterministic\)/);
    expect(result.stdout).toMatch(/rerun: npx relaylab conformance --target \S+ --ca \S+ --only 'REG-4\/\*' --seed 5/);
    expect(result.stdout).toMatch(/expected: register with an email absent from the certificate: HTTP 400 \{"code":"email_mismatch"\}/);
    const results = JSON.parse(await readFile(join(reports, 'results.json'), 'utf8'));
    expect(results.requirements.find((r: { id: string }) => r.id === 'REG-4').verdict).toBe('fail');
    expect(results.seed).toBe(5);
    const junit = await readFile(join(reports, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testcase classname="relay.REG" name="REG-4\/email-nowhere"[^>]*>[\s\S]*?<failure type="fail"/);
    expect(junit).toMatch(/<testcase classname="relay.REG" name="REG-1\/registered" time="[\d.]+">/);
    const scripts = await readdir(join(reports, 'repro'));
    expect(scripts).toContain('REG-4_email-nowhere.sh');
  }, 60_000);

  it('has repro scripts that recreate the identity with openssl and replay the failure with curl', async () => {
    const script = join(dir, 'reports', 'repro', 'REG-4_email-nowhere.sh');
    const text = await readFile(script, 'utf8');
    expect(text).toMatch(/openssl req -x509 -newkey ec/);
    expect(text).toMatch(/relay_curl -X 'POST'/);
    const { stdout } = await run('sh', [script], { env: { ...process.env, RELAY: relay.url, CA: join(dir, 'relay.pem') } });
    // The mutant registers an email the certificate does not carry: the replay shows the same 200.
    expect(stdout).toMatch(/"status":"registered"/);
    expect(stdout).toMatch(/HTTP 200/);
  }, 30_000);

  it('says so in one line when --ca does not trust the relay', async () => {
    const other = issueSelfSigned({ subject: [{ field: 'CN', value: 'someone-else' }], notBeforeMs: Date.now() - 60_000, notAfterMs: Date.now() + 86_400_000, usage: 'server', keyType: 'ecdsa-p256' });
    await writeFile(join(dir, 'other.pem'), other.certificatePem);
    expectUsageError(await relaylab(['conformance', '--target', relay.url, '--ca', join(dir, 'other.pem')]), /TLS certificate --ca does not trust/);
  }, 30_000);

  it('exits 0 when the failure is baselined', async () => {
    await writeFile(join(dir, 'baseline.txt'), '# accepted while we fix it\nREG-4\n');
    const result = await relaylab(['conformance', '--target', relay.url, '--ca', join(dir, 'relay.pem'), '--only', 'REG-4*', '--baseline', join(dir, 'baseline.txt')]);
    expect(result.stdout).toMatch(/≈ REG-4/);
    expect(result.code).toBe(0);
  }, 60_000);

  it('merges several results into one matrix report', async () => {
    // Two runs with one name are refused (issue 13), so the second column is the same run relabelled.
    const json = JSON.parse(await readFile(join(dir, 'reports', 'results.json'), 'utf8'));
    await mkdir(join(dir, 'other'), { recursive: true });
    await writeFile(join(dir, 'other', 'results.json'), JSON.stringify({ ...json, label: 'other' }));
    const same = await relaylab(['report', '--merge', join(dir, 'reports', 'results.json'), join(dir, 'reports', 'results.json'), '--out', join(dir, 'merged-same')]);
    expect(same.code).toBe(2);
    const result = await relaylab(['report', '--merge', join(dir, 'reports', 'results.json'), join(dir, 'other', 'results.json'), '--out', join(dir, 'merged')]);
    expect(result.code).toBe(0);
    const html = await readFile(join(dir, 'merged', 'report.html'), 'utf8');
    expect(html).toMatch(/Implementation × requirement/);
    expect(html).toMatch(/class="cell cell-fail"><a href="[^"]*report\.html#[^"]+">fail<\/a>/);
  }, 30_000);
});
