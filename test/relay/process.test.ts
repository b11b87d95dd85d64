import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RelayClient } from '../../reference/peer/http/relay-client.ts';
import { newPeerIdentity } from '../../reference/identity/identity-files.ts';
import { certPathFromStartupLine, runCli, startCli, urlFromStartupLine, type RunningCli } from '../support/spawn-cli.ts';

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'relaylab-process-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('relaylab relay as a process', () => {
  it('prints one startup line, serves, reuses its TLS pair, and drains on SIGTERM with exit 0', async () => {
    const started: RunningCli[] = [];
    try {
      const first = await startCli(['relay', '--port', '0', '--data-dir', dataDir, '--log-level', 'info']);
      started.push(first);
      expect((JSON.parse(first.firstLine) as { msg: string }).msg).toMatch(/^relay listening on https:\/\/127\.0\.0\.1:\d+ · TLS certificate .* · store: memory \(data is not kept/);
      const pem = readFileSync(certPathFromStartupLine(first.firstLine), 'utf8');
      const url = new URL(urlFromStartupLine(first.firstLine));
      const client = new RelayClient({ relayUrl: url.origin, relayCaPem: pem, identity: newPeerIdentity('p@process.test', Date.now()) });
      expect((await client.register()).status).toBe(200);
      await client.close();

      // A request in flight when SIGTERM lands (headers sent, body half-sent) still gets its answer:
      // the rest of the body is sent only once the relay has logged that it is draining.
      const body = JSON.stringify({ certificate: 'x', email: 'half@process.test' });
      const socket = connect({ host: url.hostname, port: Number(url.port), ca: pem });
      await new Promise((resolve) => socket.once('secureConnect', resolve));
      let answer = '';
      socket.on('data', (d) => (answer += d.toString()));
      socket.write(`POST /api/relay/register HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
      const exit = first.stop();
      await until(() => first.output().includes('draining in-flight requests'), 10_000);
      socket.write(body.slice(10));
      await new Promise((resolve) => socket.once('close', resolve));
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('"code":"invalid_certificate"');
      expect(await exit).toBe(0);

      const second = await startCli(['relay', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn']);
      started.push(second);
      expect(readFileSync(certPathFromStartupLine(second.firstLine), 'utf8')).toBe(pem);
      expect(await second.stop()).toBe(0);
    } finally {
      for (const cli of started) if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });

  it.each([
    [['relay', '--ttl', '0'], /--ttl must be/],
    [['relay', '--store', 'mysql://x'], /--store must be/],
    [['relay', '--cert-header', 'X-SSL-Cert'], /--trusted-proxy/],
    [['relay', '--tls-cert', '/nope.pem'], /--tls-cert and --tls-key go together/],
    [['relay', '--tls-cert', '/nope.pem', '--tls-key', '/nope.key', '--port', '0'], /cannot start the relay: .*nope/],
    [['relay', '--bogus'], /Unknown argument: bogus/],
    [['relay', '--cleanup-interval', '3000000'], /--cleanup-interval must be a duration from 1ms to 24d .*got "3000000"/],
    // yargs alone: an array that crashed the duration parser, a silent default, --require-possession=yes read as false.
    [['relay', '--extensions', 'renew', '--extensions', 'goodbye'], /--extensions was given more than once/],
    [['relay', '--cleanup-interval', '1m', '--cleanup-interval', '2m'], /--cleanup-interval was given more than once/],
    [['relay', '--cleanup-interval'], /--cleanup-interval needs a value/],
    [['relay', '--require-possession=yes'], /--require-possession is a switch: .*got "yes"/],
    [['relay', '--extensions', 'renew,teleport'], /--extensions: unknown "teleport"/],
    [['relay', '--handshake-timeout', '0'], /--handshake-timeout must be a duration from 1ms/],
    // Once read as /0, trusting every IPv4 address to assert any certificate (SPEC AUTH-5).
    [['relay', '--port', '0', '--cert-header', 'X-SSL-Cert', '--trusted-proxy', '10.0.0.1/'], /cannot start the relay: --trusted-proxy "10\.0\.0\.1\/": prefix length must be/],
    [['relay', '--port', '0', '--cert-header', 'X-SSL-Cert', '--trusted-proxy', '127.0.0.1', '--trusted-proxy', '10.0.0.1/8/32'], /--trusted-proxy "10\.0\.0\.1\/8\/32": more than one/],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const result = await runCli(args as string[]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    // Flags yargs refuses are plain text from cli/main.ts; once the relay's handler runs, a pino fatal line with a code.
    const line = result.stderr.trim();
    expect(line.startsWith('{') ? (JSON.parse(line) as { msg: string }).msg : line).toMatch(message);
  });

  it('refuses to start on half a generated TLS pair, naming both files, and leaves the surviving half alone', async () => {
    const halfDir = mkdtempSync(join(tmpdir(), 'relaylab-half-pair-'));
    try {
      const certPath = join(halfDir, 'relay-cert.pem');
      writeFileSync(certPath, 'the certificate clients pinned\n');
      const result = await runCli(['relay', '--port', '0', '--data-dir', halfDir]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(certPath);
      expect(result.stderr).toContain(join(halfDir, 'relay-key.pem'));
      expect(readFileSync(certPath, 'utf8')).toBe('the certificate clients pinned\n');
    } finally {
      rmSync(halfDir, { recursive: true, force: true });
    }
  });
});
