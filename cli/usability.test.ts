/** The command line as a user meets it (issue 13, "The command line"): real child processes. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../test/support/spawn-cli.ts';
import { closestFlag } from './single-values.ts';

describe('relaylab command line', () => {
  it.each([
    [['relay', '--tll', '5'], 'relaylab: Unknown argument: tll (--tll: did you mean --ttl?)'],
    [['simulate', 'x.yaml', '--peer', '3'], 'relaylab: Unknown argument: peer (--peer: did you mean --peers?)'],
    [['peer', '--relay', 'https://127.0.0.1:9', '--insecure', '--email', 'a@b.test', '--root', '.', '--ui-prot', '3'], 'relaylab: Unknown argument: ui-prot (--ui-prot: did you mean --ui-port?)'],
    [['relay', '--bogus'], 'relaylab: Unknown argument: bogus'],
    [['peer', '--relay', 'https://127.0.0.1:9', '--relay-ca', 'package.json', '--email', 'a@b.test', '--root', '.'], 'relaylab: --relay-ca package.json holds no PEM certificate (the relay prints its certificate\'s path when it starts)'],
    [['relay', '--ttl', '1.5s'], 'relaylab: --ttl must be whole seconds, got "1.5s"'],
    [['relay', '--ttl', 'an hour'], 'relaylab: --ttl must be a duration such as 3600, 90s, 1h or 1h30m, got "an hour"'],
    [['relay', '--ttl', '11y'], 'relaylab: --ttl must be a duration such as 3600, 90s, 1h or 1h30m, got "11y"'],
    [['relay', '--ttl', '3651d'], 'relaylab: --ttl must be at most ten years (315360000 s), got 315446400'],
    [['list', '--relay', 'https://127.0.0.1:9', '--insecure', '--identity', 'x', '--limit', 'abc'], 'relaylab: --limit "abc" is not a number'],
    [['peer', '--relay', 'https://127.0.0.1:9', '--insecure', '--email', 'a@b.test', '--root', '.', '--ui', '--ui-port=lots'], 'relaylab: --ui-port "lots" is not a number'],
    // Checked before any work: these used to hang (Node's recursive mkdir spins under /proc) or fail after the run.
    [['conformance', '--reports', '/proc/nope'], 'relaylab: cannot create --reports /proc/nope (ENOENT): give a folder you can write'],
    [['simulate', 'scenarios/same-lan.yaml', '--out', '/proc/nope/deeper'], 'relaylab: cannot create --out /proc/nope/deeper (ENOENT): give a folder you can write'],
    [['sweep', 'scenarios/same-lan.yaml', '--set', 'peers=10', '--out', '/proc/x'], 'relaylab: cannot create --out /proc/x (ENOENT): give a folder you can write'],
    [['report', '--merge', 'reports/examples/conformance-reference-relay/results.json', '--out', '/proc/nope'], 'relaylab: cannot create --out /proc/nope (ENOENT): give a folder you can write'],
    [['identity', 'create', '--email', 'a@b.test', '--dir', '/proc/nope'], 'relaylab: cannot create --dir /proc/nope (ENOENT): give a folder you can write'],
    [['relay', '--port', '0', '--data-dir', '/proc/nope'], 'relaylab: cannot create --data-dir /proc/nope (ENOENT): give a folder you can write'],
    // The matrix is a report.html too: beside a run's results.json it would replace that run's report.
    [['report', '--merge', 'reports/examples/conformance-reference-relay/results.json', '--out', 'reports/examples/conformance-reference-relay'], 'relaylab: --out reports/examples/conformance-reference-relay holds reports/examples/conformance-reference-relay/results.json: the merged report.html would replace that run\'s own report; give another folder'],
    [['simulate', 'scenarios/same-lan.yaml', '--out', 'package.json'], 'relaylab: --out package.json is a file, not a folder'],
  ])('%j: one line, exit 2', async (args, line) => {
    const run = await runCli(args, { timeoutMs: 20_000 });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(line);
  });

  it('relaylab version and --version print the package version', async () => {
    const version = await runCli(['version']);
    expect(version.stdout).toMatch(/^relaylab \d+\.\d+\.\d+: /);
    const flag = await runCli(['--version']);
    expect(flag.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('suggests only close flags', () => {
    expect(closestFlag('tll', ['ttl', 'port'])).toBe('ttl');
    expect(closestFlag('re', ['reports', 'relay'])).toBe(null);
    expect(closestFlag('repo', ['reports', 'relay'])).toBe('reports');
    expect(closestFlag('zzzqqq', ['ttl', 'port'])).toBe(null);
  });
});

describe('relaylab relay names the TLS file it cannot use', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relaylab-tls-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pair = (name: string) => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '2', '-keyout', join(dir, `${name}-key.pem`), '-out', join(dir, `${name}.pem`)], { stdio: 'ignore' });
    return [join(dir, `${name}.pem`), join(dir, `${name}-key.pem`)] as const;
  };

  it('a missing file, a file with no certificate, a key of another certificate: one line naming the file, exit 2', async () => {
    const [certA] = pair('a');
    const [, keyB] = pair('b');
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    const cases: Array<[string, string, RegExp]> = [
      [join(dir, 'missing.pem'), keyB, /cannot read the TLS certificate .*missing\.pem \(ENOENT\)$/],
      [junk, keyB, /the TLS certificate .*junk\.pem holds no readable PEM certificate$/],
      [certA, junk, /the TLS key .*junk\.pem holds no readable PEM private key/],
      [certA, keyB, /the TLS key .*b-key\.pem does not belong to the certificate .*a\.pem$/],
    ];
    for (const [cert, key, message] of cases) {
      const run = await runCli(['relay', '--port', '0', '--tls-cert', cert, '--tls-key', key], { timeoutMs: 20_000 });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      // Starting, the relay logs with pino: one fatal line whose msg names the file.
      expect((JSON.parse(run.stderr) as { msg: string; code: string }).msg).toMatch(message);
      expect((JSON.parse(run.stderr) as { code: string }).code).toBe('tls_file_unusable');
    }
  });
});

describe('relaylab relay --ttl takes the one duration grammar', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'relaylab-ttl-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  it('1h30m is a 5400 s TTL; a bare number is still seconds', async () => {
    for (const [given, seconds] of [['1h30m', 5400], ['90', 90]] as const) {
      const relay = new CliProcess(['relay', '--port', '0', '--data-dir', dataDir, '--ttl', given]);
      await relay.waitFor(new RegExp(`ttl ${seconds}s`));
      expect(await relay.stop()).toBe(0);
    }
  }, 60_000);
});
